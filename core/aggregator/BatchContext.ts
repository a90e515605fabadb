import type { SourceFilter } from '../delivery/SourceFilter';
import type { WindowStore } from '../ports/WindowStore';
import { type LOST_RACE, retryOnConflict } from '../retry/retryOnConflict';
import type { RetryPolicy } from '../retry/retryPolicy';
import type { LateCollector } from '../windowing/LateCollector';
import type { AggregationMode } from './AggregationMode';

/** What one batch's steps share: where they write, what they skip, its late events, and its counters. */
export class BatchContext {
  /** Optimistic writes that lost a race to another shard's consumer and were retried. */
  public writeConflicts = 0;
  /** (metric, window) applications skipped because the item already held the event: redeliveries. */
  public redeliveriesSkipped = 0;

  public constructor(
    /** The shard whose records the batch applies: a fixed window's partial it writes. */
    public readonly shardId: string,
    public readonly store: WindowStore,
    public readonly mode: AggregationMode,
    /** Decides which events each item still needs (`AggregationMode.filterFor`). */
    public readonly filter: SourceFilter,
    /** The windows the batch's events missed, and the late counts to add to them. */
    public readonly late: LateCollector,
    public readonly nowMs: number,
    private readonly writeRaces: RetryPolicy,
  ) {}

  /** One optimistic read–merge–conditional-write under the write-race policy, counting the races it loses. */
  public retryOnConflict<T>(what: string, attempt: (attemptNumber: number) => Promise<T | typeof LOST_RACE>): Promise<T> {
    return retryOnConflict(what, attempt, { policy: this.writeRaces, onLostRace: () => (this.writeConflicts += 1) });
  }
}
