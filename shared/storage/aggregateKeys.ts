import type { WindowKey } from './WindowStore';

/**
 * Aggregates table layout (time series): partition `pk` = `<metric>#<group>`,
 * sort `windowStart` (number, epoch ms). Metric names never contain `#`, so the
 * first `#` splits the key even when a group does.
 *
 * The same table holds the watermarks, under a partition no metric can produce
 * (metric names start with a letter): `~watermark`, sort -1 for the pipeline
 * watermark and the shard number for each shard's progress. One Query reads
 * them all, and the query API can fetch the pipeline watermark in the same
 * BatchGetItem as the windows.
 */
export const AGGREGATE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'windowStart',
  ttlAttribute: 'expiresAt',
  watermarkPartition: '~watermark',
  pipelineWatermarkSort: -1,
  /** Sort key of a session group's version item, below every window start (event times are ≥ 0). */
  sessionGroupSort: Number.MIN_SAFE_INTEGER,
  /** Sparse index of windows not yet final: partition `<metric>#<bucket>`, sort the watermark that finalises them. */
  pendingIndex: 'pending-final',
  pendingPartitionKey: 'finalPk',
  pendingSortKey: 'finalWm',
  /** Spreads a metric's pending windows over this many index partitions (by group) so no one partition runs hot. */
  pendingBuckets: 8,
} as const;

/** The partition key value of a metric's group. */
export function aggregatePartitionKey(metric: string, group: string): string {
  return `${metric}#${group}`;
}

/** A window's item key in the aggregates table. */
export function windowItemKey(key: WindowKey): Record<string, unknown> {
  return { [AGGREGATE_KEYS.partitionKey]: aggregatePartitionKey(key.metric, key.group), [AGGREGATE_KEYS.sortKey]: key.startMs };
}

/** Sort key of a shard's progress item: the number in `shardId-000000000007`. */
export function shardSortKey(shardId: string): number {
  const match = /^shardId-(\d{1,15})$/.exec(shardId);
  if (!match) throw new Error(`Unexpected Kinesis shard id ${JSON.stringify(shardId)}`);
  return Number(match[1]);
}

/** The pending-index partition of a window: metric plus a stable bucket of its group. */
export function pendingPartition(metric: string, group: string): string {
  let hash = 0;
  for (let i = 0; i < group.length; i++) hash = (Math.imul(hash, 31) + group.charCodeAt(i)) | 0;
  return `${metric}#${Math.abs(hash) % AGGREGATE_KEYS.pendingBuckets}`;
}
