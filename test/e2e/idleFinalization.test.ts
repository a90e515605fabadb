import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import type { LocalPlan } from '../../local/assembly/LocalPlan';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import { tributaryConfig } from '../../infra/tributary.config';
import { LocalApiClient } from '../../local/credentials/LocalApiClient';
import { PipelineSupervisor } from '../../local/runtime/PipelineSupervisor';
import { waitUntil } from '../support/waitUntil';

/**
 * Idle finalisation through the offline runtime: the clock function runs on
 * its EventBridge schedule in the function host (every 500 ms here, through
 * TRIBUTARY_SCHEDULE_INTERVAL_MS). One batch of probe events feeds four
 * metrics; traffic then stops. The three opted-in metrics (one per window
 * kind, idle after 15 s) become final through the query API without another
 * event; the control, the same tumbling metric without the opt-in, keeps its
 * windows on time and open.
 */
const IDLE_MS = 15_000;
const probe = { filter: { types: ['idle.probe'] }, aggregations: { n: { kind: 'count' as const } } };
const idle = { maxDelayMs: 1_000, idleTimeoutMs: 2_000, advanceWhenIdleMs: IDLE_MS };
const METRICS: MetricDefinition[] = [
  { ...probe, name: 'idle-tumbling', window: { kind: 'tumbling', sizeMs: 5_000 }, watermark: { ...idle, allowedLatenessMs: 2_000 } },
  { ...probe, name: 'idle-hopping', window: { kind: 'hopping', sizeMs: 6_000, slideMs: 3_000 }, watermark: idle },
  { ...probe, name: 'idle-sessions', window: { kind: 'session', gapMs: 2_000 }, watermark: idle },
  { ...probe, name: 'control-tumbling', window: { kind: 'tumbling', sizeMs: 5_000 }, watermark: { maxDelayMs: 1_000, idleTimeoutMs: 2_000, allowedLatenessMs: 2_000 } },
];
const config: TributaryConfig = { ...tributaryConfig, stream: { ...tributaryConfig.stream, shardCount: 2 }, metrics: METRICS };

