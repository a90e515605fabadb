/**
 * Aggregates table layout (time series): partition `pk` = `<metric>#<group>`,
 * sort `windowStart` (number, epoch ms). Metric names never contain `#`, so the
 * first `#` splits the key even when a group does.
 */
export const AGGREGATE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'windowStart',
  ttlAttribute: 'expiresAt',
  /** Each named aggregation is stored as a top-level number attribute, so ADD can update it. */
  valuePrefix: 'v_',
} as const;

/** The partition key value of a metric's group. */
export function aggregatePartitionKey(metric: string, group: string): string {
  return `${metric}#${group}`;
}
