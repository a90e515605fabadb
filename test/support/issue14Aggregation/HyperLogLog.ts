// Frozen copy of core/aggregation at commit b7daeed (before issue 15's hot-path work), kept as the
// oracle that test/core/aggregation/accumulatorEquivalence.test.ts compares today's code against: stored
// states must stay byte-identical. Do not edit; do not import outside tests.
import { SketchDecodeError } from '../../../core/errors';
import { murmurHash3 } from '../../../core/aggregation/sketches/murmurHash3';

/** Register index bits: 2^14 registers, standard error 1.04 / √16384 ≈ 0.81 %. */
export const HLL_PRECISION = 14;
const REGISTERS = 1 << HLL_PRECISION;
/**
 * One 32-bit hash per value: the low 14 bits pick the register, the other 18
 * give the rank (1..19). Ertl's estimator corrects for the saturated top rank,
 * so estimates stay within the standard error up to ~10^8 distinct values per sketch.
 */
const RANK_BITS = 32 - HLL_PRECISION;
const MAX_RANK = RANK_BITS + 1;
/** Past this many set registers the dense array (16 KB) is smaller than the sparse list (3 bytes each). */
const SPARSE_LIMIT = REGISTERS / 4;
const FORMAT_SPARSE = 1;
const FORMAT_DENSE = 2;

/**
 * Mergeable distinct-count sketch. Small sets stay sparse (index → rank), so a
 * window with a handful of values costs a few bytes; large ones switch to the
 * dense register array. Estimates use Ertl's improved estimator ("New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017), which is
 * unbiased from 0 to billions without HLL++'s empirical bias tables.
 */
export class HyperLogLog {
  private sparse: Map<number, number> | undefined = new Map();
  private dense: Uint8Array | undefined;

  /**
   * Adds a value by its text; `seed` separates kinds of values (so the number
   * 1 and the string "1" count as two) without building a prefixed string.
   */
  public add(value: string, seed = 0x9747b28c): void {
    const hash = murmurHash3(value, seed);
    // The rank bits sit above the index bits: count leading zeros of those 18.
    this.setMax(hash & (REGISTERS - 1), Math.min(Math.clz32(hash >>> HLL_PRECISION) - HLL_PRECISION + 1, MAX_RANK));
  }

  /** Folds another sketch in: register-wise maximum. */
  public merge(other: HyperLogLog): void {
    if (other.dense) {
      for (let i = 0; i < REGISTERS; i++) if (other.dense[i]! > 0) this.setMax(i, other.dense[i]!);
    } else {
      for (const [index, rank] of other.sparse!) this.setMax(index, rank);
    }
  }

  /** Estimated number of distinct values added. */
  public estimate(): number {
    const histogram = new Array<number>(MAX_RANK + 1).fill(0);
    if (this.dense) {
      for (let i = 0; i < REGISTERS; i++) histogram[this.dense[i]!]! += 1;
    } else {
      for (const rank of this.sparse!.values()) histogram[rank]! += 1;
      histogram[0] = REGISTERS - this.sparse!.size;
    }
    const m = REGISTERS;
    let z = m * tau(1 - histogram[MAX_RANK]! / m);
    for (let k = MAX_RANK - 1; k >= 1; k--) z = 0.5 * (z + histogram[k]!);
    z += m * sigma(histogram[0]! / m);
    return Math.round((m * m) / (2 * Math.LN2) / z);
  }

  /** Compact bytes for storage: a format byte, then sparse triples or the dense registers. */
  public encode(): Uint8Array {
    if (this.dense) {
      const bytes = new Uint8Array(1 + REGISTERS);
      bytes[0] = FORMAT_DENSE;
      bytes.set(this.dense, 1);
      return bytes;
    }
    const entries = [...this.sparse!].sort((a, b) => a[0] - b[0]);
    const bytes = new Uint8Array(1 + entries.length * 3);
    bytes[0] = FORMAT_SPARSE;
    entries.forEach(([index, rank], i) => {
      // 14 bits of index and 6 of rank fit in 3 bytes.
      const packed = (index << 6) | rank;
      bytes[1 + i * 3] = packed >>> 16;
      bytes[2 + i * 3] = (packed >>> 8) & 0xff;
      bytes[3 + i * 3] = packed & 0xff;
    });
    return bytes;
  }

  /** Reads what encode wrote. */
  public static decode(bytes: Uint8Array): HyperLogLog {
    const sketch = new HyperLogLog();
    if (bytes[0] === FORMAT_DENSE && bytes.length === 1 + REGISTERS) {
      sketch.sparse = undefined;
      sketch.dense = bytes.slice(1);
      return sketch;
    }
    if (bytes[0] !== FORMAT_SPARSE || (bytes.length - 1) % 3 !== 0) {
      throw new SketchDecodeError(`not a HyperLogLog sketch (format ${bytes[0]}, ${bytes.length} bytes)`);
    }
    for (let offset = 1; offset < bytes.length; offset += 3) {
      const packed = (bytes[offset]! << 16) | (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
      sketch.setMax(packed >>> 6, packed & 0x3f);
    }
    return sketch;
  }

  private setMax(index: number, rank: number): void {
    if (this.dense) {
      if (rank > this.dense[index]!) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    const current = sparse.get(index);
    if (current === undefined || rank > current) sparse.set(index, rank);
    if (sparse.size > SPARSE_LIMIT) {
      this.dense = new Uint8Array(REGISTERS);
      for (const [i, r] of sparse) this.dense[i] = r;
      this.sparse = undefined;
    }
  }
}

/** Ertl's σ(x) = x + Σ x^(2^k) 2^(k-1): the share of the estimate from empty registers. */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

/** Ertl's τ(x): the correction for saturated registers. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (previous !== z);
  return z / 3;
}
