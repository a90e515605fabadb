import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClockTick } from '../../../core/aggregator/WatermarkClock';
import { ordersPerRegion } from '../../support/factories';

const documentMock = mockClient(DynamoDBDocumentClient);
let handler: (event: ScheduledEvent, context: Context) => Promise<ClockTick>;
const context = { functionName: 'clock', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const event = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-01-01T12:00:00Z', resources: ['arn:aws:events:eu-west-1:0:rule/x'], detail: {} } as unknown as ScheduledEvent;
const IDLE_MS = 60_000;

/** The watermark partition as DynamoWindowStore reads it: the pipeline watermark at `version`, one shard last active at `activeAtMs`. */
const watermarkPartition = (version: number, activeAtMs: number) => ({
  Items: [
    { pk: '~watermark', windowStart: -1, watermarks: { 'orders-per-region': 1_000 }, version },
    { pk: '~watermark', windowStart: 0, shardId: 'shardId-000000000000', maxEventTime: { 'orders-per-region': 6_000 }, activeAt: { 'orders-per-region': activeAtMs }, delivery: { abandoned: {} } },
  ],
});

describe('Function: clock handler', () => {
  beforeAll(async () => {
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([{ ...ordersPerRegion, watermark: { maxDelayMs: 5_000, advanceWhenIdleMs: IDLE_MS } }]);
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.AGGREGATE_RETENTION_DAYS = '90';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_REGION = 'eu-west-1';
    ({ handler } = await import('../../../functions/clock/handler'));
  });
  beforeEach(() => {
    documentMock.reset();
  });

  it('advances an idle metric with one Put conditional on the version read, then finalises from the pending index', async () => {
    documentMock.on(QueryCommand, { IndexName: undefined }).resolves(watermarkPartition(7, Date.now() - IDLE_MS - 1_000));
    documentMock.on(QueryCommand, { IndexName: 'pending-final' }).resolves({ Items: [] });
    documentMock.on(PutCommand).resolves({});

    const startedAtMs = Date.now();
    const tick = await handler(event, context);

    expect(tick.advanced).toEqual(['orders-per-region']);
    const put = documentMock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ TableName: 'aggregates', Item: { pk: '~watermark', windowStart: -1, version: 8 }, ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': 7 } });
    const watermark = (put[0]!.Item!.watermarks as Record<string, number>)['orders-per-region']!;
    expect(watermark).toBeGreaterThanOrEqual(startedAtMs - IDLE_MS - 5_000);
    expect(watermark).toBeLessThanOrEqual(Date.now() - IDLE_MS - 5_000);
    // One Query per pending-index bucket (8), nothing to mark.
    expect(documentMock.commandCalls(QueryCommand).filter((call) => call.args[0].input.IndexName === 'pending-final')).toHaveLength(8);
    expect(documentMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('writes nothing while the shard delivered the metric within the idle time', async () => {
    documentMock.on(QueryCommand).resolves(watermarkPartition(7, Date.now() - IDLE_MS + 5_000));

    expect(await handler(event, context)).toMatchObject({ advanced: [], windowsFinalized: 0 });
    expect(documentMock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('throws when the table fails, so that Lambda retries the tick and then sends it to the DLQ', async () => {
    documentMock.on(QueryCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));

    await expect(handler(event, context)).rejects.toThrow('Requested resource not found');
  });
});
