import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * Event-time windowing through the offline runtime, one test per window kind
 * (the example metrics of infra/tributary.config.ts). Each step sends events to
 * both shards, so both report and the watermark (max − 5 s, min over shards)
 * moves exactly where the test puts it.
 */
let pipeline: RunningPipeline;
const minuteMs = 60_000;
// Recent windows: DynamoDB Local honours TTL, and windows expire 90 days after they end. Five hours back, so
// that the session test's watermark push (T + 260 min) is still in the past: an event time more than 5 minutes
// ahead of its arrival is a future-event-time and never moves a watermark.
const T = Math.floor(Date.now() / minuteMs) * minuteMs - 300 * minuteMs;

/** A partition key that Kinesis hashes to shard `index` of 2 (even split of the 128-bit MD5 range). */
function keyOnShard(index: 0 | 1, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`;
    const firstByte = createHash('md5').update(key).digest()[0]!;
    if ((firstByte >= 0x80 ? 1 : 0) === index) return key;
  }
}
const shardKeys = [keyOnShard(0, 'k'), keyOnShard(1, 'k')] as const;

async function send(events: unknown[]): Promise<void> {
  const response = await pipeline.api.fetch(`/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  const json = (await response.json()) as { accepted: number };
  expect(json.accepted).toBe(events.length);
}

async function metric(name: string, params: Record<string, string | number>): Promise<any> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const response = await pipeline.api.fetch(`/metrics/${name}?${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** Sends one event of `type` at `timeMs` on each shard and waits until the metric's watermark is `timeMs − 5 s`. */
async function advanceWatermark(name: string, type: string, timeMs: number, data: Record<string, unknown>, query: Record<string, string | number>): Promise<void> {
  await send(shardKeys.map((key) => ({ type, key, time: timeMs, data })));
  await waitUntil(`${name} watermark at ${timeMs - 5_000}`, async () => (await metric(name, query)).watermark === timeMs - 5_000, 60_000, 100);
}

async function lateEventsOf(name: string, day: string): Promise<any[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: pipeline.info.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const tables = await client.send(new ListTablesCommand({}));
  const table = tables.TableNames!.find((t) => t.startsWith('LateEventsTable'))!;
  const result = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${name}#${day}` } }));
  // The event is stored as its record's JSON text.
  return (result.Items ?? []).map((item) => ({ ...item, event: JSON.parse(item.event as string) }));
}

