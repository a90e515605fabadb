import type { SequenceRange } from '../delivery/sequenceNumbers';

/**
 * Which batch ranges of a shard completed. The redrive asks it about an
 * on-failure range that no abandoned range explains: either a batch covering
 * it completed before the ESM gave up (a failure after its last write), or no
 * batch ever started on it — the two look the same in every other record.
 */
export interface CompletionLog {
  /** Records that the live batch `range` applied all its records (written before the shard's progress says so). */
  recordCompleted(range: SequenceRange, nowMs: number): Promise<void>;
  /** True when one recorded range covers all of `range`. */
  isCompleted(range: SequenceRange): Promise<boolean>;
}
