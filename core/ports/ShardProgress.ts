import type { DeliveryState } from '../delivery/DeliveryState';

/** What the consumers know about event time, per metric, stored between batches. */
export interface ShardProgress {
  readonly shardId: string;
  /** Largest event time of the metric's events seen on the shard. */
  readonly maxEventTimeMs: Readonly<Record<string, number>>;
  /** When (processing time) the shard last delivered an event of the metric. */
  readonly activeAtMs: Readonly<Record<string, number>>;
  /** Batches started, completed and abandoned on the shard. */
  readonly delivery: DeliveryState;
}

/** Every shard's progress plus the pipeline watermark per metric, as read at the start of a batch. */
export interface WatermarkSnapshot {
  readonly shards: ReadonlyMap<string, ShardProgress>;
  /** The pipeline watermark per metric; it only ever moves forward. Absent: no watermark yet (−∞). */
  readonly watermarkMs: Readonly<Record<string, number>>;
  /** Optimistic-concurrency version of the pipeline watermark. */
  readonly version: number;
}
