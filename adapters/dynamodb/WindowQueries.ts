import type { BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { WindowReader, WindowResult } from '../../core/ports/WindowReader';
import type { WindowKey } from '../../core/ports/WindowStore';
import { AGGREGATE_KEYS, aggregatePartitionKey, windowItemKey } from './aggregateKeys';
import type { DocumentReads } from './DocumentReads';
import { toWindowResult } from './windowItems';

/**
 * The query API's reads of the aggregates table, through DAX or DynamoDB.
 * Recent windows and the watermark are key lookups (BatchGetItem, GetItem),
 * which DAX's item cache serves; only ranges too long for one BatchGetItem and
 * sessions are Queries (the query cache, never invalidated, only expires).
 */
export class WindowQueries implements WindowReader {
  public constructor(
    private readonly reads: DocumentReads,
    private readonly tableName: string,
  ) {}

  /** The windows at exactly these keys plus the pipeline watermark, in one BatchGetItem when they fit. */
  public async getWindowsWithWatermark(keys: readonly WindowKey[]): Promise<{ windows: (WindowResult | undefined)[]; watermarkMs: Record<string, number> }> {
    const watermarkKey = { [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort };
    let requested: Record<string, unknown>[] | undefined = [watermarkKey, ...keys.map(windowItemKey)];
    const found = new Map<string, Record<string, unknown>>();
    for (let attempt = 0; requested && requested.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await this.reads.batchGet({ RequestItems: { [this.tableName]: { Keys: requested } } });
      for (const item of result.Responses?.[this.tableName] ?? []) found.set(`${item[AGGREGATE_KEYS.partitionKey]}\u0000${item[AGGREGATE_KEYS.sortKey]}`, item);
      requested = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    const watermarkItem = found.get(`${AGGREGATE_KEYS.watermarkPartition}\u0000${AGGREGATE_KEYS.pipelineWatermarkSort}`);
    return {
      windows: keys.map((key) => {
        const item = found.get(`${aggregatePartitionKey(key.metric, key.group)}\u0000${key.startMs}`);
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
    const { Item } = await this.reads.get({
      TableName: this.tableName,
      Key: { [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort },
    });
    return (Item?.watermarks as Record<string, number> | undefined) ?? {};
  }
}
