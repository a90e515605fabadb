import { describe, expect, it } from 'vitest';
import { WatermarkClock } from '../../../core/aggregator/WatermarkClock';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition, WindowSpec } from '../../../core/metrics/MetricDefinition';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import type { PartialWrite, SessionGroupGuard, WindowDelete, WindowWrite } from '../../../core/ports/WindowStore';
import { ALL_GROUP } from '../../../core/metrics/groupKeyFor';
import { envelopeFactory } from '../../support/factories';

// Processing time and event time share one clock here: an event is processed 500 ms after its event time.
const T = Date.UTC(2026, 0, 1, 12, 0);
const SHARD_A = 'shardId-000000000000';
const SHARD_B = 'shardId-000000000001';
const IDLE_MS = 10_000;
const DELAY_MS = 1_000;

const metricOf = (window: WindowSpec, advanceWhenIdleMs: number | null = IDLE_MS): MetricDefinition => ({
  name: 'orders',
  filter: { types: ['order.created'] },
  window,
  watermark: { maxDelayMs: DELAY_MS, idleTimeoutMs: 5_000, allowedLatenessMs: 0, ...(advanceWhenIdleMs !== null ? { advanceWhenIdleMs } : {}) },
  aggregations: { orders: { kind: 'count' } },
});
const TUMBLING = metricOf({ kind: 'tumbling', sizeMs: 10_000 });

/** The in-memory store, with hooks that let a test run a competing writer just before a watermark or window write. */
class RacingStore extends InMemoryWindowStore {
  public beforeAdvance: (() => Promise<void>) | undefined;
  public beforeWindowWrite: (() => Promise<void>) | undefined;

  public override async advanceWatermarks(watermarkMs: Readonly<Record<string, number>>, expectedVersion: number): Promise<boolean> {
    const hook = this.beforeAdvance;
    this.beforeAdvance = undefined;
    await hook?.();
    return super.advanceWatermarks(watermarkMs, expectedVersion);
  }

  public override async writeWindows(writes: readonly WindowWrite[], deletes: readonly WindowDelete[], nowMs: number, guard?: SessionGroupGuard): Promise<boolean> {
    const hook = this.beforeWindowWrite;
    this.beforeWindowWrite = undefined;
    await hook?.();
    return super.writeWindows(writes, deletes, nowMs, guard);
  }

  public override async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    const hook = this.beforeWindowWrite;
    this.beforeWindowWrite = undefined;
    await hook?.();
    return super.writePartial(write, nowMs);
  }
}

let counter = 0;
const order = (timeMs: number, overrides: Partial<EventEnvelope> = {}) => ({ event: envelopeFactory({ id: `e${++counter}`, time: timeMs, ...overrides }), sequenceNumber: String(counter) });

function setUp(definitions: MetricDefinition[] = [TUMBLING]) {
  const store = new RacingStore();
  const metrics = definitions.map(compileMetric);
  const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory([SHARD_A, SHARD_B], T), { completions: new InMemoryCompletionLog() });
  const clock = new WatermarkClock(metrics, store, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, budgetMs: Number.POSITIVE_INFINITY });
  return { store, aggregator, clock };
}

const windowAt = (store: InMemoryWindowStore, startMs: number, metric = 'orders') => store.windows.get(`${metric}\u0000${ALL_GROUP}\u0000${startMs}`);

