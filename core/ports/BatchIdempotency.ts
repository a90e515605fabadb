import type { SequenceRange } from '../delivery/sequenceNumbers';

/**
 * Runs a live batch's window work at most once per delivered range.
 *
 * The windows' marks already make a repeated batch harmless; this layer makes
 * it cheap (a completed range redelivered costs one conditional write instead
 * of reading every window it touched) and serialises two invocations of the
 * same range. In AWS it is Powertools idempotency (`PowertoolsBatchIdempotency`).
 */
export interface BatchIdempotency {
  /**
   * Runs `apply` unless `range` completed before; true when it ran. When
   * `apply` throws, the range is left not completed and the error propagates.
   */
  runOnce(range: SequenceRange, apply: () => Promise<void>): Promise<boolean>;
}

/** No batch-level record: every delivery runs, and only the marks keep it exact. */
export const ALWAYS_RUN: BatchIdempotency = {
  runOnce: async (_range, apply) => {
    await apply();
    return true;
  },
};
