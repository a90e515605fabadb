// Frozen copy of core/aggregation at commit b7daeed (before issue 15's hot-path work), kept as the
// oracle that test/core/aggregation/accumulatorEquivalence.test.ts compares today's code against: stored
// states must stay byte-identical. Do not edit; do not import outside tests.
import { SketchDecodeError } from '../../../core/errors';

/** Relative accuracy of every quantile estimate. */
export const DDSKETCH_RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + DDSKETCH_RELATIVE_ACCURACY) / (1 - DDSKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero (they have no finite log bucket worth keeping). */
const MIN_INDEXABLE = 1e-9;
/**
 * Buckets kept per sign. At 1 % accuracy 4,096 buckets span 35 orders of
 * magnitude; past that the smallest magnitudes are folded together, which only
 * affects the lowest quantiles.
 */
const MAX_BUCKETS = 4_096;
const FORMAT = 1;

/**
 * Mergeable quantile sketch (DDSketch, Masson et al., VLDB 2019): value x is
 * counted in bucket ⌈log_γ |x|⌉, so any quantile is returned within 1 % of the
 * true value, and two sketches merge by adding bucket counts.
 */
export class DDSketch {
  private readonly positive = new Map<number, number>();
  private readonly negative = new Map<number, number>();
  private zeroCount = 0;
  private total = 0;

  public get count(): number {
    return this.total;
  }

  /** Adds one finite value. */
  public add(value: number): void {
    this.total += 1;
    const magnitude = Math.abs(value);
    if (magnitude < MIN_INDEXABLE) {
      this.zeroCount += 1;
      return;
    }
    const store = value > 0 ? this.positive : this.negative;
    const index = Math.ceil(Math.log(magnitude) / LN_GAMMA);
    store.set(index, (store.get(index) ?? 0) + 1);
    if (store.size > MAX_BUCKETS) collapseLowest(store);
  }

  /** Folds another sketch in: bucket counts add. */
  public merge(other: DDSketch): void {
    this.total += other.total;
    this.zeroCount += other.zeroCount;
    for (const [index, count] of other.positive) this.positive.set(index, (this.positive.get(index) ?? 0) + count);
    for (const [index, count] of other.negative) this.negative.set(index, (this.negative.get(index) ?? 0) + count);
    if (this.positive.size > MAX_BUCKETS) collapseLowest(this.positive);
    if (this.negative.size > MAX_BUCKETS) collapseLowest(this.negative);
  }

  /**
   * The value at rank ⌊q·(n−1)⌋ of the sorted values, within 1 % relative
   * error; undefined when the sketch is empty.
   */
  public quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = q * (this.total - 1);
    let seen = 0;
    // Ascending value order: negatives from the largest magnitude, then zero, then positives.
    for (const index of [...this.negative.keys()].sort((a, b) => b - a)) {
      seen += this.negative.get(index)!;
      if (seen > rank) return -bucketValue(index);
    }
    seen += this.zeroCount;
    if (seen > rank) return 0;
    for (const index of [...this.positive.keys()].sort((a, b) => a - b)) {
      seen += this.positive.get(index)!;
      if (seen > rank) return bucketValue(index);
    }
    return bucketValue(Math.max(...this.positive.keys()));
  }

  /** Compact bytes: varint counts and zig-zag varint bucket indexes. */
  public encode(): Uint8Array {
    const out: number[] = [FORMAT];
    writeVarint(out, this.zeroCount);
    for (const store of [this.positive, this.negative]) {
      writeVarint(out, store.size);
      for (const [index, count] of store) {
        writeVarint(out, index >= 0 ? index * 2 : -index * 2 - 1);
        writeVarint(out, count);
      }
    }
    return Uint8Array.from(out);
  }

  /** Reads what encode wrote. */
  public static decode(bytes: Uint8Array): DDSketch {
    if (bytes[0] !== FORMAT) throw new SketchDecodeError(`not a DDSketch (format ${bytes[0]})`);
    const sketch = new DDSketch();
    const cursor = { offset: 1 };
    sketch.zeroCount = readVarint(bytes, cursor);
    sketch.total = sketch.zeroCount;
    for (const store of [sketch.positive, sketch.negative]) {
      const size = readVarint(bytes, cursor);
      for (let i = 0; i < size; i++) {
        const zigzag = readVarint(bytes, cursor);
        const count = readVarint(bytes, cursor);
        store.set(zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2, count);
        sketch.total += count;
      }
    }
    if (cursor.offset !== bytes.length) throw new SketchDecodeError(`DDSketch has ${bytes.length - cursor.offset} trailing bytes`);
    return sketch;
  }
}

/** The representative of bucket i, (γ^(i-1), γ^i]: within α of every value in it. */
function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

function collapseLowest(store: Map<number, number>): void {
  const indexes = [...store.keys()].sort((a, b) => a - b);
  const keep = indexes[indexes.length - MAX_BUCKETS]!;
  let folded = 0;
  for (const index of indexes) {
    if (index >= keep) break;
    folded += store.get(index)!;
    store.delete(index);
  }
  store.set(keep, store.get(keep)! + folded);
}

function writeVarint(out: number[], value: number): void {
  // Counts can pass 2^31, so divide instead of shifting.
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

function readVarint(bytes: Uint8Array, cursor: { offset: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[cursor.offset++];
    if (byte === undefined) throw new SketchDecodeError('DDSketch ends inside a number');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
}
