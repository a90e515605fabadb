import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FinalWindow } from '../../core/alerts/FinalWindow';
import type { GroupWindows } from '../../core/ports/GroupWindows';
import { AGGREGATE_KEYS, aggregatePartitionKey } from './aggregateKeys';
import { toWindowResult } from './windowItems';

/** A group's windows from the aggregates table, as alerts read them (merged over their partials), strongly consistent. */
export class DynamoGroupWindows implements GroupWindows {
  public constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBDocumentClient,
  ) {}

  public async windowsBetween(metric: string, group: string, afterMs: number, beforeMs: number): Promise<FinalWindow[]> {
    if (beforeMs - afterMs <= 1) return [];
    const windows: FinalWindow[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
          // Whole items: a window not final yet has its value only as per-shard partials (`p<n>`, decision 0013),
          // which no projection can name in advance; the decoder merges them.
          ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey, '#sk': AGGREGATE_KEYS.sortKey },
          // BETWEEN is inclusive; the range is open at both ends.
          ExpressionAttributeValues: { ':pk': aggregatePartitionKey(metric, group), ':first': afterMs + 1, ':last': beforeMs - 1 },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const window = toWindowResult(item);
        windows.push({ metric: window.metric, group: window.group, startMs: window.startMs, endMs: window.endMs, eventCount: window.eventCount, values: window.values, ...(window.finalAtMs === undefined ? {} : { finalAtMs: window.finalAtMs }) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return windows;
  }
}
