import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { SynthesizedStack } from '../../../local/assembly/CloudAssembly';
import { provisionStack } from '../../../local/assembly/provisionStack';
import { TableMismatchError } from '../../../local/assembly/TableMismatchError';
import { createLocalClients } from '../../../local/aws/localClients';

const endpoints = { kinesis: 'http://127.0.0.1:1', dynamodb: 'http://127.0.0.1:2', sqs: 'http://127.0.0.1:3' };
const dynamodb = mockClient(DynamoDBClient);

/** A stack of one table keyed by (pk S, sk S) with a stream, as the template declares it. */
const stack: SynthesizedStack = {
  stackName: 'Tributary',
  assetDirs: new Map(),
  template: {
    Resources: {
      Aggregates: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        },
      },
    },
  },
};

const kept = (keys: { name: string; type: 'HASH' | 'RANGE'; attributeType: 'S' | 'N' }[], streamEnabled: boolean) => ({
  Table: {
    TableName: 'Aggregates',
    TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Aggregates',
    KeySchema: keys.map((key) => ({ AttributeName: key.name, KeyType: key.type })),
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.attributeType })),
    StreamSpecification: { StreamEnabled: streamEnabled, ...(streamEnabled ? { StreamViewType: 'NEW_AND_OLD_IMAGES' as const } : {}) },
    ...(streamEnabled ? { LatestStreamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Aggregates/stream/2026-12-02T00:00:00.000' } : {}),
  },
});

describe('Function: provisionStack, against emulators that kept the last run', () => {
  afterEach(() => {
    dynamodb.reset();
  });

  it('reuses a kept table that matches the template', async () => {
    // Prepare
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists: Aggregates', $metadata: {} }));
    dynamodb.on(DescribeTableCommand).resolves(
      kept(
        [
          { name: 'pk', type: 'HASH', attributeType: 'S' },
          { name: 'sk', type: 'RANGE', attributeType: 'S' },
        ],
        true,
      ),
    );

    // Act
    const plan = await provisionStack(stack, endpoints, createLocalClients(endpoints));

    // Assess
    expect(plan.resources).toEqual({ Aggregates: { type: 'AWS::DynamoDB::Table', physicalId: 'Aggregates' } });
  });

  it('refuses a kept table whose keys and stream differ, naming both and --fresh', async () => {
    // Prepare: an older layout, keyed by a number and without a stream.
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists: Aggregates', $metadata: {} }));
    dynamodb.on(DescribeTableCommand).resolves(kept([{ name: 'id', type: 'HASH', attributeType: 'N' }], false));

    // Act
    const provisioning = provisionStack(stack, endpoints, createLocalClients(endpoints));

    // Assess
    await expect(provisioning).rejects.toThrow(TableMismatchError);
    await expect(provisioning).rejects.toThrow(
      "Table Aggregates, kept from an earlier run, does not match the template: its key schema is (id HASH N) but the template's is (pk HASH S, sk RANGE S); " +
        "it has no stream but the template's has one. Start with empty offline data to recreate it: npm start -- --fresh (this deletes the kept streams and tables).",
    );
  });
});
