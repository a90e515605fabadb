import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { envelopeFactory } from '../../support/factories';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';

const T = Date.UTC(2026, 0, 1, 12, 0);
const SHARD_A = 'shardId-000000000000';
const SHARD_B = 'shardId-000000000001';
const definition: MetricDefinition = {
  name: 'orders',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: { kind: 'tumbling', sizeMs: 10_000 },
  watermark: { maxDelayMs: 1_000, idleTimeoutMs: 5_000, allowedLatenessMs: 0 },
  aggregations: { orders: { kind: 'count' } },
};

let counter = 0;
const order = (timeMs: number, overrides: Partial<EventEnvelope> = {}) => {
  const event = envelopeFactory({ id: `e${++counter}`, time: timeMs, data: { region: 'eu', amount: 1 }, ...overrides });
  return { event, sequenceNumber: String(counter) };
};

function setUp(definitions: MetricDefinition[] = [definition], shards = [SHARD_A]) {
  const store = new InMemoryWindowStore();
  const aggregator = new WindowedAggregator(definitions.map(compileMetric), store, store, new StaticShardDirectory(shards, 0), { completions: new InMemoryCompletionLog() });
  return { store, aggregator };
}

describe('Class: WindowedAggregator', () => {
  it('counts an event exactly max delay − 1 ms behind, on its window’s last millisecond, as on time', async () => {
    // Prepare: max seen T + 10,998 → watermark T + 9,998; window [T, T + 10 s) is late from T + 9,999.
    const { store, aggregator } = setUp();

    // Act
    await aggregator.processBatch(SHARD_A, [order(T + 10_998), order(T + 9_999)], 0);
    await aggregator.processBatch(SHARD_A, [order(T + 10_999), order(T + 9_999)], 0);

    // Assess: the first 9,999 was on time, the second met watermark T + 9,999 and is late.
    expect(store.windows.get(`orders\u0000eu\u0000${T}`)).toMatchObject({ eventCount: 1, lateEventCount: 1 });
    expect([...store.late.values()].map((l) => [l.event.time, l.watermarkMs])).toEqual([[T + 9_999, T + 9_999]]);
  });

  it('advances the watermark when two shards finish their batches at the same moment', async () => {
    const { store, aggregator } = setUp([definition], [SHARD_A, SHARD_B]);

    await Promise.all([aggregator.processBatch(SHARD_A, [order(T + 5_000)], 0), aggregator.processBatch(SHARD_B, [order(T + 7_000)], 0)]);

    expect(store.watermarkMs).toEqual({ orders: T + 4_000 });
  });

  it('holds the watermark for a listed shard that has not reported, until its idle timeout', async () => {
    const { store, aggregator } = setUp([definition], [SHARD_A, SHARD_B]);

    await aggregator.processBatch(SHARD_A, [order(T + 5_000)], 5_000);
    expect(store.watermarkMs).toEqual({});
    await aggregator.processBatch(SHARD_A, [order(T + 6_000)], 5_001);

    expect(store.watermarkMs).toEqual({ orders: T + 5_000 });
  });

  it('leaves an idle shard out, and never moves the watermark back when it wakes up behind', async () => {
    // Prepare: both shards report; B then goes quiet while A moves on.
    const { store, aggregator } = setUp([definition], [SHARD_A, SHARD_B]);
    await aggregator.processBatch(SHARD_A, [order(T + 1_000)], 0);
    await aggregator.processBatch(SHARD_B, [order(T + 2_000)], 0);
    expect(store.watermarkMs).toEqual({ orders: T });

    // Act: at 6 s B has been idle for more than 5 s; then B returns with an old event.
    await aggregator.processBatch(SHARD_A, [order(T + 30_000)], 6_000);
    const afterIdle = store.watermarkMs.orders;
    await aggregator.processBatch(SHARD_B, [order(T + 3_000)], 7_000);

    // Assess
    expect(afterIdle).toBe(T + 29_000);
    expect(store.watermarkMs.orders).toBe(T + 29_000);
    expect([...store.late.values()].map((l) => l.event.time)).toEqual([T + 3_000]);
  });

  it('sends the events to the late output when another consumer finalises their window between read and write', async () => {
    // Prepare: the window exists; just before this batch writes, a competing consumer finalises it.
    const { store, aggregator } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 100)], 0);
    store.beforeWrite = () => {
      for (const [key, window] of store.windows) store.windows.set(key, { ...window, finalAtMs: 1 });
      store.beforeWrite = undefined;
    };

    // Act
    const summary = await aggregator.processBatch(SHARD_A, [order(T + 200), order(T + 300)], 0);

    // Assess: the window kept its one event; both new ones are in the late output and counted on it.
    expect(summary.lateEvents).toBe(2);
    expect(store.windows.get(`orders\u0000eu\u0000${T}`)).toMatchObject({ eventCount: 1, lateEventCount: 2 });
    expect([...store.late.values()].map((l) => [l.reason, l.windowsMissed])).toEqual([
      ['late', [{ startMs: T, endMs: T + 10_000 }]],
      ['late', [{ startMs: T, endMs: T + 10_000 }]],
    ]);
  });

  it('re-reads and re-merges a window whose own partial changed since it was read (a redelivery elsewhere), and counts the lost race', async () => {
    // Prepare: just before this batch's write, another consumer of the same shard adds an event to the shard's partial.
    const { store, aggregator } = setUp();
    await aggregator.processBatch(SHARD_A, [order(T + 100)], 0);
    store.beforeWrite = () => {
      for (const [key, window] of store.windows) {
        const own = window.partials[SHARD_A]!;
        store.windows.set(key, { ...window, partials: { [SHARD_A]: { ...own, eventCount: 2, state: { orders: 2 }, version: own.version + 1 } }, version: window.version + 1 });
      }
      store.beforeWrite = undefined;
    };

    // Act
    const summary = await aggregator.processBatch(SHARD_A, [order(T + 200)], 0);

    // Assess: nothing lost: 1 (first batch) + 1 (the other writer) + 1 (this batch).
    expect(summary.writeConflicts).toBe(1);
    expect(store.windows.get(`orders\u0000eu\u0000${T}`)).toMatchObject({ eventCount: 3, values: { orders: 3 }, version: 3 });
  });

  it('never races with the consumer of another shard writing the same window: each writes its own partial, readers see the merge', async () => {
    // Prepare: just before this batch's write, shard B's consumer writes its partial of the same window.
    const { store, aggregator } = setUp(undefined, [SHARD_A, SHARD_B]);
    await aggregator.processBatch(SHARD_A, [order(T + 100)], 0);
    store.beforeWrite = () => {
      for (const [key, window] of store.windows) {
        store.windows.set(key, { ...window, partials: { ...window.partials, [SHARD_B]: { eventCount: 1, state: { orders: 1 }, marks: { applied: { [SHARD_B]: '7' }, frozen: {}, redriven: {} }, version: 1 } }, version: window.version + 1 });
      }
      store.beforeWrite = undefined;
    };

    // Act
    const summary = await aggregator.processBatch(SHARD_A, [order(T + 200)], 0);

    // Assess: no lost race; 2 (shard A) + 1 (shard B), each shard's marks in its own partial.
    expect(summary.writeConflicts).toBe(0);
    const window = store.windows.get(`orders\u0000eu\u0000${T}`)!;
    expect(window).toMatchObject({ eventCount: 3, values: { orders: 3 }, version: 3 });
    expect(Object.fromEntries(Object.entries(window.partials).map(([shard, p]) => [shard, [p.eventCount, p.version, p.marks.applied]]))).toEqual({
      [SHARD_A]: [2, 2, { [SHARD_A]: String(counter) }],
      [SHARD_B]: [1, 1, { [SHARD_B]: '7' }],
    });
  });

  it('finalises each window exactly once however many batches pass it', async () => {
    const { store, aggregator } = setUp();
    for (let i = 0; i < 20; i++) await aggregator.processBatch(SHARD_A, [order(T + i * 5_000), order(T + i * 5_000 + 1)], 0);

    // Windows [T, T+10 s) … : all but the last two are past the watermark (T + 94 s).
    const finals = [...store.windows.values()].filter((w) => w.finalAtMs !== undefined).map((w) => w.startMs - T);
    expect(finals).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000]);
    expect(store.finalizations).toBe(9);
  });

  it('reads the event time from a data field, and sends events without a readable one to the late output with the reason', async () => {
    const { store, aggregator } = setUp([{ ...definition, eventTime: 'data.occurredAt' }]);

    await aggregator.processBatch(
      SHARD_A,
      [order(0, { data: { region: 'eu', occurredAt: new Date(T + 1_000).toISOString() } }), order(T, { data: { region: 'eu', occurredAt: 'yesterday' } })],
      0,
    );

    expect([...store.windows.values()].map((w) => [w.startMs, w.eventCount])).toEqual([[T, 1]]);
    expect([...store.late.values()].map((l) => [l.reason, l.event.data.occurredAt])).toEqual([['invalid-event-time', 'yesterday']]);
  });

  it('applies filter conditions before anything else', async () => {
    const { store, aggregator } = setUp([{ ...definition, filter: { types: ['order.created'], where: [{ field: 'data.amount', range: { gt: 5 } }] } }]);

    await aggregator.processBatch(SHARD_A, [order(T, { data: { region: 'eu', amount: 5 } }), order(T, { data: { region: 'eu', amount: 6 } })], 0);

    expect([...store.windows.values()].map((w) => w.values)).toEqual([{ orders: 1 }]);
  });

  it('sends an event stamped far ahead of its arrival to the late output as future-event-time, never moving the watermark', async () => {
    // Prepare: arrival at T; one event in year 2099, then on-time events.
    const { store, aggregator } = setUp();
    const arrived = (timeMs: number) => ({ ...order(timeMs), arrivedAtMs: T });

    // Act
    await aggregator.processBatch(SHARD_A, [arrived(Date.UTC(2099, 0, 1)), arrived(T + 300_001)], T);
    await aggregator.processBatch(SHARD_A, [arrived(T + 1_000)], T);
    await aggregator.processBatch(SHARD_A, [arrived(T + 300_000)], T);

    // Assess: the default bound is 5 minutes ahead (inclusive); the on-time event after them still counts.
    expect([...store.late.values()].map((l) => [l.reason, l.eventTimeMs])).toEqual([
      ['future-event-time', Date.UTC(2099, 0, 1)],
      ['future-event-time', T + 300_001],
    ]);
    expect(store.windows.get(`orders\u0000eu\u0000${T}`)).toMatchObject({ eventCount: 1, lateEventCount: 0 });
    expect(store.windows.get(`orders\u0000eu\u0000${T + 300_000}`)).toMatchObject({ eventCount: 1 });
  });
});

