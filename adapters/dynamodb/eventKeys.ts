/**
 * Raw events table layout (time series).
 *
 *   base table   pk  `k#<event key>`                        sk `<time, 15 digits>#<event id>`
 *   by-type GSI  pk  `t#<type>#<hour start>#<suffix 0..3>`   sk (same)
 *
 * One key's events are one partition in time order. One type's events are
 * spread over hourly buckets and 4 suffixes (from the event id), so a busy type
 * never makes one hot partition; a read queries the 4 suffixes of each hour
 * and merges them by sort key, which is time order.
 */
export const EVENT_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  typeIndex: 'by-type',
  typePartitionKey: 'typePk',
  ttlAttribute: 'expiresAt',
  /** Width of a by-type bucket: a range query reads ⌈range / bucket⌉ × suffixes partitions. */
  typeBucketMs: 3_600_000,
  typeSuffixes: 4,
} as const;

/** Event times are 1970..2999 (ingest validates), so 15 digits sort numerically as text. */
const TIME_DIGITS = 15;

export function keyPartition(key: string): string {
  return `k#${key}`;
}

export function eventSortKey(timeMs: number, id: string): string {
  return `${String(timeMs).padStart(TIME_DIGITS, '0')}#${id}`;
}

/** The first sort key at or after `timeMs` (ids sort after `#`). */
export function sortKeyFloor(timeMs: number): string {
  return `${String(timeMs).padStart(TIME_DIGITS, '0')}#`;
}

export function typeBucketStart(timeMs: number): number {
  return timeMs - (timeMs % EVENT_KEYS.typeBucketMs);
}

/** A stable suffix from the event id, spreading one type's hour over the suffixes. */
export function typeSuffix(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % EVENT_KEYS.typeSuffixes;
}

export function typePartition(type: string, bucketStartMs: number, suffix: number): string {
  return `t#${type}#${bucketStartMs}#${suffix}`;
}
