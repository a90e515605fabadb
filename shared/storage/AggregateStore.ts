import type { WindowDelta } from '../aggregation/WindowDelta';

/** One stored window of one metric and group. */
export interface StoredWindow {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly eventCount: number;
  readonly values: Readonly<Record<string, number>>;
  readonly updatedAtMs: number;
}

/** Where aggregates live; DynamoDB in production, a double in unit tests. */
export interface AggregateStore {
  /** Adds each delta to its window, creating the window if needed. Throws AggregateWriteError when any write fails. */
  applyDeltas(deltas: readonly WindowDelta[]): Promise<void>;
  /** The windows of one metric and group whose start lies in [fromMs, toMs), oldest first. */
  queryWindows(metric: string, group: string, fromMs: number, toMs: number): Promise<StoredWindow[]>;
}
