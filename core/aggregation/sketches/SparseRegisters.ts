/** A slot no register occupies: every packed entry is ≥ 0. */
const EMPTY = -1;
const INITIAL_SLOTS = 16;

/**
 * A HyperLogLog's set registers while few are set: index → rank in an
 * open-addressing table of packed `index << 6 | rank` entries (linear probing,
 * at most half full). It replaced a Map<number, number>, whose get and set cost
 * more than hashing the value (issue 15); what the registers hold, and so every
 * estimate and encoding, is the same. Indexes are hash bits already, so the
 * low bits of the index are the slot.
 */
export class SparseRegisters {
  private slots: number[] = new Array<number>(INITIAL_SLOTS).fill(EMPTY);
  private mask = INITIAL_SLOTS - 1;
  /** Registers set. */
  public size = 0;

  /** Raises the register to `rank` if it is lower or not set. */
  public setMax(index: number, rank: number): void {
    const { slots, mask } = this;
    for (let slot = index & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) {
        slots[slot] = (index << 6) | rank;
        this.size += 1;
        if (this.size * 2 > slots.length) this.grow();
        return;
      }
      if (entry >>> 6 === index) {
        if (rank > (entry & 0x3f)) slots[slot] = (index << 6) | rank;
        return;
      }
    }
  }

  /** Calls `visit` for every set register, in no particular order. */
  public forEach(visit: (index: number, rank: number) => void): void {
    for (const entry of this.slots) if (entry !== EMPTY) visit(entry >>> 6, entry & 0x3f);
  }

  private grow(): void {
    const old = this.slots;
    // Fourfold while small: a window's sketch fills from empty in every batch, and each growth rehashes it.
    this.slots = new Array<number>(old.length < 1_024 ? old.length * 4 : old.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    for (const entry of old) {
      if (entry === EMPTY) continue;
      let slot = (entry >>> 6) & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = entry;
    }
  }
}
