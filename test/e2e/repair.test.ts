import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DeleteItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClients, type LocalClients } from '../../local/aws/localClients';
import { queueDepth } from '../../local/aws/queueDepth';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * The repair commands against the running offline pipeline. `tributary
 * redrive`: on-failure messages in the aggregator's DLQ (the shape Lambda
 * sends), the records re-read from kinesis-mock, applied in redrive mode.
 * `tributary replay`: the stream re-read from a time, applied in replay mode.
 */
let pipeline: RunningPipeline;
let clients: LocalClients;
const minuteMs = 60_000;
const T = Math.floor(Date.now() / minuteMs) * minuteMs - 120 * minuteMs;
const region = `redrive-${Date.now()}`;

function cli(...args: string[]) {
  return tributary('redrive', ...args);
}

function tributary(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tributary.js', ...args], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...process.env, TRIBUTARY_STATE_DIR: pipeline.stateDir },
    encoding: 'utf8',
  });
}

async function window(): Promise<{ eventCount: number } | undefined> {
  const response = await pipeline.api.fetch(`/metrics/orders-per-region?group=${region}&from=${T}&to=${T + minuteMs}`);
  return ((await response.json()) as { windows: { eventCount: number }[] }).windows[0];
}

function dlqDepth(queueUrl: string): Promise<number> {
  return queueDepth(clients.sqs, queueUrl);
}

