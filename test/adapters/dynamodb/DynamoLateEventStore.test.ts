import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoLateEventStore } from '../../../adapters/dynamodb/DynamoLateEventStore';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import type { LateEvent } from '../../../core/ports/LateEventSink';
import { envelopeFactory } from '../../support/factories';

const documentMock = mockClient(DynamoDBDocumentClient);
const T = Date.UTC(2026, 10, 22, 8, 30);
const late = (id: string, overrides: Partial<LateEvent> = {}): LateEvent => ({
  metric: 'orders',
  reason: 'late',
  event: envelopeFactory({ id, time: T }),
  eventTimeMs: T,
  group: 'eu',
  windowsMissed: [{ startMs: T - 30 * 60_000, endMs: T + 30 * 60_000 }],
  watermarkMs: T + 3_600_000,
  shardId: 'shardId-000000000001',
  sequenceNumber: '42',
  ...overrides,
});

describe('Class: DynamoLateEventStore', () => {
  beforeEach(() => documentMock.reset());

  it('writes one item per (metric, event) keyed by day and time, in batches of 25, retrying unprocessed items', async () => {
    // Prepare: 30 events, one of them twice (a producer duplicate in the same batch); the first call leaves one unprocessed.
    const events = Array.from({ length: 30 }, (_, i) => late(`e${i}`));
    events.push(late('e0'));
    documentMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { late: [{ PutRequest: { Item: { pk: 'orders#2026-11-22', sk: 'retry-me' } } }] } })
      .resolves({});

    // Act
    await new DynamoLateEventStore('late', 30, createDocumentClient()).write(events, T);

    // Assess
    const calls = documentMock.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems!.late!);
    expect(calls.map((requests) => requests.length)).toEqual([25, 1, 5]);
    expect(calls[1]![0]!.PutRequest!.Item).toEqual({ pk: 'orders#2026-11-22', sk: 'retry-me' });
    expect(calls[0]![0]!.PutRequest!.Item).toMatchObject({
      pk: 'orders#2026-11-22',
      sk: `00${T}#e0`,
      reason: 'late',
      eventTime: T,
      watermark: T + 3_600_000,
      shardId: 'shardId-000000000001',
      sequenceNumber: '42',
      expiresAt: Math.floor(T / 1000) + 30 * 86_400,
    });
  });

  it('stores the event as the JSON text of its record, keeping digits and names no DynamoDB map could hold', async () => {
    documentMock.on(BatchWriteCommand).resolves({});
    const json = `{"id":"big","type":"order.created","key":"c1","time":${T},"receivedAt":${T},"data":{"ns":12345678901234567890,"":1,"__proto__":{"a":1e-200}}}`;
    const event = JSON.parse(json);
    const entry = late('big', { event, eventJson: json, group: 'r'.repeat(3_000) });

    await new DynamoLateEventStore('late', 30, createDocumentClient()).write([entry], T);

    const item = documentMock.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!.late![0]!.PutRequest!.Item!;
    expect(item).toMatchObject({ event: json, groupKey: expect.stringMatching(/^~sha256:[A-Za-z0-9_-]{43}$/), sequenceNumber: '42' });
    expect(item.group).toBeUndefined();
  });
});
