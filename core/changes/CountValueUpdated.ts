import type { AggregateValue } from '../aggregation/AggregateValue';

/** A window's value as readers see it. */
export interface WindowValue {
  readonly eventCount: number;
  readonly lateEvents: number;
  readonly values: Readonly<Record<string, AggregateValue>>;
}

/**
 * `count-value-updated`: one window of one metric changed. `old` is null for a
 * new window, `new` is null for a session merged into another (deleted).
 */
export interface CountValueUpdated {
  readonly type: 'count-value-updated';
  readonly metric: string;
  /** The group; its first 4,096 characters when it is longer (then `groupTruncated` and `groupKey` are set). */
  readonly group: string;
  /** The group was longer than a message should carry. */
  readonly groupTruncated?: true;
  /** The group's stored key (`~sha256:…`), set when the group is truncated: stable per group. */
  readonly groupKey?: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly old: WindowValue | null;
  readonly new: WindowValue | null;
  readonly final: boolean;
  /** When the change was written (the stream record's creation time), epoch ms. */
  readonly timestamp: number;
  /** The change's stream sequence number: a consumer can drop a redelivered event by it. */
  readonly changeId: string;
}
