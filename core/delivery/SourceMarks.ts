/**
 * What a window (or a session group) already holds from each shard, stored in
 * the same item and written by the same conditional write as its state, so a
 * write and its marks can never disagree.
 *
 * - `applied[shard] = n`: every event of the shard with sequence number ≤ n is
 *   in the item, except those in abandoned ranges (see `frozen`). A shard's
 *   records arrive in order and each write applies every event of its batch
 *   that belongs to the item, so one number per shard is enough for retries,
 *   bisected halves, partial responses, crashes and duplicate deliveries.
 * - `frozen["<shard>~<after>"] = n`: a batch after `<after>` was abandoned to
 *   the DLQ; `n` is what `applied` was before any later batch wrote the item
 *   ("" for nothing), so a redrive still knows which of the abandoned events
 *   the item holds after later batches moved `applied` past them.
 * - `redriven["<shard>~<first>~<last>"]`: that DLQ range has been applied.
 */
export interface SourceMarks {
  readonly applied: Readonly<Record<string, string>>;
  readonly frozen: Readonly<Record<string, string>>;
  readonly redriven: Readonly<Record<string, 1>>;
}

export const NO_MARKS: SourceMarks = { applied: {}, frozen: {}, redriven: {} };

/** The key of an abandoned range in `frozen`: the shard and the sequence number it starts after. */
export function frozenKey(shardId: string, afterSequenceNumber: string): string {
  return `${shardId}~${afterSequenceNumber}`;
}

/** Marks as read from storage: missing parts become empty. */
export function readMarks(value: unknown): SourceMarks {
  const marks = (value ?? {}) as Partial<SourceMarks>;
  return { applied: marks.applied ?? {}, frozen: marks.frozen ?? {}, redriven: marks.redriven ?? {} };
}
