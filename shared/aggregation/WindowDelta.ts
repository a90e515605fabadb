/** What one batch adds to one (metric, group, window): the unit of storage writes. */
export interface WindowDelta {
  readonly metric: string;
  readonly group: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Events of this batch that fell in the window. */
  eventCount: number;
  /** Additions per named aggregation (counts and sums alike are additive). */
  readonly values: Record<string, number>;
}