describe('Class: WindowedAggregator, the consumer-lag sample', () => {
  it('samples the event times of counted events only, at most 100 of a large batch, overall and per metric', async () => {
    // Prepare: 300 on-time events, then one batch with an event far behind the watermark (late, not counted).
    const { aggregator } = setUp();
    const onTime = Array.from({ length: 300 }, (_, i) => order(T + i));

    // Act
    const first = await aggregator.processBatch(SHARD_A, onTime, 0);
    const second = await aggregator.processBatch(SHARD_A, [order(T + 60_000), order(T - 60_000)], 0);

    // Assess
    expect(first.lagSampleTimesMs).toHaveLength(100);
    expect(first.lagSampleTimesMs.slice(0, 3)).toEqual([T, T + 3, T + 6]);
    expect(first.lagSampleTimesMsByMetric).toEqual({ orders: first.lagSampleTimesMs });
    expect(second).toMatchObject({ eventsCounted: 1, lateEvents: 1, lagSampleTimesMs: [T + 60_000], lagSampleTimesMsByMetric: { orders: [T + 60_000] } });
  });

  it('samples each metric definition apart: an event two metrics count is in both samples', async () => {
    const allOrders: MetricDefinition = { ...definition, name: 'all-orders', groupBy: [] };
    const { aggregator } = setUp([definition, allOrders]);

    const summary = await aggregator.processBatch(SHARD_A, [order(T + 1), order(T + 2)], 0);

    expect(summary.eventsCounted).toBe(4);
    expect(summary.lagSampleTimesMs).toEqual([T + 1, T + 2, T + 1, T + 2]);
    expect(summary.lagSampleTimesMsByMetric).toEqual({ orders: [T + 1, T + 2], 'all-orders': [T + 1, T + 2] });
  });
});
