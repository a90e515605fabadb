import { CreateTableCommand, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDbMapping } from '../../../local/assembly/LocalPlan';
import { createLocalClients, type LocalClients } from '../../../local/aws/localClients';
import { Emulators } from '../../../local/emulators/Emulators';
import { CheckpointStore } from '../../../local/esm/CheckpointStore';
import { DynamoDbStreamsEventSourceMapping } from '../../../local/esm/DynamoDbStreamsEventSourceMapping';
import type { InvokeResult } from '../../../local/esm/InvokeResult';
import { waitUntil } from '../../support/waitUntil';

/**
 * The local DynamoDB Streams event source mapping against DynamoDB Local's
 * stream: the event shape Lambda delivers, order, partial batch responses and
 * the on-failure record (DDBStreamBatchInfo). The batch contract itself is the
 * one the Kinesis conformance tests pin (same deliverBatch).
 */
let emulators: Emulators;
let clients: LocalClients;
let checkpoints: CheckpointStore;
let dlqUrl: string;
const running: DynamoDbStreamsEventSourceMapping[] = [];
let tableCounter = 0;

class ScriptedFunction {
  public readonly events: DynamoDBStreamEvent[] = [];
  public constructor(private readonly respond: (event: DynamoDBStreamEvent, index: number) => InvokeResult = () => ({ ok: true, payload: null, durationMs: 1 })) {}
  public readonly invoke = async (event: unknown): Promise<InvokeResult> => {
    this.events.push(event as DynamoDBStreamEvent);
    return this.respond(event as DynamoDBStreamEvent, this.events.length - 1);
  };
  public get records() {
    return this.events.flatMap((event) => event.Records);
  }
}

async function createTable(): Promise<{ tableName: string; streamArn: string }> {
  const tableName = `streamed-${++tableCounter}`;
  const created = await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return { tableName, streamArn: created.TableDescription!.LatestStreamArn! };
}

async function start(table: { tableName: string; streamArn: string }, fn: ScriptedFunction, overrides: Partial<LocalDynamoDbMapping> = {}) {
  const esm = new DynamoDbStreamsEventSourceMapping(
    {
      logicalId: `esm-${table.tableName}`,
      functionLogicalId: 'fn',
      tableName: table.tableName,
      streamArn: table.streamArn,
      batchSize: 100,
      maxBatchingWindowSeconds: 0,
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: 1,
      maximumRecordAgeSeconds: -1,
      reportBatchItemFailures: true,
      enabled: true,
      onFailureQueueUrl: dlqUrl,
      ...overrides,
    },
    { streams: clients.streams, sqs: clients.sqs, checkpoints, invoke: fn.invoke, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn', log: () => undefined },
    { idlePollIntervalMs: 50, minReadIntervalMs: 20, retryBaseDelayMs: 1, retryMaxDelayMs: 5 },
  );
  await esm.start();
  running.push(esm);
  return esm;
}

describe('Local DynamoDB Streams event source mapping (against DynamoDB Local)', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-ddb-streams-')));
    clients = createLocalClients(emulators.endpoints);
    checkpoints = new CheckpointStore(clients.dynamodb, clients.documents);
    await checkpoints.ensureTable();
    dlqUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'ddb-streams-dlq' }))).QueueUrl!;
  });
  afterAll(async () => {
    await Promise.all(running.map((esm) => esm.stop()));
    await emulators?.stop();
  });

  it('delivers inserts, updates and deletes in order, in the shape Lambda gives a DynamoDB Streams consumer', async () => {
    // Prepare
    const table = await createTable();
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: table.tableName, Item: { id: { S: 'w1' }, count: { N: '1' }, state: { B: new Uint8Array([1, 2, 3]) }, marks: { M: { frozen: { M: {} } } } } }),
    );
    await clients.dynamodb.send(
      new UpdateItemCommand({ TableName: table.tableName, Key: { id: { S: 'w1' } }, UpdateExpression: 'SET #c = :two', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':two': { N: '2' } } }),
    );
    await clients.dynamodb.send(new DeleteItemCommand({ TableName: table.tableName, Key: { id: { S: 'w1' } } }));
    const fn = new ScriptedFunction();

    // Act
    await start(table, fn);
    await waitUntil('three stream records', () => fn.records.length === 3);

    // Assess
    expect(fn.records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(fn.records[1]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      eventSourceARN: table.streamArn,
      dynamodb: {
        Keys: { id: { S: 'w1' } },
        // Binary as base64 and empty maps as {"M":{}}, as Lambda's JSON has them (the SDK parses them otherwise).
        OldImage: { id: { S: 'w1' }, count: { N: '1' }, state: { B: 'AQID' }, marks: { M: { frozen: { M: {} } } } },
        NewImage: { id: { S: 'w1' }, count: { N: '2' }, state: { B: 'AQID' }, marks: { M: { frozen: { M: {} } } } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.stringMatching(/^\d+$/),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    const sequence = fn.records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
  });

  it('delivers records written after it started polling an empty stream', async () => {
    const table = await createTable();
    const fn = new ScriptedFunction();
    await start(table, fn);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await clients.dynamodb.send(new PutItemCommand({ TableName: table.tableName, Item: { id: { S: 'late' } } }));

    await waitUntil('the record written after the poller started', () => fn.records.length === 1);
    expect(fn.records[0]!.dynamodb!.Keys).toEqual({ id: { S: 'late' } });
  });

  it('retries from the lowest failed sequence number, then sends what exhausts its retries to the on-failure queue as DDBStreamBatchInfo', async () => {
    // Prepare: the function keeps failing the second record.
    const table = await createTable();
    for (const id of ['a', 'b', 'c']) await clients.dynamodb.send(new PutItemCommand({ TableName: table.tableName, Item: { id: { S: id } } }));
    const fn = new ScriptedFunction((event) => {
      const failing = event.Records.find((r) => r.dynamodb?.Keys?.id?.S === 'b');
      return { ok: true, payload: { batchItemFailures: failing ? [{ itemIdentifier: failing.dynamodb!.SequenceNumber }] : [] }, durationMs: 1 };
    });

    // Act
    await start(table, fn, { maximumRetryAttempts: 1 });
    const message = await waitUntil('the on-failure record', async () => {
      const response = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
      return response.Messages?.[0] ? JSON.parse(response.Messages[0].Body!) : undefined;
    });

    // Assess: [a b c] fails at b → retried from b as [b c] (the one retry) → b fails again:
    // the rest of the batch, [b c], goes to the on-failure queue (as on AWS), a stays done.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fn.events.map((event) => event.Records.map((r) => r.dynamodb!.Keys!.id!.S))).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    const [, b, c] = fn.events[0]!.Records.map((r) => r.dynamodb!.SequenceNumber!);
    expect(message).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn', approximateInvokeCount: 2 },
      DDBStreamBatchInfo: { shardId: expect.stringMatching(/^shardId-/), startSequenceNumber: b, endSequenceNumber: c, batchSize: 2, streamArn: table.streamArn },
    });
    expect(message.KinesisBatchInfo).toBeUndefined();
  });
});
