import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AGGREGATE_KEYS, FINAL_INDEX_ATTRIBUTES } from '../../adapters/dynamodb/aggregateKeys';

/**
 * The aggregates table as infra/constructs/AggregatesTable.ts declares it (the
 * infra test pins that template), for tests and benchmarks that talk to
 * DynamoDB Local without synthesizing the stack.
 */
export async function createAggregatesTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: AGGREGATE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: AGGREGATE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: AGGREGATE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: AGGREGATE_KEYS.sortKey, AttributeType: 'N' },
        { AttributeName: AGGREGATE_KEYS.pendingPartitionKey, AttributeType: 'S' },
        { AttributeName: AGGREGATE_KEYS.pendingSortKey, AttributeType: 'N' },
        { AttributeName: AGGREGATE_KEYS.finalPartitionKey, AttributeType: 'S' },
        { AttributeName: AGGREGATE_KEYS.finalSortKey, AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: AGGREGATE_KEYS.pendingIndex,
          KeySchema: [
            { AttributeName: AGGREGATE_KEYS.pendingPartitionKey, KeyType: 'HASH' },
            { AttributeName: AGGREGATE_KEYS.pendingSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: AGGREGATE_KEYS.finalIndex,
          KeySchema: [
            { AttributeName: AGGREGATE_KEYS.finalPartitionKey, KeyType: 'HASH' },
            { AttributeName: AGGREGATE_KEYS.finalSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...FINAL_INDEX_ATTRIBUTES] },
        },
      ],
    }),
  );
}
