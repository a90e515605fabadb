import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

// Each start synthesizes and boots a JVM: three starts, one pipeline at a time.
const START_TIMEOUT_MS = 90_000;
const minuteMs = 60_000;
// Recent windows: DynamoDB Local honours TTL, and windows expire 90 days after they end.
const base = Math.floor(Date.now() / minuteMs) * minuteMs - 5 * minuteMs;
const range = `from=${base}&to=${base + minuteMs}`;

const order = (id: string, amount: number, offsetMs: number) => ({
  id,
  type: 'order.created',
  key: 'restart-customer',
  time: base + offsetMs,
  data: { region: 'restart-region', amount },
});

async function post(pipeline: RunningPipeline, events: unknown[]): Promise<number> {
  const response = await pipeline.api.fetch(`/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return response.status;
}

async function windowOf(pipeline: RunningPipeline): Promise<{ eventCount: number; values: Record<string, unknown> } | undefined> {
  const response = await pipeline.api.fetch(`/metrics/orders-per-region?group=restart-region&${range}`);
  const body = (await response.json()) as { windows: { eventCount: number; values: Record<string, unknown> }[] };
  return body.windows[0];
}

async function rawEventIds(pipeline: RunningPipeline): Promise<string[]> {
  const response = await pipeline.api.fetch(`/events?key=restart-customer&${range}`);
  const body = (await response.json()) as { events: { id: string }[] };
  return body.events.map((event) => event.id).sort();
}

let pipeline: RunningPipeline | undefined;
let stateDir: string | undefined;
/** The log files of the first run, as it stopped. */
let firstRunLogs: string[] = [];

async function start(args: string[] = []): Promise<RunningPipeline> {
  pipeline = await startPipeline(
    { TRIBUTARY_POLL_INTERVAL_MS: '200' },
    { ...(stateDir ? { stateDir } : {}), command: [process.execPath, path.resolve(__dirname, '..', '..', 'bin', 'tributary.js'), 'start', ...args] },
  );
  stateDir = pipeline.stateDir;
  return pipeline;
}

async function stop(): Promise<number | null> {
  const code = await pipeline!.stop();
  pipeline = undefined;
  return code;
}

describe('Offline data across a restart of npm start', () => {
  beforeAll(async () => {
    // Two orders counted and archived, then a clean stop (Ctrl-C).
    const running = await start();
    expect(await post(running, [order('restart-1', 10, 1_000), order('restart-2', 5, 2_000)])).toBe(200);
    await waitUntil('both orders counted', async () => (await windowOf(running))?.eventCount === 2, 20_000, 200);
    await waitUntil('both orders archived', async () => (await rawEventIds(running)).length === 2, 20_000, 200);
    firstRunLogs = readdirSync(path.join(stateDir!, 'logs')).sort();
    expect(await stop()).toBe(0);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it(
    'keeps windows and raw events in <stateDir>/data, and counts new events on top of them',
    async () => {
      // Act: start again in the same state dir.
      const running = await start();

      // Assess: what was there is there at once, the earlier run's logs are kept, and new events still flow.
      expect(await windowOf(running)).toMatchObject({ eventCount: 2, values: { orders: 2, revenue: 15 } });
      expect(await rawEventIds(running)).toEqual(['restart-1', 'restart-2']);
      // Every log of the earlier run, whichever the host writes (the API's access log too): the emulators' and the functions' at least.
      expect(readdirSync(path.join(stateDir!, 'logs.previous')).sort()).toEqual(firstRunLogs);
      expect(firstRunLogs).toEqual(expect.arrayContaining(['dynamodb.log', 'functions.log', 'host.log', 'kinesis.log', 'sqs.log']));
      expect(await post(running, [order('restart-3', 1, 3_000)])).toBe(200);
      await waitUntil('the new order counted on top', async () => (await windowOf(running))?.eventCount === 3, 20_000, 200);
      expect(await windowOf(running)).toMatchObject({ eventCount: 3, values: { orders: 3, revenue: 16 } });
      expect(await rawEventIds(running)).toEqual(['restart-1', 'restart-2', 'restart-3']);
      expect(await stop()).toBe(0);
    },
    START_TIMEOUT_MS,
  );

  it(
    'starts empty with --fresh',
    async () => {
      // Prepare: the state dir holds the orders counted above (two, or three after the restart test).
      expect(existsSync(path.join(stateDir!, 'data', 'dynamodb', 'shared-local-instance.db'))).toBe(true);

      // Act
      const running = await start(['--fresh']);

      // Assess: no window, no raw event; the stack's resources were provisioned anew and count again.
      expect(await windowOf(running)).toBeUndefined();
      expect(await rawEventIds(running)).toEqual([]);
      expect(await post(running, [order('fresh-1', 2, 1_000)])).toBe(200);
      await waitUntil('the order counted', async () => (await windowOf(running))?.eventCount === 1, 20_000, 200);
      expect(await windowOf(running)).toMatchObject({ eventCount: 1, values: { orders: 1, revenue: 2 } });
      expect(await stop()).toBe(0);
    },
    START_TIMEOUT_MS,
  );
});