describe('Class: WatermarkClock', () => {
  it('tumbling: once traffic stops, the last window becomes final after its end + idle time + max delay, and not before', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    await aggregator.processBatch(SHARD_B, [order(T + 2_000)], T + 2_500);
    expect(store.watermarkMs.orders).toBe(T);

    // Shard B was active 9,999 ms ago: no advance.
    expect(await clock.tick(T + 2_500 + IDLE_MS - 1)).toMatchObject({ advanced: [], windowsFinalized: 0 });
    expect(store.watermarkMs.orders).toBe(T);

    // Idle for the idle time: the watermark follows processing time, now − idle − delay, but the window [T, T + 10 s) needs T + 9,999.
    expect(await clock.tick(T + 2_500 + IDLE_MS)).toMatchObject({ advanced: ['orders'], windowsFinalized: 0, watermarkMs: { orders: T + 1_500 } });
    expect(await clock.tick(T + 20_998)).toMatchObject({ windowsFinalized: 0, watermarkMs: { orders: T + 9_998 } });
    expect(windowAt(store, T)?.finalAtMs).toBeUndefined();

    const tick = await clock.tick(T + 20_999);

    expect(tick).toEqual({ advanced: ['orders'], windowsFinalized: 1, watermarkMs: { orders: T + 9_999 }, writeConflicts: 0 });
    expect(windowAt(store, T)).toMatchObject({ eventCount: 2, finalAtMs: T + 20_999 });
  });

  it('tumbling: an event after the idle advance whose window the watermark passed goes to the late output with reason "late"', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    await clock.tick(T + 30_000);
    expect(store.watermarkMs.orders).toBe(T + 19_000);

    // Event time T + 9,000 (window [T, T + 10 s), final) and T + 19,500 (window [T + 10 s, T + 20 s), still open at T + 19,000).
    const summary = await aggregator.processBatch(SHARD_B, [order(T + 9_000), order(T + 19_500)], T + 30_500);

    expect(summary).toMatchObject({ eventsCounted: 1, lateEvents: 1 });
    const late = [...store.late.values()];
    expect(late.map((entry) => ({ reason: entry.reason, eventTimeMs: entry.eventTimeMs, watermarkMs: entry.watermarkMs, windowsMissed: entry.windowsMissed }))).toEqual([
      { reason: 'late', eventTimeMs: T + 9_000, watermarkMs: T + 19_000, windowsMissed: [{ startMs: T, endMs: T + 10_000 }] },
    ]);
    expect(windowAt(store, T)).toMatchObject({ eventCount: 1, lateEventCount: 1 });
    expect(windowAt(store, T + 10_000)?.eventCount).toBe(1);
    expect(windowAt(store, T + 10_000)?.finalAtMs).toBeUndefined();
  });

  it('hopping: both windows of the last event become final once the watermark passes the newer one’s end', async () => {
    const { store, aggregator, clock } = setUp([metricOf({ kind: 'hopping', sizeMs: 10_000, slideMs: 5_000 })]);
    await aggregator.processBatch(SHARD_A, [order(T + 7_000)], T + 7_500);

    // [T, T + 10 s) is final at T + 9,999, [T + 5 s, T + 15 s) at T + 14,999: reached at now = T + 25,999.
    expect(await clock.tick(T + 20_999)).toMatchObject({ windowsFinalized: 1, watermarkMs: { orders: T + 9_999 } });
    expect(windowAt(store, T + 5_000)?.finalAtMs).toBeUndefined();
    expect(await clock.tick(T + 25_999)).toMatchObject({ windowsFinalized: 1, watermarkMs: { orders: T + 14_999 } });

    expect([windowAt(store, T), windowAt(store, T + 5_000)].map((w) => [w?.eventCount, w?.finalAtMs])).toEqual([
      [1, T + 20_999],
      [1, T + 25_999],
    ]);
  });

  it('session: the session closes when the watermark passes its last event + gap, and a later event whose own gap the watermark passed is late', async () => {
    const { store, aggregator, clock } = setUp([metricOf({ kind: 'session', gapMs: 5_000 })]);
    await aggregator.processBatch(SHARD_A, [order(T + 1_000), order(T + 3_000)], T + 3_500);

    // Session [T + 1 s, T + 8 s): final at watermark T + 7,999, i.e. now = T + 18,999.
    expect(await clock.tick(T + 18_998)).toMatchObject({ windowsFinalized: 0 });
    expect(await clock.tick(T + 18_999)).toMatchObject({ windowsFinalized: 1, watermarkMs: { orders: T + 7_999 } });
    expect(windowAt(store, T + 1_000)).toMatchObject({ endMs: T + 8_000, eventCount: 2, finalAtMs: T + 18_999 });

    // Its session [T + 2.5 s, T + 7.5 s) ends before the watermark T + 7,999: late, counted on the final session holding it.
    await aggregator.processBatch(SHARD_B, [order(T + 2_500)], T + 19_500);

    expect([...store.late.values()].map((entry) => [entry.reason, entry.eventTimeMs, entry.watermarkMs])).toEqual([['late', T + 2_500, T + 7_999]]);
    expect(windowAt(store, T + 1_000)).toMatchObject({ eventCount: 2, lateEventCount: 1 });
  });

  it('does not advance while any shard delivered an event of the metric within the idle time', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    // Shard B keeps delivering; A has been quiet for long.
    await aggregator.processBatch(SHARD_B, [order(T + 40_000)], T + 40_500);
    const before = store.watermarkMs.orders;

    expect(await clock.tick(T + 40_500 + IDLE_MS - 1)).toMatchObject({ advanced: [] });
    expect(store.watermarkMs.orders).toBe(before);
    expect(store.watermarkVersion).toBe(1);
  });

  it('does not advance while a shard has a batch announced and not completed (failing, retried by the ESM), and does once it completes', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    const failing = [order(T + 2_000)];
    store.beforeWindowWrite = async () => {
      throw new Error('storage down');
    };
    await expect(aggregator.processBatch(SHARD_B, failing, T + 2_500)).rejects.toThrow('storage down');

    expect(await clock.tick(T + 60_000)).toMatchObject({ advanced: [], windowsFinalized: 0 });

    // The ESM's retry lands: the shard's batch completes, and a later tick finds the metric idle.
    await aggregator.processBatch(SHARD_B, failing, T + 61_000);
    expect(await clock.tick(T + 61_000 + IDLE_MS)).toMatchObject({ advanced: ['orders'], windowsFinalized: 1 });
    expect(windowAt(store, T)).toMatchObject({ eventCount: 2 });
  });

  it('does not advance a metric that has seen no event yet, nor one without the opt-in', async () => {
    const { store, aggregator, clock } = setUp([TUMBLING, { ...metricOf({ kind: 'tumbling', sizeMs: 10_000 }, null), name: 'control' }, { ...TUMBLING, name: 'quiet', filter: { types: ['never.sent'] } }]);
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    const { control } = store.watermarkMs;

    const tick = await clock.tick(T + 60_000);

    expect(tick.advanced).toEqual(['orders']);
    expect(store.watermarkMs).toEqual({ orders: T + 49_000, control });
    expect(windowAt(store, T)?.finalAtMs).toBe(T + 60_000);
    expect(windowAt(store, T, 'control')?.finalAtMs).toBeUndefined();
  });

  it('never moves the watermark back: not below an event-driven one ahead of processing time, nor when a batch of old events follows', async () => {
    const { store, aggregator, clock } = setUp();
    // A producer clock 60 s ahead (within maxFutureMs): the event-driven watermark is ahead of now − delay.
    await aggregator.processBatch(SHARD_A, [order(T + 61_000)], T + 1_500);
    await aggregator.processBatch(SHARD_B, [order(T + 61_000)], T + 1_500);
    expect(store.watermarkMs.orders).toBe(T + 60_000);

    expect(await clock.tick(T + 30_000)).toMatchObject({ advanced: [], watermarkMs: { orders: T + 60_000 } });
    await clock.tick(T + 100_000);
    expect(store.watermarkMs.orders).toBe(T + 89_000);
    // An old event from shard B: its shard's own watermark is far behind, the pipeline's stays.
    await aggregator.processBatch(SHARD_B, [order(T + 2_000)], T + 100_500);

    expect(store.watermarkMs.orders).toBe(T + 89_000);
  });

  it('loses the watermark race to a batch delivered between its read and its write: re-reads, sees the shard active, leaves the watermark to the batch', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    store.beforeAdvance = async () => {
      await aggregator.processBatch(SHARD_A, [order(T + 29_500)], T + 30_000);
    };

    const tick = await clock.tick(T + 30_000);

    expect(tick).toEqual({ advanced: [], windowsFinalized: 0, watermarkMs: { orders: T + 28_500 }, writeConflicts: 1 });
    expect(store.watermarkMs.orders).toBe(T + 28_500);
  });

  it('two ticks at once (EventBridge delivers at least once): one writes, the other loses the race and stands down; each window is finalised once', async () => {
    const { store, aggregator, clock } = setUp();
    const twin = new WatermarkClock([compileMetric(TUMBLING)], store);
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    let second: ReturnType<WatermarkClock['tick']> | undefined;
    store.beforeAdvance = async () => {
      second = twin.tick(T + 30_000);
      await second;
    };

    const first = await clock.tick(T + 30_000);

    expect(await second).toMatchObject({ advanced: ['orders'], windowsFinalized: 1, writeConflicts: 0 });
    expect(first).toEqual({ advanced: [], windowsFinalized: 0, watermarkMs: { orders: T + 19_000 }, writeConflicts: 1 });
    expect(store.watermarkVersion).toBe(1);
    expect(store.finalizations).toBe(1);
  });

  it('a batch that read the watermark before a tick finalised its window counts its event as late, not into the final window', async () => {
    const { store, aggregator, clock } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], T + 1_500);
    // The tick reads (no batch in flight), then the batch reads and announces itself, then the tick writes and
    // finalises, and only then the batch writes its window.
    let announced!: () => void;
    const batchAnnounced = new Promise<void>((resolve) => (announced = resolve));
    let release!: () => void;
    const tickDone = new Promise<void>((resolve) => (release = resolve));
    let batch: ReturnType<typeof aggregator.processBatch> | undefined;
    store.beforeWindowWrite = async () => {
      announced();
      await tickDone;
    };
    store.beforeAdvance = async () => {
      // Placed at the stored watermark T: on time for [T, T + 10 s).
      batch = aggregator.processBatch(SHARD_B, [order(T + 5_000)], T + 30_000);
      await batchAnnounced;
    };

    const tick = await clock.tick(T + 30_000);
    release();
    const summary = await batch!;

    expect(tick).toMatchObject({ advanced: ['orders'], windowsFinalized: 1 });
    expect(summary.lateEvents).toBe(1);
    expect(windowAt(store, T)).toMatchObject({ eventCount: 1, lateEventCount: 1 });
    expect([...store.late.values()].map((entry) => entry.reason)).toEqual(['late']);
  });
});
