import type { KinesisStreamRecord } from 'aws-lambda';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';

/** An envelope as the ingest function writes it. */
export function envelopeFactory(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: 'evt-1',
    type: 'order.created',
    key: 'customer-1',
    time: Date.UTC(2026, 0, 1, 12, 0, 30),
    data: { region: 'eu-west', amount: 10 },
    receivedAt: Date.UTC(2026, 0, 1, 12, 0, 31),
    ...overrides,
  };
}

/** A Kinesis ESM record carrying `payload` (an envelope, or raw text for poison records). */
export function kinesisRecordFactory(sequenceNumber: string, payload: EventEnvelope | string): KinesisStreamRecord {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: typeof payload === 'string' ? 'poison' : payload.key,
      sequenceNumber,
      data: Buffer.from(text).toString('base64'),
      approximateArrivalTimestamp: 1_767_268_831,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/test',
  };
}

/** The example metric: orders and revenue per region per minute. */
export const ordersPerRegion: MetricDefinition = {
  name: 'orders-per-region',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: { kind: 'tumbling', sizeMs: 60_000 },
  aggregations: { orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } },
};
