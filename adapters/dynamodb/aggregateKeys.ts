import { createHash } from 'node:crypto';
import type { WindowKey } from '../../core/ports/WindowStore';
import { UnexpectedShardIdError } from '../../core/errors';

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
  /**
   * Sparse index of final windows, for the correctness audit: partition `<metric>#<bucket>` (the same
   * bucket as the pending index), sort `finalAt`, so "the windows finalised in the last minutes" is one
   * Query per bucket. It projects the counts the audit compares, never the states (sketches are KBs).
   */
  finalIndex: 'recent-final',
  finalPartitionKey: 'finalListPk',
  finalSortKey: 'finalAt',
} as const;

/** What the recent-final index projects besides its keys and the table's: what the audit compares. */
export const FINAL_INDEX_ATTRIBUTES = ['metric', 'group', 'windowEnd', 'eventCount', 'lateEvents'] as const;

/** The partition key value of a metric's group. */
export function aggregatePartitionKey(metric: string, group: string): string {
  return `${metric}#${storedGroupKey(group)}`;
}

/**
 * Longest group kept as it is in a key. DynamoDB's partition key holds 2,048
 * bytes; a group is a producer's value (`data.region` of 3,000 characters),
 * so a longer one is stored under its hash, with the real value in the item.
 */
export const MAX_PLAIN_GROUP_BYTES = 1_024;
/** Starts every hashed group key. A real group that starts with it is hashed too, so the two can never collide. */
export const HASHED_GROUP_PREFIX = '~sha256:';

/**
 * The form of a group in keys: the group itself, or for a long one (or one
 * that looks like a hashed key) `~sha256:` and the SHA-256 of its UTF-8 bytes
 * in base64url: stable, collision-safe, and computable from the real value by
 * every reader, so the query API finds it by the group a client names.
 */
export function storedGroupKey(group: string): string {
  // 341 UTF-16 units are at most 1,023 UTF-8 bytes: the common case needs no count.
  const short = group.length <= 341 || Buffer.byteLength(group) <= MAX_PLAIN_GROUP_BYTES;
  if (short && !group.startsWith(HASHED_GROUP_PREFIX)) return group;
  return HASHED_GROUP_PREFIX + createHash('sha256').update(group, 'utf8').digest('base64url');
}

/** A window's item key in the aggregates table. */
export function windowItemKey(key: WindowKey): Record<string, unknown> {
  return { [AGGREGATE_KEYS.partitionKey]: aggregatePartitionKey(key.metric, key.group), [AGGREGATE_KEYS.sortKey]: key.startMs };
}

/** Sort key of a shard's progress item: the number in `shardId-000000000007`. */
export function shardSortKey(shardId: string): number {
  const match = /^shardId-(\d{1,15})$/.exec(shardId);
  if (!match) throw new UnexpectedShardIdError(shardId);
  return Number(match[1]);
}

/** The pending-index partition of a window: metric plus a stable bucket of its group. */
export function pendingPartition(metric: string, group: string): string {
  let hash = 0;
  for (let i = 0; i < group.length; i++) hash = (Math.imul(hash, 31) + group.charCodeAt(i)) | 0;
  return `${metric}#${Math.abs(hash) % AGGREGATE_KEYS.pendingBuckets}`;
}
