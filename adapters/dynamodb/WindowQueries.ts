import type { WindowReader, WindowResult } from '../../core/ports/WindowReader';
import type { WindowKey } from '../../core/ports/WindowStore';
import { withRetries, type WithRetriesOptions } from '../aws/withRetries';
import { AGGREGATE_KEYS, aggregatePartitionKey, windowItemKey } from './aggregateKeys';
import type { DocumentReads } from './DocumentReads';
import { toWindowResult } from './windowItems';

/** The pipeline watermark's item key: read with the windows (one BatchGetItem) or alone (GetItem). */
const PIPELINE_WATERMARK_KEY = { [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort };

/**
 * The query API's reads of the aggregates table, through DAX or DynamoDB.
 * Recent windows and the watermark are key lookups (BatchGetItem, GetItem),
 * which DAX's item cache serves; only ranges too long for one BatchGetItem and
 * sessions are Queries (the query cache, never invalidated, only expires).
 * Each request follows the retry policy through its client (see
 * openDocumentReads); keys a BatchGetItem leaves unprocessed are asked for
 * again under the same policy (`withRetries`).
 */
export class WindowQueries implements WindowReader {
  /**
   * @param retry how `withRetries` waits between BatchGetItem rounds; tests pin
   *   its clock and sleep, production keeps the policy's defaults
   */
  public constructor(
    private readonly reads: DocumentReads,
    private readonly tableName: string,
    private readonly retry: Pick<WithRetriesOptions<number>, 'clock' | 'sleep' | 'stats'> = {},
  ) {}

  /** The windows at exactly these keys plus the pipeline watermark, in one BatchGetItem when they fit. */
  public async getWindowsWithWatermark(keys: readonly WindowKey[]): Promise<{ windows: (WindowResult | undefined)[]; watermarkMs: Record<string, number> }> {
    let requested: Record<string, unknown>[] = [PIPELINE_WATERMARK_KEY, ...keys.map(windowItemKey)];
    const found = new Map<string, Record<string, unknown>>();
    await withRetries(
      async () => {
        const result = await this.reads.batchGet({ RequestItems: { [this.tableName]: { Keys: requested } } });
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(itemId(item[AGGREGATE_KEYS.partitionKey], item[AGGREGATE_KEYS.sortKey]), item);
        requested = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        return requested.length;
      },
      { ...this.retry, what: `BatchGetItem ${this.tableName}`, leftOver: (left) => left },
    );
    const watermarkItem = found.get(itemId(AGGREGATE_KEYS.watermarkPartition, AGGREGATE_KEYS.pipelineWatermarkSort));
    return {
      windows: keys.map((key) => {
        const item = found.get(itemId(aggregatePartitionKey(key.metric, key.group), key.startMs));
        return item ? toWindowResult(item) : undefined;
      }),
      watermarkMs: (watermarkItem?.watermarks as Record<string, number> | undefined) ?? {},
    };
  }

  public async queryWindows(metric: string, group: string, fromMs: number, toMs: number): Promise<WindowResult[]> {
    const windows: WindowResult[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.reads.query({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :last',
        ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey, '#sk': AGGREGATE_KEYS.sortKey },
        // BETWEEN is inclusive; the range is half-open [from, to).
        ExpressionAttributeValues: { ':pk': aggregatePartitionKey(metric, group), ':from': fromMs, ':last': toMs - 1 },
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) windows.push(toWindowResult(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return windows;
  }

  /** The pipeline watermark per metric (one GetItem). */
  public async readPipelineWatermark(): Promise<Record<string, number>> {
    const { Item } = await this.reads.get({ TableName: this.tableName, Key: PIPELINE_WATERMARK_KEY });
    return (Item?.watermarks as Record<string, number> | undefined) ?? {};
  }
}

function itemId(partitionKey: unknown, sortKey: unknown): string {
  return `${partitionKey}\u0000${sortKey}`;
}
