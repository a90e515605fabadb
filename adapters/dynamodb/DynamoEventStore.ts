import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import { ConfigError } from '../../core/errors';
import { isValidationError } from '../aws/isValidationError';
import { runLimited } from '../../core/async/runLimited';
import { BATCH_WRITE_LIMIT, batchWriteItems } from './batchWriteItems';
import { createDocumentClient } from './createDocumentClient';
import { cursorNotOurs, decodeCursor, encodeCursor } from './EventCursor';
import { EVENT_KEYS, eventSortKey, keyPartition, sortKeyFloor, typeBucketStart } from './eventKeys';
import { readTypeBucket, TYPE_ITEMS_PER_QUERY } from './readTypeRange';
import { type ArchivedEvent, type StoredEvent, typePagesOf } from './typePages';

/** One page of raw events, in time order, and the cursor of the next page (absent on the last). */
export interface EventPage {
  readonly events: EventEnvelope[];
  /** Each event as stored: the JSON text of its stream record, with the producer's own digits. */
  readonly eventsJson?: string[];
  readonly cursor?: string;
}

/** A time-range read of one key's or one type's events. */
export interface EventRangeQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly cursor?: string;
}

/** Hour buckets one by-type page may scan before it hands back a cursor (8 queries each at least: pages and old index rows, 4 suffixes). */
const MAX_BUCKETS_PER_PAGE = 24;
/**
 * The smallest text after a sort key that no other key can fall between: event
 * ids are `A-Z a-z 0-9 . _ : -` (ingest checks), all above `!`.
 */
const AFTER = '!';
/**
 * BatchWriteItem calls in flight for one putEvents: a batch's chunks go out
 * together, as the aggregator's window writes do (writeConcurrency 16). Each call
 * is 25 items, so 8 keep ~200 writes in flight per consumer.
 */
const WRITE_CONCURRENCY = 8;

/** The raw event archive in DynamoDB. */
export class DynamoEventStore {
  private readonly client: DynamoDBDocumentClient;

  private readonly cursorKey: string;

  /**
   * @param retentionDays days an event is kept after it was accepted; undefined
   *   opens the store for reads only (the query API), and a write then throws.
   * @param cursorKey HMAC key of page cursors. Without one it is derived from
   *   the table name: cursors then resist tampering by anyone who does not know
   *   the table's name, and every cursor's contents are range-checked as well
   *   (they hold nothing secret; the signature is for integrity).
   * @param typeItemsPerQuery items each Query of a by-type read asks for (TYPE_ITEMS_PER_QUERY)
   */
  public constructor(
    private readonly tableName: string,
    private readonly retentionDays: number | undefined,
    client?: DynamoDBDocumentClient,
    cursorKey?: string,
    private readonly typeItemsPerQuery = TYPE_ITEMS_PER_QUERY,
  ) {
    this.client = client ?? createDocumentClient();
    this.cursorKey = cursorKey ?? `tributary-events-cursor:${tableName}`;
  }

  /**
   * Writes events; idempotent, since an event's row key is its key, time and
   * id, and its type page's key comes from the record it came in
   * (`recordIds[i]`, e.g. its Kinesis sequence number; absent, a page of its
   * own). `jsonTexts[i]` is event i's stream record, stored as it is (else the
   * event is serialised): the archive keeps any JSON the API accepts.
   *
   * Rows first, then the type pages of the rows that landed: an event is in
   * both views or in neither. An item DynamoDB refuses as invalid
   * (ValidationException: no retry can fix it) is not written, and comes back
   * with the reason, so the caller can send it to the rejected output instead
   * of failing the batch for ever: the chunk it was in is then written item by
   * item to find it.
   * @returns the indices of the events refused, with DynamoDB's reason
   */
  public async putEvents(
    events: readonly EventEnvelope[],
    jsonTexts: readonly (string | undefined)[] = [],
    recordIds: readonly (string | undefined)[] = [],
  ): Promise<{ index: number; reason: string }[]> {
    const rows = events.map((event, index) => this.rowOf(event, jsonTexts[index]));
    const unique = new Map<string, StoreWrite>();
    for (const [index, item] of rows.entries()) {
      // A duplicate key in one BatchWriteItem is a ValidationException: keep the last.
      unique.set(`${item[EVENT_KEYS.partitionKey]}\u0000${item[EVENT_KEYS.sortKey]}`, { item, indices: [index], what: 'it' });
    }
    const refused = await this.putItems([...unique.values()]);
    const refusedIndices = new Set(refused.map(({ index }) => index));
    const landed: { index: number; archived: ArchivedEvent }[] = [];
    for (const [index, event] of events.entries()) {
      if (refusedIndices.has(index)) continue;
      const recordId = recordIds[index];
      landed.push({ index, archived: { event, json: rows[index]!.event as string, ...(recordId === undefined ? {} : { recordId }) } });
    }
    const pages = typePagesOf(
      landed.map(({ archived }) => archived),
      (held) => Math.max(...held.map((event) => this.expiresAtS(event))),
    ).map((page): StoreWrite => ({ item: page.item, indices: page.indices.map((position) => landed[position]!.index), what: 'its type page' }));
    return [...refused, ...(await this.putItems(pages))];
  }

