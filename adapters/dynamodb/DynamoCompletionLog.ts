import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CompletionLog } from '../../core/ports/CompletionLog';
import type { SequenceRange } from '../../core/delivery/sequenceNumbers';
import { DELIVERY_KEYS, sequenceSortKey } from './deliveryKeys';
import { createDocumentClient } from './createDocumentClient';

/** The completion log in the delivery table: one small item per completed batch. */
export class DynamoCompletionLog implements CompletionLog {
  private readonly client: DynamoDBDocumentClient;

  /** @param retentionHours the stream's retention: a redrive can ask about a range only as long as the stream keeps it. */
  public constructor(
    private readonly tableName: string,
    private readonly retentionHours: number,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? createDocumentClient();
  }

  public async recordCompleted(range: SequenceRange, nowMs: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [DELIVERY_KEYS.partitionKey]: `done#${range.shardId}`,
          [DELIVERY_KEYS.sortKey]: sequenceSortKey(range.first),
          last: range.last,
          // Kept as long as the stream keeps the records: after that no redrive can ask.
          [DELIVERY_KEYS.ttlAttribute]: Math.floor(nowMs / 1000) + this.retentionHours * 3600 + 86_400,
        },
      }),
    );
  }

  public async isCompleted(range: SequenceRange): Promise<boolean> {
    // Completed ranges of one shard never cross each other: a covering one starts at or before
    // `first`, and the nearest such starts are the bisected halves and their parents.
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :first',
        ExpressionAttributeNames: { '#pk': DELIVERY_KEYS.partitionKey, '#sk': DELIVERY_KEYS.sortKey },
        ExpressionAttributeValues: { ':pk': `done#${range.shardId}`, ':first': sequenceSortKey(range.first) },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 50,
      }),
    );
    return (Items ?? []).some((item) => BigInt(item.last as string) >= BigInt(range.last));
  }
}
