import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStateStore } from '../../../adapters/dynamodb/DynamoAlertStateStore';
import { DynamoGroupWindows } from '../../../adapters/dynamodb/DynamoGroupWindows';
import { aggregatePartitionKey } from '../../../adapters/dynamodb/aggregateKeys';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import type { MetricAlert } from '../../../core/alerts/MetricAlert';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';

/** The alert state and the group-window reads against DynamoDB Local: conditional writes and the open key range. */
let emulators: Emulators;
let store: DynamoAlertStateStore;
let windows: DynamoGroupWindows;
let documents: ReturnType<typeof createDocumentClient>;
const T = Date.UTC(2026, 10, 22, 12, 0);
const raised = { type: 'metric-alert', state: 'raised', transitionId: 'm#a#g#1' } as unknown as MetricAlert;

describe('Conformance: DynamoAlertStateStore and DynamoGroupWindows on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-alert-states-')));
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await client.send(new CreateTableCommand({ TableName: 'states', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
    await createAggregatesTable(client, 'aggregates');
    documents = createDocumentClient(client);
    store = new DynamoAlertStateStore('states', documents);
    windows = new DynamoGroupWindows('aggregates', documents);
  }, 120_000);
  afterAll(async () => {
    await emulators?.stop();
  });

  it('creates a state once, moves it only from the version read, and clears pending transitions the same way', async () => {
    // Act
    const state = { status: 'raised' as const, lastWindowStartMs: T, streak: 2, transitions: 1 };
    const created = await store.write('m#a#g', state, [raised], 0, T + 86_400_000);
    const createdAgain = await store.write('m#a#g', state, [], 0, T + 86_400_000);
    const staleWrite = await store.write('m#a#g', { ...state, streak: 3 }, [], 5, T);
    const read = await store.read('m#a#g');
    const cleared = await store.clearPending('m#a#g', 1);
    const clearedTwice = await store.clearPending('m#a#g', 1);

    // Assess
    expect([created, createdAgain, staleWrite, cleared, clearedTwice]).toEqual([true, false, false, true, false]);
    expect(read).toEqual({ state, pending: [raised], version: 1 });
    expect(await store.read('m#a#g')).toEqual({ state, pending: [], version: 2 });
    expect(await store.read('other')).toBeUndefined();
  });

  it("reads one group's windows strictly between two starts, oldest first, without their states, an open one merged over its partials", async () => {
    // Prepare: windows at minutes 0–4 of one group, one of another group.
    for (const minute of [0, 1, 2, 3, 4]) {
      await documents.send(
        new PutCommand({
          TableName: 'aggregates',
          Item: { pk: aggregatePartitionKey('m', 'g'), windowStart: T + minute * 60_000, metric: 'm', group: 'g', windowEnd: T + (minute + 5) * 60_000, eventCount: minute, values: { errorRate: minute / 10 }, state: { errorRate: new Uint8Array([1, 2]) }, ...(minute < 2 ? { finalAt: T + 1 } : {}) },
        }),
      );
    }
    // Minute 3 is open and written by two shards: its value is only in their partials (decision 0013).
    await documents.send(
      new PutCommand({
        TableName: 'aggregates',
        Item: {
          pk: aggregatePartitionKey('m', 'g'),
          windowStart: T + 180_000,
          metric: 'm',
          group: 'g',
          windowEnd: T + 480_000,
          aggregations: [{ name: 'errorRate', kind: 'ratio' }],
          p0: { shard: 'shardId-000000000000', eventCount: 2, state: { errorRate: { n: 1, d: 2 } }, version: 1 },
          p1: { shard: 'shardId-000000000001', eventCount: 1, state: { errorRate: { n: 0, d: 1 } }, version: 1 },
        },
      }),
    );
    await documents.send(new PutCommand({ TableName: 'aggregates', Item: { pk: aggregatePartitionKey('m', 'h'), windowStart: T + 60_000, metric: 'm', group: 'h', windowEnd: T + 360_000, eventCount: 9, values: {} } }));

    // Act
    const between = await windows.windowsBetween('m', 'g', T, T + 4 * 60_000);

    // Assess
    expect(between).toEqual([
      { metric: 'm', group: 'g', startMs: T + 60_000, endMs: T + 360_000, eventCount: 1, values: { errorRate: 0.1 }, finalAtMs: T + 1 },
      { metric: 'm', group: 'g', startMs: T + 120_000, endMs: T + 420_000, eventCount: 2, values: { errorRate: 0.2 } },
      { metric: 'm', group: 'g', startMs: T + 180_000, endMs: T + 480_000, eventCount: 3, values: { errorRate: 1 / 3 } },
    ]);
    expect(await windows.windowsBetween('m', 'g', T, T + 1)).toEqual([]);
  });
});