function onFailureMessage(streamName: string, shardId: string, first: string, last: string, batchSize: number): string {
  return JSON.stringify({
    requestContext: { requestId: 'test', functionArn: 'arn:aws:lambda:local:000000000000:function:aggregator', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: { shardId, startSequenceNumber: first, endSequenceNumber: last, batchSize, streamArn: `arn:aws:kinesis:local:000000000000:stream/${streamName}` },
  });
}

describe('E2E: tributary redrive and replay', () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
    clients = createLocalClients(pipeline.info.endpoints);
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('re-applies a DLQ range without counting what the windows already hold, keeps messages whose records left the stream, and changes nothing in a dry run', async () => {
    // Prepare: three orders of one key (one shard), counted by the live consumer. Ingest packs them
    // into one KPL aggregated record (issue 15): the DLQ range and the redrive are that one record.
    const events = [1, 2, 3].map((n) => ({ type: 'order.created', key: `${region}-key`, time: T + n * 1_000, data: { region, amount: n } }));
    const response = await pipeline.api.fetch(`/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(((await response.json()) as { accepted: number }).accepted).toBe(3);
    await waitUntil('the live consumer to count the orders', async () => (await window())?.eventCount === 3, 20_000, 100);
    // Where they are in the stream.
    const streamName = (await clients.kinesis.send(new ListStreamsCommand({}))).StreamNames![0]!;
    const ours: { shardId: string; sequenceNumber: string }[] = [];
    for (const shard of (await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? []) {
      const { ShardIterator } = await clients.kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator!, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        if (Buffer.from(record.Data!).toString().includes(region)) ours.push({ shardId: shard.ShardId!, sequenceNumber: record.SequenceNumber! });
      }
    }
    expect(ours).toHaveLength(1);
    const queueUrl = (await clients.sqs.send(new ListQueuesCommand({}))).QueueUrls!.find((url) => /Aggregator.*DeadLetterQueue/.test(url))!;
    // Lambda gave up on the range after a failure that came after its last write (the batch had completed) …
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: onFailureMessage(streamName, ours[0]!.shardId, ours[0]!.sequenceNumber, ours[0]!.sequenceNumber, 1) }));
    // … and on a range the stream no longer holds.
    const gone = String(BigInt(ours[0]!.sequenceNumber) + 10n ** 30n);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: onFailureMessage(streamName, ours[0]!.shardId, gone, gone, 1) }));

    // Act 1: dry run.
    const dry = cli('--dry-run');

    // Assess 1: both messages listed, nothing applied or deleted; exit 1 because one range expired.
    expect(dry.stdout).toContain('dry run: 2 DLQ message(s), 1 record(s) (3 event(s)) still in the stream');
    expect(dry.stdout).toContain(`kept: Records ${gone}..${gone} of ${ours[0]!.shardId} are no longer in the stream`);
    expect(dry.status).toBe(1);
    await waitUntil('both messages visible again', async () => (await dlqDepth(queueUrl)) === 2, 10_000, 100);

    // Act 2
    const run = cli();

    // Assess 2: the completed range is deleted and not counted twice; the expired one is kept.
    expect(run.stdout).toContain('redrove 1 of 2 DLQ message(s), 1 record(s) (3 event(s)); each window took only what it lacked');
    expect(run.stderr).toMatch(/redrive \[[#-]{24}\] 1\/2 message\(s\) · last: 1 record\(s\) of shardId-/);
    expect(run.status).toBe(1);
    expect((await window())?.eventCount).toBe(3);
    expect(await dlqDepth(queueUrl)).toBe(1);
  });

  it('replay rebuilds windows that lost their items from the stream, counts nothing twice when repeated, and names a bad option', async () => {
    // Prepare: orders in two minutes, counted live; then both windows' items are lost.
    const lost = `replay-${Date.now()}`;
    const fromMs = Date.now() - 1_000;
    const events = [1, 2, 3, 61, 62].map((s) => ({ type: 'order.created', key: `${lost}-${s}`, time: T + s * 1_000, data: { region: lost, amount: s } }));
    await pipeline.api.fetch(`/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    const counts = async () => {
      const response = await pipeline.api.fetch(`/metrics/orders-per-region?group=${lost}&from=${T}&to=${T + 2 * minuteMs}`);
      return ((await response.json()) as { windows: { eventCount: number; values: { revenue: number } }[] }).windows.map((w) => [w.eventCount, w.values.revenue]);
    };
    await waitUntil('the live consumer to count the orders', async () => JSON.stringify(await counts()) === '[[3,6],[2,123]]', 20_000, 100);
    const tables = await clients.dynamodb.send(new ListTablesCommand({}));
    const aggregates = tables.TableNames!.find((name) => name.startsWith('AggregatesTable'))!;
    for (const startMs of [T, T + minuteMs]) {
      await clients.dynamodb.send(new DeleteItemCommand({ TableName: aggregates, Key: { pk: { S: `orders-per-region#${lost}` }, windowStart: { N: String(startMs) } } }));
    }
    expect(await counts()).toEqual([]);

    // Act 1
    const replay = tributary('replay', '--from', new Date(fromMs).toISOString(), '--metric', 'orders-per-region');

    // Assess 1: both windows are back, exact.
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(/^replayed \d+ record\(s\) \([1-9][\d,]* event\(s\)\) of \d+ shard\(s\) from .* into orders-per-region: [2-9] window\(s\) took what they lacked/);
    expect(replay.stderr).toMatch(/replay \[#+\] 100% · \d+ record\(s\) · \d+\/\d+ shard\(s\) done/);
    expect(await counts()).toEqual([
      [3, 6],
      [2, 123],
    ]);

    // Act 2: the same replay again, over every metric.
    const again = tributary('replay', '--from', String(fromMs));

    // Assess 2: every window already held every record.
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/: 0 window\(s\) took what they lacked, [1-9]\d* record application\(s\) already held/);
    expect(await counts()).toEqual([
      [3, 6],
      [2, 123],
    ]);
    expect(tributary('replay', '--from', String(fromMs), '--metric', 'nope').stderr).toContain(
      'tributary: --metric nope is not a metric of this pipeline; known: orders-per-region, checkout-errors-5m, user-sessions',
    );
    expect(tributary('replay', '--from', 'yesterday').stderr).toContain('tributary: --from must be an ISO-8601 time with a timezone (e.g. 2026-11-22T08:00:00Z) or epoch milliseconds (got yesterday)');
  });
});
