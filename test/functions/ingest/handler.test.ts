import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

const kinesisMock = mockClient(KinesisClient);
let handler: (event: APIGatewayProxyEvent) => Promise<{ statusCode: number; body: string; headers?: Record<string, unknown> }>;

const post = (body: unknown, contentType = 'application/json'): APIGatewayProxyEvent =>
  ({
    httpMethod: 'POST',
    path: '/events',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEvent;

const order = (region: string) => ({ type: 'order.created', key: 'c1', time: 1_700_000_000_000, data: { region, amount: 5 } });
const acceptAll = (input: { Records: unknown[] }) => ({
  FailedRecordCount: 0,
  Records: input.Records.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })),
});

describe('Function: ingest handler', () => {
  beforeAll(async () => {
    process.env.STREAM_NAME = 'events';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../../functions/ingest/handler'));
  });
  beforeEach(() => kinesisMock.reset());

  it('accepts a valid event, assigning an id and stamping receivedAt', async () => {
    // Prepare
    kinesisMock.on(PutRecordsCommand).callsFake(acceptAll);

    // Act
    const response = await handler(post(order('eu-west')));

    // Assess
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ accepted: 1, rejected: 0, failed: 0, results: [{ index: 0, status: 'accepted', id: expect.stringMatching(/^[0-9A-Z]{26}$/) }] });
    const written = kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(written.StreamName).toBe('events');
    expect(written.Records![0]!.PartitionKey).toBe('c1');
    const envelope = JSON.parse(Buffer.from(written.Records![0]!.Data!).toString());
    expect(envelope).toEqual({ ...order('eu-west'), id: body.results[0].id, receivedAt: expect.any(Number) });
  });

  it('answers 207 with a reason per rejected event and writes only the valid ones', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake(acceptAll);

    const response = await handler(post({ events: [order('a'), { ...order('b'), time: 'soon' }, order('c')] }));

    expect(response.statusCode).toBe(207);
    expect(JSON.parse(response.body).results[1]).toEqual({
      index: 1,
      status: 'rejected',
      errors: [{ field: 'events[1].time', message: 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds' }],
    });
    expect(kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records).toHaveLength(2);
  });

  it('answers 400 and writes nothing when every event is invalid', async () => {
    const response = await handler(post({ events: [{ type: 'x' }] }));

    expect(response.statusCode).toBe(400);
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it('answers 400 for malformed JSON, 413 for too many events, 415 for another content type', async () => {
    expect((await handler(post('{"events": ['))).statusCode).toBe(400);
    expect((await handler(post({ events: Array.from({ length: 501 }, () => order('a')) }))).statusCode).toBe(413);
    const wrongType = await handler(post(order('a'), 'text/plain'));
    expect(wrongType.statusCode).toBe(415);
    expect(JSON.parse(wrongType.body).message).toBe(
      "Content-Type must be application/json (got text/plain); with curl add -H 'content-type: application/json'",
    );
  });

  it('rejects an event over 256 KiB as stored, counting UTF-8 bytes (140,000 CJK characters are 420,000)', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake(acceptAll);
    const huge = { ...order('a'), data: { note: '漢'.repeat(140_000) } };

    const response = await handler(post({ events: [huge, order('b')] }));

    expect(response.statusCode).toBe(207);
    expect(JSON.parse(response.body).results[0]).toEqual({
      index: 0,
      status: 'rejected',
      errors: [{ field: 'events[0].data', message: expect.stringMatching(/^makes the event 420\d{3} bytes as stored \(UTF-8 JSON of the envelope\); at most 262144 bytes \(256 KiB\)$/) }],
    });
  });

  it('reports events Kinesis never acknowledged as failed and retryable, with 503 when none got through', async () => {
    kinesisMock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }],
    });

    const response = await handler(post(order('a')));

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(response.body)).toEqual({
      accepted: 0,
      rejected: 0,
      failed: 1,
      results: [{ index: 0, status: 'failed', id: expect.any(String), error: 'ProvisionedThroughputExceededException: Rate exceeded', retryable: true }],
    });
    expect(kinesisMock.commandCalls(PutRecordsCommand).length).toBe(4);
  });
});
