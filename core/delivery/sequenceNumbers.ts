/**
 * Kinesis sequence numbers are decimal strings of up to 128 digits that only
 * grow within a shard. Strings of different lengths do not compare as numbers
 * ("9" > "10"), so every comparison goes through BigInt.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The larger of two sequence numbers; `undefined` stands for "none yet". */
export function maxSequenceNumber(a: string | undefined, b: string): string {
  return a === undefined || compareSequenceNumbers(b, a) > 0 ? b : a;
}

/** A closed range of one shard's sequence numbers: a batch, or the range of an on-failure record. */
export interface SequenceRange {
  readonly shardId: string;
  readonly first: string;
  readonly last: string;
}

/** True when `sequenceNumber` lies in [first, last]. */
export function inRange(range: Pick<SequenceRange, 'first' | 'last'>, sequenceNumber: string): boolean {
  const n = BigInt(sequenceNumber);
  return n >= BigInt(range.first) && n <= BigInt(range.last);
}
