import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envelopeFactory, kinesisRecordFactory, ordersPerRegion } from '../support/factories';

const documentMock = mockClient(DynamoDBDocumentClient);
const kinesisMock = mockClient(KinesisClient);
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const context = { functionName: 'aggregator', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const minute = Date.UTC(2026, 0, 1, 12, 0);

/** The window Puts of the last invocation: key, expected version and values. */
const windowPuts = () =>
  documentMock
    .commandCalls(PutCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Item!.pk !== '~watermark' && !String(input.Item!.pk).startsWith('done#'))
    .map((input) => ({ pk: input.Item!.pk, start: input.Item!.windowStart, version: input.Item!.version, eventCount: input.Item!.eventCount, values: input.Item!.values }));

describe('Function: aggregator handler', () => {
  beforeAll(async () => {
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([ordersPerRegion]);
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.LATE_EVENTS_TABLE = 'late-events';
    process.env.STREAM_NAME = 'events';
    process.env.DELIVERY_TABLE = 'delivery';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../functions/aggregator/handler'));
  });
  beforeEach(() => {
    documentMock.reset();
    kinesisMock.reset();
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: undefined, SequenceNumberRange: undefined }] });
    documentMock.on(QueryCommand).resolves({ Items: [] });
    documentMock.on(BatchGetCommand).resolves({ Responses: { aggregates: [] } });
    documentMock.on(GetCommand).resolves({});
    documentMock.on(PutCommand).resolves({});
    documentMock.on(UpdateCommand).resolves({});
    documentMock.on(BatchWriteCommand).resolves({});
  });

  it('writes one conditional Put per (metric, group, window) touched, then the shard progress and the watermark', async () => {
    // Prepare
    const records = [
      kinesisRecordFactory('1', envelopeFactory({ time: minute + 1_000, data: { region: 'eu', amount: 2 } })),
      kinesisRecordFactory('2', envelopeFactory({ time: minute + 59_999, data: { region: 'eu', amount: 3.5 } })),
      kinesisRecordFactory('3', envelopeFactory({ time: minute + 60_000, data: { region: 'eu', amount: 1 } })),
      kinesisRecordFactory('4', envelopeFactory({ time: minute + 5, data: { region: 'us', amount: 'n/a' } })),
      kinesisRecordFactory('5', envelopeFactory({ type: 'order.cancelled', time: minute })),
    ];

    // Act
    const response = await handler({ Records: records }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(windowPuts()).toEqual([
      { pk: 'orders-per-region#eu', start: minute, version: 1, eventCount: 2, values: { orders: 2, revenue: 5.5 } },
      { pk: 'orders-per-region#eu', start: minute + 60_000, version: 1, eventCount: 1, values: { orders: 1, revenue: 1 } },
      { pk: 'orders-per-region#us', start: minute, version: 1, eventCount: 1, values: { orders: 1, revenue: 0 } },
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

  it('re-reads and re-merges a window another shard changed since it was read', async () => {
    // Prepare: the first Put loses the race; the re-read shows the other writer's version 3.
    const conflict = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    documentMock.on(PutCommand, { Item: { pk: 'orders-per-region#eu' } }).rejectsOnce(conflict).resolves({});
    documentMock.on(GetCommand).resolvesOnce({}).resolves({
      Item: { pk: 'orders-per-region#eu', windowStart: minute, metric: 'orders-per-region', group: 'eu', windowEnd: minute + 60_000, eventCount: 4, state: { orders: 4, revenue: 40 }, values: {}, version: 3 },
    });

    // Act
    await handler({ Records: [kinesisRecordFactory('1', envelopeFactory({ time: minute, data: { region: 'eu', amount: 2 } }))] }, context);

    // Assess
    expect(windowPuts()).toEqual([
      { pk: 'orders-per-region#eu', start: minute, version: 1, eventCount: 1, values: { orders: 1, revenue: 2 } },
      { pk: 'orders-per-region#eu', start: minute, version: 4, eventCount: 5, values: { orders: 5, revenue: 42 } },
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
            eventCount: 1,
            state: { orders: 1, revenue: 2 },
            values: {},
            version: 1,
            src: { applied: { 'shardId-000000000000': '7' } },
      },
    });
    const records = [
      kinesisRecordFactory('7', envelopeFactory({ time: minute, data: { region: 'eu', amount: 2 } })),
      kinesisRecordFactory('8', envelopeFactory({ time: minute + 1, data: { region: 'eu', amount: 3 } })),
    ];

    // Act
    await handler({ Records: records }, context);

    // Assess: only record 8 is added, and the marks move to it.
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu', start: minute, version: 2, eventCount: 2, values: { orders: 2, revenue: 5 } }]);
    const put = documentMock.commandCalls(PutCommand).find((call) => call.args[0].input.Item!.pk === 'orders-per-region#eu')!;
    expect(put.args[0].input.Item!.src).toEqual({ applied: { 'shardId-000000000000': '8' }, frozen: {}, redriven: {} });
  });

  it('sends a record that is not an event to the rejected-records output and applies the rest, without failing the batch', async () => {
    const records = [
      kinesisRecordFactory('10', envelopeFactory({ time: minute })),
      kinesisRecordFactory('11', 'this is not json'),
      kinesisRecordFactory('12', envelopeFactory({ time: minute })),
    ];

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu-west', start: minute, version: 1, eventCount: 2, values: { orders: 2, revenue: 20 } }]);
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

  it('fails the batch when DynamoDB keeps throttling, never swallowing the error', async () => {
    const throttle = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    documentMock.on(PutCommand, { Item: { pk: 'orders-per-region#eu-west' } }).rejects(throttle);

    await expect(handler({ Records: [kinesisRecordFactory('30', envelopeFactory())] }, context)).rejects.toThrow('Rate of requests exceeds the allowed throughput');
    // Only the intent reached the progress item: no completion, no watermark for a batch whose windows failed.
    const progressPuts = documentMock.commandCalls(PutCommand).map((call) => call.args[0].input.Item!).filter((item) => item.pk === '~watermark');
    expect(progressPuts).toEqual([expect.objectContaining({ delivery: { current: { first: '30', last: '30' }, abandoned: {} } })]);
  });
});
