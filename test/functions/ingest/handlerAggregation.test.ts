import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeAggregatedRecord } from '../../../adapters/kinesis/kpl/decodeAggregatedRecord';

const kinesisMock = mockClient(KinesisClient);
let handler: (event: APIGatewayProxyEvent) => Promise<{ statusCode: number; body: string }>;

const post = (body: unknown): APIGatewayProxyEvent =>
  ({ httpMethod: 'POST', path: '/events', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

describe('Function: ingest handler, with INGEST_AGGREGATE_MAX_BYTES set (the stack default)', () => {
  beforeAll(async () => {
    process.env.STREAM_NAME = 'events';
    process.env.INGEST_AGGREGATE_MAX_BYTES = '25000';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    // Each test file runs in its own module registry (isolate), so the handler reads this environment at import.
    ({ handler } = await import('../../../functions/ingest/handler'));
  });

  it('packs a request into one aggregated record per shard, lists the shards once per container, and answers per event as before', async () => {
    // Prepare: one shard takes every hash key.
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: String((1n << 128n) - 1n) }, SequenceNumberRange: { StartingSequenceNumber: '1' } }] });
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({ FailedRecordCount: 0, Records: input.Records.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })) }));
    const events = Array.from({ length: 20 }, (_, i) => ({ type: 'order.created', key: `c${i}`, time: 1_700_000_000_000, data: { amount: i } }));

    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // Act
    let first: Awaited<ReturnType<typeof handler>>;
    try {
      first = await handler(post({ events }));
      await handler(post({ events }));
    } finally {
      stdout.mockRestore();
    }

    // Assess
    expect(first.statusCode).toBe(200);
    const body = JSON.parse(first.body);
    expect(Object.keys(body)).toEqual(['accepted', 'rejected', 'failed', 'results']);
    expect(body.accepted).toBe(20);
    const put = kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records!;
    expect(put).toHaveLength(1);
    expect(decodeAggregatedRecord(put[0]!.Data!)!.map((user) => user.partitionKey)).toEqual(events.map((event) => event.key));
    expect(kinesisMock.commandCalls(ListShardsCommand)).toHaveLength(1);
    // Records per event in CloudWatch: one EMF object per request, 20 events in 1 record.
    const emf = written
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } });
    expect(emf).toHaveLength(2);
    expect(emf[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Tributary', Dimensions: [['service']] });
    expect(emf[0]).toMatchObject({ service: 'tributary-ingest', EventsAccepted: 20, KinesisRecordsWritten: 1 });
  });
});
