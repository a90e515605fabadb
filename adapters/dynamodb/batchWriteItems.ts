import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withRetries } from '../aws/withRetries';

/** BatchWriteItem takes at most 25 items. */
export const BATCH_WRITE_LIMIT = 25;

/**
 * Puts up to 25 items in one BatchWriteItem, sending again what DynamoDB left
 * unprocessed under the retry policy; throws when the policy gives up.
 */
export async function batchWriteItems(client: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  await withRetries(
    async () => {
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      return pending.length;
    },
    { what: `BatchWriteItem ${tableName}`, leftOver: (left) => left },
  );
}
