import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import type { AuditedWindow, AuditSource, Read } from '../../core/ports/AuditSource';
import { AGGREGATE_KEYS } from './aggregateKeys';
import { EVENT_KEYS, typeBucketStart } from './eventKeys';
import { eventsInRange, typeBucketQueries } from './readTypeRange';

/** The tables the audit reads. */
export interface DynamoAuditSourceOptions {
  readonly aggregatesTable: string;
  readonly eventsTable: string;
  readonly client: DynamoDBDocumentClient;
}

/**
 * The correctness audit's reads, all Queries on indexes, each with
 * `ReturnConsumedCapacity: TOTAL` so a run can state what it cost:
 *
 * - final windows: the aggregates table's sparse `recent-final` index, one
 *   Query per bucket (8 per metric), `finalAt` in the range, newest first.
 *   It projects the counts only, never the sketches.
 * - raw events: the events table's type pages and its `by-type` index (rows
 *   archived before pages), one Query each (and its pages) per (type, hour
 *   bucket, suffix 0–3), on the sort-key range that can hold the window's
 *   events — the same layout the archive writes (readTypeRange.ts).
 *
 * Index reads are eventually consistent; the settle time before a window is
 * audited covers the index's propagation as well as the archive's lag.
 */
export class DynamoAuditSource implements AuditSource {
  public constructor(private readonly options: DynamoAuditSourceOptions) {}

  public async finalWindows(metric: string, finalFromMs: number, finalToMs: number, limitPerPartition: number): Promise<Read<AuditedWindow[]>> {
    const windows: AuditedWindow[] = [];
    let readUnits = 0;
    const partitions = Array.from({ length: AGGREGATE_KEYS.pendingBuckets }, (_, bucket) => `${metric}#${bucket}`);
    const pages = await Promise.all(
      partitions.map((partition) =>
        this.queryAll(
          {
            TableName: this.options.aggregatesTable,
            IndexName: AGGREGATE_KEYS.finalIndex,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :last',
            ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.finalPartitionKey, '#sk': AGGREGATE_KEYS.finalSortKey },
            // BETWEEN is inclusive; the range is half-open.
            ExpressionAttributeValues: { ':pk': partition, ':from': finalFromMs, ':last': finalToMs - 1 },
            ScanIndexForward: false,
          },
          limitPerPartition,
        ),
      ),
    );
    for (const page of pages) {
      readUnits += page.readUnits;
      for (const item of page.items) {
        windows.push({
          metric: item.metric as string,
          group: item.group as string,
          startMs: item[AGGREGATE_KEYS.sortKey] as number,
          endMs: item.windowEnd as number,
          eventCount: (item.eventCount as number | undefined) ?? 0,
          lateEventCount: (item.lateEvents as number | undefined) ?? 0,
          finalAtMs: item[AGGREGATE_KEYS.finalSortKey] as number,
        });
      }
    }
    return { items: windows, readUnits };
  }

  public async rawEvents(types: readonly string[], fromMs: number, toMs: number): Promise<Read<EventEnvelope[]>> {
    const queries: Promise<Read<Record<string, unknown>[]>>[] = [];
    for (const type of types) {
      for (let bucket = typeBucketStart(fromMs); bucket <= typeBucketStart(toMs - 1); bucket += EVENT_KEYS.typeBucketMs) {
        for (const input of typeBucketQueries(this.options.eventsTable, type, bucket, fromMs, toMs)) queries.push(this.queryAll(input));
      }
    }
    const pages = await Promise.all(queries);
    // Stored as the record's JSON text (older rows as maps), parsed as the aggregator parses the record; each event once.
    const stored = eventsInRange(
      pages.flatMap((page) => page.items),
      fromMs,
      toMs,
    );
    return { items: stored.map((event) => JSON.parse(event.json) as EventEnvelope), readUnits: pages.reduce((sum, page) => sum + page.readUnits, 0) };
  }

  /** Every page of a Query (or the first `limit` items), with the capacity the pages consumed. */
  private async queryAll(input: QueryCommandInput, limit = Number.POSITIVE_INFINITY): Promise<Read<Record<string, unknown>[]>> {
    const items: Record<string, unknown>[] = [];
    let readUnits = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = limit - items.length;
      const page = await this.options.client.send(
        new QueryCommand({
          ...input,
          ReturnConsumedCapacity: 'TOTAL',
          ...(Number.isFinite(remaining) ? { Limit: remaining } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return { items, readUnits };
  }
}
