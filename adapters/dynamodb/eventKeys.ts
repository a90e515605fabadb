/**
 * Raw events table layout (time series).
 *
 *   event rows   pk  `k#<event key>`                        sk `<time, 15 digits>#<event id>`
 *   type pages   pk  `t#<type>#<hour start>#<suffix 0..3>`  sk `<first time, 15 digits>#<page id>`
 *   by-type GSI  pk  `t#<type>#<hour start>#<suffix 0..3>`  sk `<time>#<event id>` (rows archived before pages)
 *
 * One key's events are one partition in time order, one row each. One type's
 * events are stored in pages (decision 0017): the events of one Kinesis record
 * with that type and the same second of event time, in one item, so the archive
 * writes about one item per event instead of two (a row and its index row). Pages
 * are spread over hourly buckets and 4 suffixes (from the page id), so a busy
 * type never makes one hot partition; a read queries the 4 suffixes of each
 * hour, and the by-type index where rows written before pages are, and merges
 * them by time.
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
  /**
   * Event time one type page spans at most: its events share a slice of this
   * width. A read resuming after time t re-reads pages from t minus this, so it
   * bounds what a next page re-reads; one second holds a request's events
   * (sent together, with times close together) in one page.
   */
  pageSpanMs: 1_000,
  /** JSON text one type page holds at most (an event alone may be larger, up to the envelope's 256 KB): well under DynamoDB's 400 KB item. */
  pageMaxBytes: 64 * 1024,
} as const;

/** Event times are 1970..2999 (ingest validates), so 15 digits sort numerically as text. */
const TIME_DIGITS = 15;

export function keyPartition(key: string): string {
  return `k#${key}`;
}

/** The event key a row's partition holds (keyPartition's inverse). */
export function keyOfPartition(partition: string): string {
  return partition.slice(2);
}

export function eventSortKey(timeMs: number, id: string): string {
  return `${String(timeMs).padStart(TIME_DIGITS, '0')}#${id}`;
}

/** The time at the head of a sort key: an event's (rows), a page's first event's (type pages). */
export function timeOfSortKey(sortKey: string): number {
  return Number(sortKey.slice(0, TIME_DIGITS));
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

/** The start of the page slice `timeMs` falls in; slices divide hour buckets, so a page lies in one bucket. */
export function pageSliceStart(timeMs: number): number {
  return timeMs - (timeMs % EVENT_KEYS.pageSpanMs);
}

export function typePartition(type: string, bucketStartMs: number, suffix: number): string {
  return `t#${type}#${bucketStartMs}#${suffix}`;
}
