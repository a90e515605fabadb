import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DELIVERY_KEYS } from '../../adapters/dynamodb/deliveryKeys';

/**
 * The delivery table (infra/constructs/DeliveryTable.ts) and Powertools
 * idempotency's table (infra/constructs/IdempotencyTable.ts) as the infra
 * test pins them, for tests and benchmarks on DynamoDB Local.
 */
export async function createDeliveryTables(client: DynamoDBClient, names: { delivery: string; idempotency: string }): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: names.delivery,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: DELIVERY_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: DELIVERY_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: DELIVERY_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: DELIVERY_KEYS.sortKey, AttributeType: 'S' },
      ],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }),
  );
}
