import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EVENT_KEYS } from '../../adapters/dynamodb/eventKeys';

/** The raw events table as infra/constructs/EventsTable.ts declares it (pinned by the infra test), for DynamoDB Local. */
export async function createEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: EVENT_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: EVENT_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: EVENT_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: EVENT_KEYS.sortKey, AttributeType: 'S' },
        { AttributeName: EVENT_KEYS.typePartitionKey, AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: EVENT_KEYS.typeIndex,
          KeySchema: [
            { AttributeName: EVENT_KEYS.typePartitionKey, KeyType: 'HASH' },
            { AttributeName: EVENT_KEYS.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}
