import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EVENT_KEYS, sortKeyFloor, timeOfSortKey, typePartition } from './eventKeys';
import { firstTimeOf, type StoredEvent, storedEventsOf } from './typePages';

/** Items one Query of a by-type source asks for: pages hold many events, so a few go a long way. */
export const TYPE_ITEMS_PER_QUERY = 25;

/** What one by-type read of one hour bucket wants. */
export interface TypeBucketRead {
  readonly tableName: string;
  readonly type: string;
  readonly bucketStartMs: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** Only events whose sort key is above this one (a cursor's last). */
  readonly afterSortKey?: string;
  readonly limit: number;
  /** @default TYPE_ITEMS_PER_QUERY */
  readonly itemsPerQuery?: number;
}

/**
 * The Queries that hold one type's events in one hour bucket, each on the sort
 * key range that can hold an event at or after `fromMs` and before `toMs`: the
 * 4 suffix partitions of pages in the table, and of rows in the by-type index
 * (archived before pages; a table that never had them answers empty).
 */
export function typeBucketQueries(tableName: string, type: string, bucketStartMs: number, fromMs: number, toMs: number): QueryCommandInput[] {
  // A page's sort key is its first event's time, and its events lie within
  // pageSpanMs of it: one holding an event at fromMs starts at most that much before.
  const lower = sortKeyFloor(Math.max(bucketStartMs, fromMs - EVENT_KEYS.pageSpanMs + 1));
  const upper = sortKeyFloor(toMs);
  const queries: QueryCommandInput[] = [];
  for (let suffix = 0; suffix < EVENT_KEYS.typeSuffixes; suffix++) {
    const partition = typePartition(type, bucketStartMs, suffix);
    queries.push({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': EVENT_KEYS.partitionKey, '#sk': EVENT_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':from': lower, ':to': upper },
    });
    queries.push({
      TableName: tableName,
      IndexName: EVENT_KEYS.typeIndex,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': EVENT_KEYS.typePartitionKey, '#sk': EVENT_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':from': lower, ':to': upper },
    });
  }
  return queries;
}

/** The events of stored items in [fromMs, toMs) and after `afterSortKey`, each (sort key, key) once — a redelivered record's page repeats events — in time order. */
export function eventsInRange(items: readonly Record<string, unknown>[], fromMs: number, toMs: number, afterSortKey?: string): StoredEvent[] {
  const events = new EventSet(fromMs, toMs, afterSortKey);
  for (const item of items) events.add(item);
  return events.before(Number.POSITIVE_INFINITY);
}

/**
 * Up to `limit` of one type's events in one hour bucket, in time order: a
 * merge of the bucket's sources, each read in sort-key order. Pages of
 * different records overlap in time, so an event is only handed out once no
 * unread item can hold an earlier one: every source still to read has reached
 * a later first time (its next item starts at or after its last one).
 * @returns the events, and whether the bucket may hold more after the last
 */
export async function readTypeBucket(client: DynamoDBDocumentClient, read: TypeBucketRead): Promise<{ events: StoredEvent[]; more: boolean }> {
  const lowerMs = read.afterSortKey === undefined ? read.fromMs : timeOfSortKey(read.afterSortKey);
  const sources = typeBucketQueries(read.tableName, read.type, read.bucketStartMs, lowerMs, read.toMs).map((input) => ({
    input,
    startKey: undefined as Record<string, unknown> | undefined,
    done: false,
    lastFirstTimeMs: Number.NEGATIVE_INFINITY,
  }));
  const events = new EventSet(read.fromMs, read.toMs, read.afterSortKey);
  const readNext = async (source: (typeof sources)[number]) => {
    const page = await client.send(new QueryCommand({ ...source.input, Limit: read.itemsPerQuery ?? TYPE_ITEMS_PER_QUERY, ...(source.startKey ? { ExclusiveStartKey: source.startKey } : {}) }));
    const got = page.Items ?? [];
    for (const item of got) events.add(item);
    if (got.length > 0) source.lastFirstTimeMs = firstTimeOf(got[got.length - 1]!);
    source.startKey = page.LastEvaluatedKey;
    source.done = page.LastEvaluatedKey === undefined;
  };
  await Promise.all(sources.map(readNext));
  for (;;) {
    const open = sources.filter((source) => !source.done);
    // Events before the frontier are final: no unread item starts before it.
    const frontierMs = open.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...open.map((source) => source.lastFirstTimeMs));
    if (open.length === 0 || events.countBefore(frontierMs) >= read.limit) {
      const ready = events.before(frontierMs);
      return { events: ready.slice(0, read.limit), more: ready.length > read.limit || open.length > 0 };
    }
    await Promise.all(open.filter((source) => source.lastFirstTimeMs === frontierMs).map(readNext));
  }
}

/** Events read so far, each parsed once and kept once, filtered to a range. */
class EventSet {
  private readonly events = new Map<string, StoredEvent>();

  public constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
    private readonly afterSortKey: string | undefined,
  ) {}

  public add(item: Record<string, unknown>): void {
    for (const event of storedEventsOf(item)) {
      if (event.timeMs < this.fromMs || event.timeMs >= this.toMs || (this.afterSortKey !== undefined && event.sortKey <= this.afterSortKey)) continue;
      this.events.set(`${event.sortKey}\u0000${event.key}`, event);
    }
  }

  public countBefore(timeMs: number): number {
    let count = 0;
    for (const event of this.events.values()) if (event.timeMs < timeMs) count++;
    return count;
  }

  /** The events before `timeMs`, in time order. */
  public before(timeMs: number): StoredEvent[] {
    return [...this.events.values()].filter((event) => event.timeMs < timeMs).sort(compareStored);
  }
}

function compareStored(a: StoredEvent, b: StoredEvent): number {
  if (a.sortKey !== b.sortKey) return a.sortKey < b.sortKey ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