  /** Items in BatchWriteItem chunks, 8 in flight; the events of an item DynamoDB refuses as invalid come back with the reason. */
  private async putItems(writes: readonly StoreWrite[]): Promise<{ index: number; reason: string }[]> {
    const chunks: StoreWrite[][] = [];
    for (let offset = 0; offset < writes.length; offset += BATCH_WRITE_LIMIT) chunks.push(writes.slice(offset, offset + BATCH_WRITE_LIMIT));
    // Chunks in parallel: one after another, a batch of 10,000 events is 400 round trips in a row.
    return (await runLimited(chunks, WRITE_CONCURRENCY, (chunk) => this.putChunk(chunk))).flat();
  }

  /** One BatchWriteItem; when DynamoDB refuses it as invalid, its items one by one, to find the refused ones. */
  private async putChunk(chunk: readonly StoreWrite[]): Promise<{ index: number; reason: string }[]> {
    try {
      await batchWriteItems(this.client, this.tableName, chunk.map(({ item }) => item));
      return [];
    } catch (error) {
      if (!isValidationError(error)) throw error;
    }
    const refused: { index: number; reason: string }[] = [];
    for (const { item, indices, what } of chunk) {
      try {
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
      } catch (itemError) {
        if (!isValidationError(itemError)) throw itemError;
        for (const index of indices) refused.push({ index, reason: `the raw events store refused ${what}: ${(itemError as Error).message}` });
      }
    }
    return refused;
  }

