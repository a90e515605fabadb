import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../envelope/EventEnvelope';
import { ConfigError } from '../errors';
import { MAX_STORED_EVENT_CHARS } from './DynamoLateEventStore';
import { createDocumentClient } from './DynamoWindowStore';
import { decodeCursor, encodeCursor } from './EventCursor';
import { EVENT_KEYS, eventSortKey, keyPartition, sortKeyFloor, typeBucketStart, typePartition, typeSuffix } from './eventKeys';

/** One page of raw events, in time order, and the cursor of the next page (absent on the last). */
export interface EventPage {
  readonly events: EventEnvelope[];
  readonly cursor?: string;
}

/** A time-range read of one key's or one type's events. */
export interface EventRangeQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly cursor?: string;
}

const BATCH_WRITE_LIMIT = 25;
const MAX_WRITE_ATTEMPTS = 8;
/** Hour buckets one by-type page may scan before it hands back a cursor (4 queries each). */
const MAX_BUCKETS_PER_PAGE = 24;
/**
 * The smallest text after a sort key that no other key can fall between: event
 * ids are `A-Z a-z 0-9 . _ : -` (ingest checks), all above `!`.
 */
const AFTER = '!';

/** The raw event archive in DynamoDB. */
export class DynamoEventStore {
  private readonly client: DynamoDBDocumentClient;

  /** The store a function is configured for: EVENTS_TABLE and EVENT_RETENTION_DAYS from the stack. */
  public static fromEnvironment(environment: NodeJS.ProcessEnv = process.env, client?: DynamoDBDocumentClient): DynamoEventStore {
    const tableName = environment.EVENTS_TABLE;
    if (!tableName) throw new ConfigError(['EVENTS_TABLE is not set: the function was deployed without its events table']);
    return new DynamoEventStore(tableName, Number(environment.EVENT_RETENTION_DAYS ?? '30'), client);
  }

  public constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? createDocumentClient();
  }

  /** Writes events; idempotent, since an event's item key is its key, time and id. */
  public async putEvents(events: readonly EventEnvelope[]): Promise<void> {
    const items = new Map<string, Record<string, unknown>>();
    for (const event of events) {
      const item = this.itemOf(event);
      // A duplicate key in one BatchWriteItem is a ValidationException: keep the last.
      items.set(`${item[EVENT_KEYS.partitionKey]}\u0000${item[EVENT_KEYS.sortKey]}`, item);
    }
    const all = [...items.values()];
    for (let offset = 0; offset < all.length; offset += BATCH_WRITE_LIMIT) {
      let pending = all.slice(offset, offset + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_WRITE_ATTEMPTS) throw new Error(`${pending.length} events still unprocessed after ${MAX_WRITE_ATTEMPTS} BatchWriteItem attempts`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1_000, 25 * 2 ** attempt)));
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  /** One key's events with time in [fromMs, toMs), oldest first: one Query per page. */
  public async byKey(key: string, query: EventRangeQuery): Promise<EventPage> {
    const identity = `key:${key}:${query.fromMs}:${query.toMs}`;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, identity).lastSortKey;
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
      events: items.map((item) => item.event as EventEnvelope),
      ...(page.LastEvaluatedKey && last ? { cursor: encodeCursor({ query: identity, lastSortKey: last[EVENT_KEYS.sortKey] as string }) } : {}),
    };
  }

  /**
   * One type's events with time in [fromMs, toMs), oldest first. Per hour
   * bucket, the 4 suffix partitions are read in parallel and merged by sort
   * key; a page stops when full or after 24 buckets, and its cursor records the
   * bucket and the last key returned.
   */
  public async byType(type: string, query: EventRangeQuery): Promise<EventPage> {
    const identity = `type:${type}:${query.fromMs}:${query.toMs}`;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, identity);
    const lastBucket = typeBucketStart(query.toMs - 1);
    const events: EventEnvelope[] = [];
    let bucket = cursor?.bucketStartMs ?? typeBucketStart(query.fromMs);
    let after = cursor?.lastSortKey ?? '';
    for (let scanned = 0; bucket <= lastBucket; scanned++) {
      if (scanned === MAX_BUCKETS_PER_PAGE) return { events, cursor: encodeCursor({ query: identity, bucketStartMs: bucket, lastSortKey: '' }) };
      const remaining = query.limit - events.length;
      const lower = after === '' ? sortKeyFloor(Math.max(query.fromMs, bucket)) : after + AFTER;
      const pages = await Promise.all(
        Array.from({ length: EVENT_KEYS.typeSuffixes }, (_, suffix) => this.queryTypePartition(typePartition(type, bucket, suffix), lower, sortKeyFloor(query.toMs), remaining)),
      );
      // Each partition is in key order; the `remaining` smallest of their union are
      // all below any key a truncated partition still holds, so the merge is exact.
      const merged = pages
        .flatMap((page) => page.Items ?? [])
        .sort((a, b) => ((a[EVENT_KEYS.sortKey] as string) < (b[EVENT_KEYS.sortKey] as string) ? -1 : 1))
        .slice(0, remaining);
      events.push(...merged.map((item) => item.event as EventEnvelope));
      if (events.length === query.limit) {
        return { events, cursor: encodeCursor({ query: identity, bucketStartMs: bucket, lastSortKey: merged[merged.length - 1]![EVENT_KEYS.sortKey] as string }) };
      }
      bucket += EVENT_KEYS.typeBucketMs;
      after = '';
    }
    return { events };
  }

  private queryTypePartition(partition: string, lower: string, upper: string, limit: number): Promise<QueryCommandOutput> {
    return this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: EVENT_KEYS.typeIndex,
        KeyConditionExpression: '#tpk = :tpk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#tpk': EVENT_KEYS.typePartitionKey, '#sk': EVENT_KEYS.sortKey },
        ExpressionAttributeValues: { ':tpk': partition, ':from': lower, ':to': upper },
        Limit: limit,
      }),
    );
  }

  private itemOf(event: EventEnvelope): Record<string, unknown> {
    // A record may be 1 MiB, an item 400 KB: a bigger event keeps its envelope without data.
    const whole = JSON.stringify(event).length <= MAX_STORED_EVENT_CHARS;
    return {
      [EVENT_KEYS.partitionKey]: keyPartition(event.key),
      [EVENT_KEYS.sortKey]: eventSortKey(event.time, event.id),
      [EVENT_KEYS.typePartitionKey]: typePartition(event.type, typeBucketStart(event.time), typeSuffix(event.id)),
      event: whole ? event : { ...event, data: {} },
      ...(whole ? {} : { dataOmitted: true }),
      // Retention counts from when the event was accepted: a backfill of old events is kept too.
      [EVENT_KEYS.ttlAttribute]: Math.floor(event.receivedAt / 1000) + this.retentionDays * 86_400,
    };
  }
}
