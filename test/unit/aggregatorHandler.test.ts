import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PoisonRecordError } from '../../shared/errors';
import { envelopeFactory, kinesisRecordFactory, ordersPerRegion } from '../support/factories';

const documentMock = mockClient(DynamoDBDocumentClient);
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const context = { functionName: 'aggregator', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const minute = Date.UTC(2026, 0, 1, 12, 0);

describe('Function: aggregator handler', () => {
  beforeAll(async () => {
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([ordersPerRegion]);
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../functions/aggregator/handler'));
  });
  beforeEach(() => documentMock.reset());

  it('writes one ADD update per (metric, group, window) touched by the batch', async () => {
    // Prepare
    documentMock.on(UpdateCommand).resolves({});
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
    const updates = documentMock.commandCalls(UpdateCommand).map((call) => {
      const input = call.args[0].input;
      return { key: input.Key, count: input.ExpressionAttributeValues![':count'], values: [input.ExpressionAttributeValues![':v0'], input.ExpressionAttributeValues![':v1']] };
    });
    expect(updates).toEqual([
      { key: { pk: 'orders-per-region#eu', windowStart: minute }, count: 2, values: [2, 5.5] },
      { key: { pk: 'orders-per-region#eu', windowStart: minute + 60_000 }, count: 1, values: [1, 1] },
      { key: { pk: 'orders-per-region#us', windowStart: minute }, count: 1, values: [1, 0] },
    ]);
  });

  it('applies the records before a poison record and reports the poison record as the batch item failure', async () => {
    documentMock.on(UpdateCommand).resolves({});
    const records = [
      kinesisRecordFactory('10', envelopeFactory({ time: minute })),
      kinesisRecordFactory('11', 'this is not json'),
      kinesisRecordFactory('12', envelopeFactory({ time: minute })),
    ];

    const response = await handler({ Records: records }, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
    const updates = documentMock.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input.ExpressionAttributeValues![':count']).toBe(1);
  });

  it('throws (so the ESM bisects) when the first record is poison, writing nothing', async () => {
    documentMock.on(UpdateCommand).resolves({});
    const records = [kinesisRecordFactory('20', '{"no":"envelope"}'), kinesisRecordFactory('21', envelopeFactory())];

    await expect(handler({ Records: records }, context)).rejects.toThrow(new PoisonRecordError('20', 'envelope has no string id'));
    expect(documentMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('fails the batch when DynamoDB keeps throttling, never swallowing the error', async () => {
    const throttle = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    documentMock.on(UpdateCommand).rejects(throttle);

    await expect(handler({ Records: [kinesisRecordFactory('30', envelopeFactory())] }, context)).rejects.toThrow('1 aggregate write(s) failed');
  });
});