  /** One key's events with time in [fromMs, toMs), oldest first: one Query per page. */
  public async byKey(key: string, query: EventRangeQuery): Promise<EventPage> {
    const identity = `key:${key}:${query.fromMs}:${query.toMs}`;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, identity, this.cursorKey).lastSortKey;
    if (after !== undefined && !sortKeyWithin(after, query.fromMs, query.toMs)) throw cursorNotOurs();
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': EVENT_KEYS.partitionKey, '#sk': EVENT_KEYS.sortKey },
        // `<to>#` sorts before every key at `to`: the range stays half-open.
        ExpressionAttributeValues: { ':pk': keyPartition(key), ':from': after === undefined ? sortKeyFloor(query.fromMs) : after + AFTER, ':to': sortKeyFloor(query.toMs) },
        Limit: query.limit,
      }),
    );
    const items = page.Items ?? [];
    const last = items[items.length - 1];
    return {
      ...pageOf(items),
      ...(page.LastEvaluatedKey && last ? { cursor: encodeCursor({ query: identity, lastSortKey: last[EVENT_KEYS.sortKey] as string }, this.cursorKey) } : {}),
    };
  }

  /**
   * One type's events with time in [fromMs, toMs), oldest first. Per hour
   * bucket, its sources (the 4 suffix partitions of type pages, and of the
   * by-type index's older rows) are read in parallel and merged by time
   * (readTypeBucket); a page stops when full or after 24 buckets, and its
   * cursor records the bucket and the last event returned.
   */
  public async byType(type: string, query: EventRangeQuery): Promise<EventPage> {
    const identity = `type:${type}:${query.fromMs}:${query.toMs}`;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, identity, this.cursorKey);
    const lastBucket = typeBucketStart(query.toMs - 1);
    if (cursor && (cursor.bucketStartMs === undefined || cursor.bucketStartMs % EVENT_KEYS.typeBucketMs !== 0 || cursor.bucketStartMs < typeBucketStart(query.fromMs) || cursor.bucketStartMs > lastBucket || (cursor.lastSortKey !== '' && !sortKeyWithin(cursor.lastSortKey, query.fromMs, query.toMs)))) {
      throw cursorNotOurs();
    }
    const events: StoredEvent[] = [];
    let bucket = cursor?.bucketStartMs ?? typeBucketStart(query.fromMs);
    let after = cursor?.lastSortKey ?? '';
    for (let scanned = 0; bucket <= lastBucket; scanned++) {
      if (scanned === MAX_BUCKETS_PER_PAGE) return { ...pageOfStored(events), cursor: encodeCursor({ query: identity, bucketStartMs: bucket, lastSortKey: '' }, this.cursorKey) };
      const read = await readTypeBucket(this.client, {
        tableName: this.tableName,
        type,
        bucketStartMs: bucket,
        fromMs: Math.max(query.fromMs, bucket),
        toMs: Math.min(query.toMs, bucket + EVENT_KEYS.typeBucketMs),
        ...(after === '' ? {} : { afterSortKey: after }),
        limit: query.limit - events.length,
        itemsPerQuery: this.typeItemsPerQuery,
      });
      events.push(...read.events);
      if (events.length === query.limit) {
        return { ...pageOfStored(events), cursor: encodeCursor({ query: identity, bucketStartMs: bucket, lastSortKey: events[events.length - 1]!.sortKey }, this.cursorKey) };
      }
      bucket += EVENT_KEYS.typeBucketMs;
      after = '';
    }
    return pageOfStored(events);
  }

  /** An event's row: under its key, by time and id; not in the by-type index (its type page is). */
  private rowOf(event: EventEnvelope, json: string | undefined): Record<string, unknown> {
    if (this.retentionDays === undefined) throw new ConfigError(['the raw events store was opened for reads: it has no retention to write events with']);
    return {
      [EVENT_KEYS.partitionKey]: keyPartition(event.key),
      [EVENT_KEYS.sortKey]: eventSortKey(event.time, event.id),
      // JSON text, not a map: a map cannot hold every JSON object (empty names,
      // 2^53+ integers, 1e-200, 33 levels), and the text keeps the producer's digits.
      event: json ?? JSON.stringify(event),
      [EVENT_KEYS.ttlAttribute]: this.expiresAtS(event),
    };
  }

  /** Retention counts from when the event was accepted: a backfill of old events is kept too. */
  private expiresAtS(event: EventEnvelope): number {
    return Math.floor(event.receivedAt / 1000) + (this.retentionDays ?? 0) * 86_400;
  }
}

/** One item a putEvents writes, and the events it holds. */
interface StoreWrite {
  readonly item: Record<string, unknown>;
  readonly indices: readonly number[];
  /** How a refusal names it: the event's row (`it`) or its type page. */
  readonly what: string;
}

/** A page of events read from type pages and rows, parsed and as stored. */
function pageOfStored(events: readonly StoredEvent[]): { events: EventEnvelope[]; eventsJson: string[] } {
  const eventsJson = events.map((event) => event.json);
  return { events: eventsJson.map((json) => JSON.parse(json) as EventEnvelope), eventsJson };
}
/** A page's events, parsed and as stored; items written before events were stored as text are maps. */
function pageOf(items: readonly Record<string, unknown>[]): { events: EventEnvelope[]; eventsJson: string[] } {
  const eventsJson = items.map((item) => (typeof item.event === 'string' ? item.event : JSON.stringify(item.event)));
  return { events: eventsJson.map((json) => JSON.parse(json) as EventEnvelope), eventsJson };
}

/** A sort key an events page over [fromMs, toMs) can have returned. */
function sortKeyWithin(sortKey: string, fromMs: number, toMs: number): boolean {
  return /^\d{15}#[A-Za-z0-9._:-]{1,128}$/.test(sortKey) && sortKey >= sortKeyFloor(fromMs) && sortKey < sortKeyFloor(toMs);
}
