import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PoisonRecordError } from '../../shared/errors';
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
    .filter((input) => input.Item!.pk !== '~watermark')
    .map((input) => ({ pk: input.Item!.pk, start: input.Item!.windowStart, version: input.Item!.version, eventCount: input.Item!.eventCount, values: input.Item!.values }));

describe('Function: aggregator handler', () => {
  beforeAll(async () => {
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([ordersPerRegion]);
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.LATE_EVENTS_TABLE = 'late-events';
    process.env.STREAM_NAME = 'events';
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
      expect.objectContaining({ windowStart: 0, shardId: 'shardId-000000000000', maxEventTime: { 'orders-per-region': minute + 60_000 } }),
      expect.objectContaining({ windowStart: -1, version: 1, watermarks: { 'orders-per-region': minute + 60_000 - 5_000 } }),
    ]);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('re-reads and re-merges a window another shard changed since it was read', async () => {
    // Prepare: the first Put loses the race; the re-read shows the other writer's version 3.
    const conflict = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    documentMock.on(PutCommand).rejectsOnce(conflict).resolves({});
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

  it('applies the records before a poison record and reports the poison record as the batch item failure', async () => {
    const records = [
      kinesisRecordFactory('10', envelopeFactory({ time: minute })),
      kinesisRecordFactory('11', 'this is not json'),
      kinesisRecordFactory('12', envelopeFactory({ time: minute })),
    ];

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
    expect(windowPuts()).toEqual([{ pk: 'orders-per-region#eu-west', start: minute, version: 1, eventCount: 1, values: { orders: 1, revenue: 10 } }]);
  });

  it('throws (so the ESM bisects) when the first record is poison, writing nothing', async () => {
    const records = [kinesisRecordFactory('20', '{"no":"envelope"}'), kinesisRecordFactory('21', envelopeFactory())];

    await expect(handler({ Records: records }, context)).rejects.toThrow(new PoisonRecordError('20', 'envelope has no string id'));
    expect(documentMock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('fails the batch when DynamoDB keeps throttling, never swallowing the error', async () => {
    const throttle = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    documentMock.on(PutCommand).rejects(throttle);

    await expect(handler({ Records: [kinesisRecordFactory('30', envelopeFactory())] }, context)).rejects.toThrow('Rate of requests exceeds the allowed throughput');
    // Progress and watermark are never written for a batch whose windows failed.
    expect(documentMock.commandCalls(PutCommand).every((call) => call.args[0].input.Item!.pk !== '~watermark')).toBe(true);
  });
});