describe('Event-time windowing, end to end through the offline runtime', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('tumbling: a window goes open → on time → final; lateness within the bound updates it, beyond it goes to the late output', async () => {
    const region = 'tumbling-e2e';
    const query = { group: region, from: T, to: T + minuteMs };
    const order = (key: string, offsetMs: number, amount: number) => ({ type: 'order.created', key, time: T + offsetMs, data: { region, amount } });

    // Open: two orders in [T, T + 1 min), one per shard.
    await send([order(shardKeys[0], 1_000, 10), order(shardKeys[1], 59_999, 30)]);
    await waitUntil('the window to count 2 orders', async () => (await metric('orders-per-region', query)).windows[0]?.eventCount === 2, 60_000, 100);
    expect((await metric('orders-per-region', query)).windows[0].state).toBe('open');

    // On time: watermark T + 85 s passed the end (T + 60 s) but not end + 60 s lateness; a late order still counts.
    await advanceWatermark('orders-per-region', 'order.created', T + 90_000, { region: 'elsewhere', amount: 0 }, query);
    expect((await metric('orders-per-region', query)).windows[0].state).toBe('on-time');
    await send([order(shardKeys[0], 30_000, 20)]);
    await waitUntil('the late-but-allowed order to count', async () => (await metric('orders-per-region', query)).windows[0]?.eventCount === 3, 60_000, 100);

    // Final: watermark T + 125 s ≥ end − 1 + lateness. An order for it now goes to the late output.
    await advanceWatermark('orders-per-region', 'order.created', T + 130_000, { region: 'elsewhere', amount: 0 }, query);
    await send([order(shardKeys[1], 10_000, 1_000)]);
    await waitUntil('the too-late order to be counted as late', async () => (await metric('orders-per-region', query)).windows[0]?.lateEvents === 1, 60_000, 100);

    const window = (await metric('orders-per-region', query)).windows[0];
    expect(window).toMatchObject({ windowStart: T, windowEnd: T + minuteMs, state: 'final', eventCount: 3, lateEvents: 1 });
    expect(window.values).toMatchObject({ orders: 3, revenue: 60, largestOrder: 30, averageOrder: 20, customers: 2 });
    expect(window.values.amount.p50).toBeCloseTo(20, -0.5);
    const late = (await lateEventsOf('orders-per-region', new Date(T).toISOString().slice(0, 10))).filter((item) => item.group === region);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ reason: 'late', eventTime: T + 10_000, windowsMissed: [{ startMs: T, endMs: T + minuteMs }], watermark: T + 125_000 });
    expect(late[0].event.data).toEqual({ region, amount: 1_000 });

    // The same entry through the CLI.
    const cli = spawnSync(process.execPath, ['bin/tributary.js', 'late', '--metric', 'orders-per-region', '--day', new Date(T).toISOString().slice(0, 10)], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, TRIBUTARY_STATE_DIR: pipeline.stateDir },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^\d+ late event\(s\) for orders-per-region on /);
    expect(cli.stdout).toContain(`${new Date(T + 10_000).toISOString()}  ${late[0].event.id}  late · group ${region} · missed ${new Date(T).toISOString().slice(11, 19)} · 115 s behind the watermark`);
  });

  it('hopping: an event counts in each of the 5 overlapping windows; a late one is recorded against each window it missed', async () => {
    const base = T + 600_000;
    const query = { from: base - 5 * minuteMs, to: base + minuteMs };
    const checkout = (type: string, key: string, latencyMs: number) => ({ type, key, time: base + 30_000, data: { latencyMs } });

    await send([
      checkout('checkout.completed', shardKeys[0], 200),
      checkout('checkout.completed', shardKeys[1], 300),
      checkout('checkout.completed', shardKeys[0], 1_500),
      checkout('checkout.failed', shardKeys[1], 900),
    ]);
    await advanceWatermark('checkout-errors-5m', 'checkout.completed', base + 400_000, { latencyMs: 1 }, query);
    await send([checkout('checkout.failed', shardKeys[0], 50)]);
    await waitUntil('the late checkout to be recorded', async () => (await metric('checkout-errors-5m', query)).windows.every((w: any) => w.lateEvents === 1), 60_000, 100);

    const result = await metric('checkout-errors-5m', query);
    expect(result.windows.map((w: any) => w.windowStart)).toEqual([-4, -3, -2, -1, 0].map((i) => base + i * minuteMs));
    for (const window of result.windows) {
      expect(window).toMatchObject({ state: 'final', eventCount: 4, lateEvents: 1, windowEnd: window.windowStart + 5 * minuteMs });
      expect(window.values).toMatchObject({ attempts: 4, failures: 1, errorRate: 0.25, slowCheckouts: 1 });
    }
    const late = (await lateEventsOf('checkout-errors-5m', new Date(base).toISOString().slice(0, 10))).filter((item) => item.eventTime === base + 30_000);
    expect(late).toHaveLength(1);
    expect(late[0].windowsMissed).toHaveLength(5);
  });

  it('session: a late event that bridges two sessions merges them into one, and the merged session becomes final', async () => {
    const base = T + 1_200_000;
    const user = keyOnShard(0, 'user');
    const query = { group: user, from: base - minuteMs, to: base + 120 * minuteMs };
    const view = (offsetMinutes: number, page: string) => ({ type: 'page.viewed', key: user, time: base + offsetMinutes * minuteMs, data: { page, position: offsetMinutes } });

    // Two sessions 40 min apart (gap 30 min): [0, 40) and [70, 100) in minutes.
    await send([view(0, '/'), view(10, '/shoes')]);
    await send([view(70, '/cart')]);
    await waitUntil('two sessions', async () => (await metric('user-sessions', query)).windows.length === 2, 60_000, 100);

    // A view at minute 40 arrives late (the watermark is near minute 70, so [0, 40) has
    // ended) but within the hour of allowed lateness, and touches both: [0, 100) as one session.
    await send([view(40, '/shoes')]);
    await waitUntil('one merged session', async () => (await metric('user-sessions', query)).windows.length === 1, 60_000, 100);
    let sessions = (await metric('user-sessions', query)).windows;
    expect(sessions).toEqual([
      expect.objectContaining({ windowStart: base, windowEnd: base + 100 * minuteMs, state: 'open', eventCount: 4, values: { pageViews: 4, distinctPages: 3, firstView: 0 } }),
    ]);

    // Other users' views two hours later on both shards move the watermark past the session's end.
    await advanceWatermark('user-sessions', 'page.viewed', base + 240 * minuteMs, { page: '/' }, query);
    await waitUntil('the session to be final', async () => (await metric('user-sessions', query)).windows[0]?.state === 'final', 60_000, 100);
    sessions = (await metric('user-sessions', query)).windows;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ eventCount: 4, state: 'final' });
  });
});
