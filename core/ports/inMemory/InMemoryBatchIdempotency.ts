import type { BatchIdempotency } from '../BatchIdempotency';
import type { SequenceRange } from '../../delivery/sequenceNumbers';

/** What Powertools throws while another invocation holds a range's INPROGRESS record. */
export class BatchInProgressError extends Error {}

/**
 * Powertools idempotency's record life cycle in memory: INPROGRESS before the
 * work, deleted when it throws, COMPLETED after. `failCompletion` makes the
 * COMPLETED update fail after the work succeeded (the record stays INPROGRESS,
 * as when the function crashes before the update).
 */
export class InMemoryBatchIdempotency implements BatchIdempotency {
  public readonly records = new Map<string, 'INPROGRESS' | 'COMPLETED'>();

  public constructor(private readonly failCompletion: () => Error | undefined = () => undefined) {}

  public async runOnce(range: SequenceRange, apply: () => Promise<void>): Promise<boolean> {
    const key = `${range.shardId}#${range.first}~${range.last}`;
    const status = this.records.get(key);
    if (status === 'COMPLETED') return false;
    if (status === 'INPROGRESS') throw new BatchInProgressError(`batch ${key} is in progress`);
    this.records.set(key, 'INPROGRESS');
    try {
      await apply();
    } catch (error) {
      this.records.delete(key);
      throw error;
    }
    const failure = this.failCompletion();
    if (failure) throw failure;
    this.records.set(key, 'COMPLETED');
    return true;
  }
}
