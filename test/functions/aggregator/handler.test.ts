import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { envelopeFactory, kinesisRecordFactory, ordersPerRegion } from '../../support/factories';
import { encodeAggregatedRecord } from '../../../adapters/kinesis/kpl/AggregatedRecordBuilder';

const documentMock = mockClient(DynamoDBDocumentClient);
// Powertools idempotency writes its batch records through the plain client.
const dynamoMock = mockClient(DynamoDBClient);
const kinesisMock = mockClient(KinesisClient);
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const context = { functionName: 'aggregator', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const minute = Date.UTC(2026, 0, 1, 12, 0);

/** The window writes of the last invocation (each one shard's partial): key, the partial's new version and content. */
const windowPuts = () =>
  documentMock
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.ExpressionAttributeNames?.['#slot'] !== undefined)
    .map((input) => {
      const slot = input.ExpressionAttributeValues![':slot'] as { version: number; eventCount: number; state: unknown };
      return { pk: input.Key!.pk, start: input.Key!.windowStart, version: slot.version, eventCount: slot.eventCount, state: slot.state };
    });

describe('Function: aggregator handler', () => {
  beforeAll(async () => {
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([ordersPerRegion]);
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.LATE_EVENTS_TABLE = 'late-events';
    process.env.STREAM_NAME = 'events';
    process.env.DELIVERY_TABLE = 'delivery';
    process.env.IDEMPOTENCY_TABLE = 'idempotency';
    // The stack always writes these (config/functionEnvironment.ts); here with the config defaults.
    process.env.AGGREGATE_RETENTION_DAYS = '90';
    process.env.LATE_EVENT_RETENTION_DAYS = '30';
    process.env.STREAM_RETENTION_HOURS = '24';
    process.env.DEDUPE_HORIZON_HOURS = '24';
    process.env.PROGRESS_CACHE_MS = '5000';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_REGION = 'eu-west-1';
    ({ handler } = await import('../../../functions/aggregator/handler'));
  });
  beforeEach(() => {
    documentMock.reset();
    dynamoMock.reset();
    kinesisMock.reset();
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(DeleteItemCommand).resolves({});
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: undefined, SequenceNumberRange: undefined }] });
    documentMock.on(QueryCommand).resolves({ Items: [] });
    documentMock.on(BatchGetCommand).resolves({ Responses: { aggregates: [] } });
    documentMock.on(GetCommand).resolves({});
    documentMock.on(PutCommand).resolves({});
    documentMock.on(UpdateCommand).resolves({});
    documentMock.on(BatchWriteCommand).resolves({});
  });

  it('writes one conditional update of its partial per (metric, group, window) touched, then the shard progress and the watermark', async () => {
    // Prepare
    const records = [
      kinesisRecordFactory('1', envelopeFactory({ id: 'evt-1', time: minute + 1_000, data: { region: 'eu', amount: 2 } })),
      kinesisRecordFactory('2', envelopeFactory({ id: 'evt-2', time: minute + 59_999, data: { region: 'eu', amount: 3.5 } })),
      kinesisRecordFactory('3', envelopeFactory({ id: 'evt-3', time: minute + 60_000, data: { region: 'eu', amount: 1 } })),
      kinesisRecordFactory('4', envelopeFactory({ id: 'evt-4', time: minute + 5, data: { region: 'us', amount: 'n/a' } })),
      kinesisRecordFactory('5', envelopeFactory({ id: 'evt-5', type: 'order.cancelled', time: minute })),
    ];

    // Act
    const response = await handler({ Records: records }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(windowPuts()).toEqual([
      { pk: 'orders-per-region#eu', start: minute, version: 1, eventCount: 2, state: { orders: 2, revenue: 5.5 } },
      { pk: 'orders-per-region#eu', start: minute + 60_000, version: 1, eventCount: 1, state: { orders: 1, revenue: 1 } },
      { pk: 'orders-per-region#us', start: minute, version: 1, eventCount: 1, state: { orders: 1, revenue: 0 } },
    ]);
    const watermarkPuts = documentMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item!).filter((item) => item.pk === '~watermark');
    expect(watermarkPuts).toEqual([
      // The intent: this batch's range, before any window is written.
      expect.objectContaining({ windowStart: 0, shardId: 'shardId-000000000000', delivery: { current: { first: '1', last: '5' }, abandoned: {} } }),
      expect.objectContaining({ windowStart: 0, shardId: 'shardId-000000000000', maxEventTime: { 'orders-per-region': minute + 60_000 }, delivery: expect.objectContaining({ completedThrough: '5' }) }),
      expect.objectContaining({ windowStart: -1, version: 1, watermarks: { 'orders-per-region': minute + 60_000 - 5_000 } }),
    ]);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('emits ConsumerLagMs for each counted event and BatchDurationMs once, as EMF in namespace Tributary', async () => {
    // Prepare: the clock stands at 12:00:40 (only Date is faked, so the batch takes 0 ms);
    // two counted events 13 s and 11 s old, and one of a type no metric takes.
    vi.useFakeTimers({ toFake: ['Date'], now: minute + 40_000 });
    const records = [
      kinesisRecordFactory('1', envelopeFactory({ id: 'lag-1', time: minute + 27_000, data: { region: 'eu', amount: 1 } })),
      kinesisRecordFactory('2', envelopeFactory({ id: 'lag-2', time: minute + 29_000, data: { region: 'us', amount: 1 } })),
      kinesisRecordFactory('3', envelopeFactory({ id: 'lag-3', type: 'order.cancelled', time: minute })),
    ];
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // Act
    try {
      await handler({ Records: records }, context);
    } finally {
      stdout.mockRestore();
      vi.useRealTimers();
    }

    // Assess: the pipeline-wide EMF object and one per metric definition; lag is an array (a distribution).
    const emf = written
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } });
    expect(emf).toHaveLength(2);
    const blob = emf.find((object) => object.Metric === undefined)!;
    const ofMetric = emf.find((object) => object.Metric === 'orders-per-region')!;
    expect(blob._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Tributary', Dimensions: [['service']] });
    expect(ofMetric._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Tributary', Dimensions: [['service', 'Metric']] });
    // The watermark after the batch: the latest event time − 5 s of maximum delay, 16 s behind the clock.
    expect(ofMetric).toMatchObject({ service: 'tributary-aggregator', ConsumerLagMs: [13_000, 11_000], WatermarkDelayMs: 16_000 });
    expect(blob._aws.CloudWatchMetrics[0]!.Metrics).toEqual(expect.arrayContaining([{ Name: 'ConsumerLagMs', Unit: 'Milliseconds' }, { Name: 'BatchDurationMs', Unit: 'Milliseconds' }]));
    expect(blob).toMatchObject({ service: 'tributary-aggregator', ConsumerLagMs: [13_000, 11_000], BatchDurationMs: 0, EventsCounted: 2, LateEvents: 0 });
  });

  it('re-reads and re-merges a window whose partial of this shard another consumer (a redelivery) changed since it was read', async () => {
    // Prepare: the first update loses the race; the re-read shows the shard's partial at the other writer's version 3.
    const conflict = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    documentMock.on(UpdateCommand, { Key: { pk: 'orders-per-region#eu' } }).rejectsOnce(conflict).resolves({});
    documentMock.on(GetCommand).resolvesOnce({}).resolves({
      Item: {
        pk: 'orders-per-region#eu',
        windowStart: minute,
        metric: 'orders-per-region',
        group: 'eu',
        windowEnd: minute + 60_000,
        version: 3,
        p0: { shard: 'shardId-000000000000', eventCount: 4, state: { orders: 4, revenue: 40 }, version: 3 },
      },
    });

    // Act
    await handler({ Records: [kinesisRecordFactory('1', envelopeFactory({ id: 'evt-1', time: minute, data: { region: 'eu', amount: 2 } }))] }, context);

    // Assess
    expect(windowPuts()).toEqual([
      { pk: 'orders-per-region#eu', start: minute, version: 1, eventCount: 1, state: { orders: 1, revenue: 2 } },
      { pk: 'orders-per-region#eu', start: minute, version: 4, eventCount: 5, state: { orders: 5, revenue: 42 } },
    ]);
  });

  it('skips events a window already holds from an earlier delivery of the same records', async () => {
    // Prepare: the window's marks say record 7 of this shard was applied (a retried batch).
    documentMock.on(GetCommand).resolves({
      Item: {
            pk: 'orders-per-region#eu',
            windowStart: minute,
            metric: 'orders-per-region',
            group: 'eu',
            windowEnd: minute + 60_000,
            version: 1,
            p0: { shard: 'shardId-000000000000', eventCount: 1, state: { orders: 1, revenue: 2 }, version: 1, src: { applied: { 'shardId-000000000000': '7' } } },
      },
    });
    const records = [
      kinesisRecordFactory('7', envelopeFactory({ id: 'evt-7', time: minute, data: { region: 'eu', amount: 2 } })),
      kinesisRecordFactory('8', envelopeFactory({ id: 'evt-8', time: minute + 1, data: { region: 'eu', amount: 3 } })),
    ];

    // Act
    await handler({ Records: records }, context);

    // Assess: only record 8 is added, and the marks move to it.
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu', start: minute, version: 2, eventCount: 2, state: { orders: 2, revenue: 5 } }]);
    const update = documentMock.commandCalls(UpdateCommand).find((call) => call.args[0].input.Key!.pk === 'orders-per-region#eu')!;
    expect((update.args[0].input.ExpressionAttributeValues![':slot'] as { src: unknown }).src).toEqual({ applied: { 'shardId-000000000000': '8' }, frozen: {}, redriven: {} });
  });

  it('records the batch once with Powertools idempotency: INPROGRESS until the invocation deadline, then COMPLETED', async () => {
    const records = [kinesisRecordFactory('30', envelopeFactory({ id: 'evt-30', time: minute }))];
    const before = Date.now();

    await handler({ Records: records }, context);

    const put = dynamoMock.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('idempotency');
    expect(put.Item!.id!.S).toMatch(/^tributary\.aggregator\.batch#/);
    expect(put.Item!.status!.S).toBe('INPROGRESS');
    // registerLambdaContext: the record blocks this range only until the invocation's deadline (10 s here).
    const inProgressUntil = Number(put.Item!.in_progress_expiration!.N);
    expect(inProgressUntil).toBeGreaterThanOrEqual(before + 10_000);
    expect(inProgressUntil).toBeLessThan(Date.now() + 10_001);
    const update = dynamoMock.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ id: put.Item!.id });
    expect(update.ExpressionAttributeValues![':status']).toEqual({ S: 'COMPLETED' });
  });

  it('leaves the windows alone when the batch record says this range completed before', async () => {
    const completed = {
      id: { S: 'tributary.aggregator.batch#x' },
      status: { S: 'COMPLETED' },
      expiration: { N: String(Math.floor(Date.now() / 1000) + 3_600) },
      data: { M: { applied: { BOOL: true } } },
    };
    dynamoMock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: completed }));
    const records = [kinesisRecordFactory('31', envelopeFactory({ id: 'evt-31', time: minute }))];

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    // Only the watermark reads: no window was read.
    const windowReads = documentMock.commandCalls(BatchGetCommand).flatMap((call) => call.args[0].input.RequestItems!.aggregates!.Keys!).filter((key) => key.pk !== '~watermark');
    expect(windowReads).toHaveLength(0);
    expect(windowPuts()).toEqual([]);
    // The shard's progress still moves on.
    const progress = documentMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item!).filter((item) => item.pk === '~watermark' && item.windowStart === 0);
    expect(progress.at(-1)).toEqual(expect.objectContaining({ delivery: expect.objectContaining({ completedThrough: '31' }) }));
  });

  it('drops a producer re-send of an event an earlier batch took, and records it in the ledger', async () => {
    const original = envelopeFactory({ id: 'order-77', time: minute + 5 });
    const fingerprint = createHash('sha256').update(original.key).update('\u0000').update(original.id).digest().subarray(0, 8);
    documentMock.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `seen#shardId-000000000000#${Math.floor(minute / 60_000)}` } }).resolves({
      Items: [{ pk: `seen#shardId-000000000000#${Math.floor(minute / 60_000)}`, sk: 'x', first: '1', last: '3', fingerprints: fingerprint, expiresAt: Math.floor(Date.now() / 1000) + 3_600 }],
    });
    const records = [kinesisRecordFactory('40', original), kinesisRecordFactory('41', envelopeFactory({ id: 'order-78', time: minute + 6 }))];

    await handler({ Records: records }, context);

    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu-west', start: minute, version: 1, eventCount: 1, state: { orders: 1, revenue: 10 } }]);
    const ledger = documentMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item!).find((item) => String(item.pk).startsWith('seen#'))!;
    expect(ledger).toEqual(expect.objectContaining({ first: '40', last: '41', duplicates: ['40'] }));
  });

  it('sends a record that is not an event to the rejected-records output and applies the rest, without failing the batch', async () => {
    const records = [
      kinesisRecordFactory('10', envelopeFactory({ id: 'evt-10', time: minute })),
      kinesisRecordFactory('11', 'this is not json'),
      kinesisRecordFactory('12', envelopeFactory({ id: 'evt-12', time: minute })),
    ];

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu-west', start: minute, version: 1, eventCount: 2, state: { orders: 2, revenue: 20 } }]);
    const rejected = documentMock.commandCalls(BatchWriteCommand).flatMap((call) => call.args[0].input.RequestItems!['late-events']!.map((r) => r.PutRequest!.Item!));
    expect(rejected).toEqual([
      expect.objectContaining({
        pk: expect.stringMatching(/^~rejected#\d{4}-\d{2}-\d{2}$/),
        sequenceNumber: '11',
        reason: expect.stringContaining('Record 11 cannot be processed'),
        data: Buffer.from('this is not json').toString('base64'),
      }),
    ]);
  });

  it('deaggregates a KPL record: its user records count, each poison one is its own rejected item keyed by its index', async () => {
    // Prepare: aggregate 50 holds two orders and two user records that are not events; a plain order 51 follows.
    const aggregate = kinesisRecordFactory('50', 'placeholder');
    const users = [envelopeFactory({ id: 'evt-a', time: minute }), 'not json', envelopeFactory({ id: 'evt-b', time: minute }), '{"id":7}'];
    aggregate.kinesis.data = encodeAggregatedRecord(users.map((user) => ({ partitionKey: 'customer-1', data: Buffer.from(typeof user === 'string' ? user : JSON.stringify(user)) }))).toString('base64');

    // Act
    const response = await handler({ Records: [aggregate, kinesisRecordFactory('51', envelopeFactory({ id: 'evt-c', time: minute }))] }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu-west', start: minute, version: 1, eventCount: 3, state: { orders: 3, revenue: 30 } }]);
    const rejected = documentMock.commandCalls(BatchWriteCommand).flatMap((call) => call.args[0].input.RequestItems!['late-events']!.map((r) => r.PutRequest!.Item!));
    expect(rejected.map((item) => [String(item.sk).replace(/#0+(?=\d)/, '#'), item.sequenceNumber, item.subSequence, item.reason, Buffer.from(String(item.data), 'base64').toString()])).toEqual([
      ['shardId-000000000000#50#1', '50', 1, 'Record 50 sub-record 1 cannot be processed: data is not base64-encoded JSON', 'not json'],
      ['shardId-000000000000#50#3', '50', 3, 'Record 50 sub-record 3 cannot be processed: envelope has no string id', '{"id":7}'],
    ]);
  });

  it('fails the batch when DynamoDB keeps throttling, never swallowing the error', async () => {
    const throttle = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    documentMock.on(UpdateCommand, { Key: { pk: 'orders-per-region#eu-west' } }).rejects(throttle);

    await expect(handler({ Records: [kinesisRecordFactory('30', envelopeFactory())] }, context)).rejects.toThrow('Rate of requests exceeds the allowed throughput');
    // Only the intent reached the progress item: no completion, no watermark for a batch whose windows failed.
    const progressPuts = documentMock.commandCalls(PutCommand).map((call) => call.args[0].input.Item!).filter((item) => item.pk === '~watermark');
    expect(progressPuts).toEqual([expect.objectContaining({ delivery: { current: { first: '30', last: '30' }, abandoned: {} } })]);
  });
});