/** A partition key that Kinesis hashes to shard `index` of 2 (even split of the 128-bit MD5 range). */
function keyOnShard(index: 0 | 1, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`;
    if ((createHash('md5').update(key).digest()[0]! >= 0x80 ? 1 : 0) === index) return key;
  }
}

let supervisor: PipelineSupervisor;
let api: LocalApiClient;
let stateDir: string;
// At least ten seconds back, on a multiple of 30 s (so of every window size and slide here): the windows
// [base, base + 5 s) and [base + 5 s, base + 10 s) have ended in processing time when the probes arrive.
const base = Math.floor(Date.now() / 30_000) * 30_000 - 30_000;
const range = { from: base - 10_000, to: base + 20_000 };

async function windowsOf(name: string): Promise<{ watermark: number | null; windows: { windowStart: number; windowEnd: number; state: string; eventCount: number; lateEvents: number }[] }> {
  const response = await api.fetch(`/metrics/${name}?from=${range.from}&to=${range.to}`);
  expect(response.status).toBe(200);
  return response.json() as never;
}

async function send(events: unknown[]): Promise<void> {
  const response = await api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(((await response.json()) as { accepted: number }).accepted).toBe(events.length);
}

describe('Idle finalisation, end to end through the offline runtime', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'tributary-idle-'));
    supervisor = await PipelineSupervisor.start({
      stateDir,
      assemblyDir: path.join(stateDir, 'cdk.out'),
      apiPort: 0,
      emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
      pollIntervalMs: 200,
      config,
      hostEnvironment: { TRIBUTARY_SCHEDULE_INTERVAL_MS: '500' },
    });
    api = LocalApiClient.fromStateDir(supervisor.apiUrl, stateDir);
  }, 240_000);
  afterAll(async () => {
    await supervisor?.stop();
  });

  it('runs the clock on the template’s one-minute schedule, with Lambda’s 2 retries and its own DLQ as OnFailure destination', () => {
    const plan = JSON.parse(readFileSync(path.join(stateDir, 'plan.json'), 'utf8')) as LocalPlan;
    const [, queue] = Object.entries(plan.resources).find(([logicalId]) => logicalId.startsWith('ClockDeadLetterQueue'))!;
    // The audit's schedule is there too (audit.enabled is the default); this is the clock's.
    expect(plan.schedules.filter((schedule) => schedule.functionLogicalId.startsWith('ClockFunction'))).toEqual([
      expect.objectContaining({
        scheduleExpression: 'rate(1 minute)',
        intervalMs: 60_000,
        functionLogicalId: expect.stringMatching(/^ClockFunction/),
        maximumRetryAttempts: 2,
        onFailureFormat: 'destination',
        onFailureQueueUrl: queue.physicalId,
      }),
    ]);
  });

  it('the last windows of every opted-in kind become final without further traffic; the control stays on time; an event after the advance is late', async () => {
    // Both shards report: one probe at base + 1 s, one at base + 7 s on each. Event-driven watermark: base + 6 s.
    const [a, b] = [keyOnShard(0, 'idle'), keyOnShard(1, 'idle')];
    const sentAtMs = Date.now();
    await send([a, b].flatMap((key) => [1_000, 7_000].map((offsetMs) => ({ type: 'idle.probe', key, time: base + offsetMs, data: {} }))));
    await waitUntil('every metric to count the probes', async () => (await windowsOf('control-tumbling')).watermark === base + 6_000 && (await windowsOf('idle-sessions')).windows.length === 2, 60_000, 100);

    // The shards were active at the earliest when the probes were sent: before the idle time has passed since,
    // no tick may have moved anything, and the opted-in tumbling metric looks exactly like the control.
    const before = await windowsOf('idle-tumbling');
    expect(Date.now() - sentAtMs).toBeLessThan(IDLE_MS);
    expect(before.watermark).toBe(base + 6_000);
    expect(before.windows.map((w) => w.state)).toEqual(['on-time', 'open']);

    await waitUntil(
      'the idle metrics’ windows to be final',
      async () => {
        const all = await Promise.all(['idle-tumbling', 'idle-hopping', 'idle-sessions'].map(windowsOf));
        return all.every((result) => result.windows.length > 0 && result.windows.every((w) => w.state === 'final'));
      },
      60_000,
      250,
    );
    const finalAtMs = Date.now();

    const tumbling = await windowsOf('idle-tumbling');
    expect(tumbling.windows.map((w) => [w.windowStart, w.eventCount, w.state])).toEqual([
      [base, 2, 'final'],
      [base + 5_000, 2, 'final'],
    ]);
    // The clock's watermark trails processing time by the idle time and the max delay, never more than a tick's worth ahead.
    expect(tumbling.watermark!).toBeGreaterThanOrEqual(base + 10_000 - 1 + 2_000);
    expect(tumbling.watermark!).toBeLessThanOrEqual(Date.now() - IDLE_MS - 1_000);
    const hopping = await windowsOf('idle-hopping');
    expect(hopping.windows.map((w) => [w.windowStart, w.eventCount])).toEqual([
      [base - 3_000, 2],
      [base, 2],
      [base + 3_000, 2],
      [base + 6_000, 2],
    ]);
    const sessions = await windowsOf('idle-sessions');
    expect(sessions.windows.map((w) => [w.windowStart, w.windowEnd, w.eventCount, w.state])).toEqual([
      [base + 1_000, base + 3_000, 2, 'final'],
      [base + 7_000, base + 9_000, 2, 'final'],
    ]);
    // No event since the probes, and the control did not move: still on time and open.
    const control = await windowsOf('control-tumbling');
    expect(control.watermark).toBe(base + 6_000);
    expect(control.windows.map((w) => [w.windowStart, w.eventCount, w.state])).toEqual([
      [base, 2, 'on-time'],
      [base + 5_000, 2, 'open'],
    ]);
    console.log(`idle finalisation: every window final ${((finalAtMs - sentAtMs) / 1_000).toFixed(1)} s after the probes were sent (idle time ${IDLE_MS / 1_000} s, tick every 0.5 s)`);

    // A probe for [base, base + 5 s) now: late for the idle metric (its watermark passed), on time for the control.
    await send([{ type: 'idle.probe', key: a, time: base + 2_000, data: {} }]);
    await waitUntil('the late probe to be recorded', async () => (await windowsOf('idle-tumbling')).windows[0]?.lateEvents === 1, 60_000, 100);
    await waitUntil('the control to count it', async () => (await windowsOf('control-tumbling')).windows[0]?.eventCount === 3, 60_000, 100);
    expect((await windowsOf('idle-tumbling')).windows[0]).toMatchObject({ eventCount: 2, lateEvents: 1, state: 'final' });
  });
});
