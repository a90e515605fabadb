import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowAccumulator } from '../../shared/aggregation/WindowAccumulator';
import type { EventEnvelope } from '../../shared/envelope/EventEnvelope';
import { compileMetric, type CompiledMetric } from '../../shared/metrics/compileMetric';
import { groupKeyFor } from '../../shared/metrics/groupKeyFor';
import type { MetricDefinition } from '../../shared/metrics/MetricDefinition';
import { StaticShardDirectory } from '../../shared/windowing/ShardDirectory';
import { WindowedAggregator } from '../../shared/windowing/WindowedAggregator';
import { InMemoryWindowStore } from '../support/InMemoryWindowStore';

const MAX_DELAY_MS = 2_000;
const BASE_MS = Date.UTC(2026, 0, 1);

const aggregations: MetricDefinition['aggregations'] = {
  orders: { kind: 'count' },
  revenue: { kind: 'sum', field: 'data.amount' },
  smallest: { kind: 'min', field: 'data.amount' },
  largest: { kind: 'max', field: 'data.amount' },
  mean: { kind: 'avg', field: 'data.amount' },
  big: { kind: 'countIf', where: [{ field: 'data.amount', range: { gte: 500 } }] },
  failureRate: { kind: 'ratio', where: [{ field: 'data.status', equals: 'failed' }] },
  customers: { kind: 'distinct', field: 'data.user' },
  latency: { kind: 'quantiles', field: 'data.amount' },
};

function definitions(allowedLatenessMs: number): MetricDefinition[] {
  const common = {
    filter: { types: ['order.created'] },
    groupBy: ['data.region'] as const,
    watermark: { maxDelayMs: MAX_DELAY_MS, idleTimeoutMs: 3_600_000, allowedLatenessMs },
    aggregations,
  };
  return [
    { name: 'tumbling', ...common, window: { kind: 'tumbling', sizeMs: 10_000 } },
    { name: 'hopping', ...common, window: { kind: 'hopping', sizeMs: 10_000, slideMs: 4_000 } },
    { name: 'session', ...common, window: { kind: 'session', gapMs: 3_000 } },
  ];
}

interface GeneratedEvent {
  readonly stepMs: number;
  readonly backMs: number;
  readonly key: number;
  readonly region: number;
  readonly amount: number;
  readonly user: number;
  readonly failed: boolean;
}

const generatedEvent = (maxBackMs: number) =>
  fc.record({
    // Boundary-heavy steps: exactly the session gap, one either side, window sizes.
    stepMs: fc.oneof(fc.constantFrom(0, 1, 1_000, 2_999, 3_000, 3_001, 4_000, 10_000), fc.integer({ min: 0, max: 9_000 })),
    backMs: fc.oneof(fc.constantFrom(0, 1, maxBackMs, Math.floor(maxBackMs / 2)), fc.integer({ min: 0, max: maxBackMs })),
    key: fc.integer({ min: 0, max: 11 }),
    region: fc.integer({ min: 0, max: 2 }),
    amount: fc.integer({ min: -50, max: 1_000 }),
    user: fc.integer({ min: 0, max: 40 }),
    failed: fc.boolean(),
  });

/** Events in arrival order; each is at most `backMs` behind the largest time before it. */
function toEvents(generated: readonly GeneratedEvent[]): EventEnvelope[] {
  let maxMs = BASE_MS;
  return generated.map((g, index) => {
    maxMs += g.stepMs;
    const time = maxMs - g.backMs;
    return {
      id: `e${String(index).padStart(4, '0')}`,
      type: 'order.created',
      key: `k${g.key}`,
      time,
      data: { region: ['eu', 'us', 'ap'][g.region], amount: g.amount, user: `u${g.user}`, status: g.failed ? 'failed' : 'ok' },
      receivedAt: time,
    };
  });
}

/** Splits `items` into consecutive batches of the given sizes (cycled). */
function split<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  for (let offset = 0, i = 0; offset < items.length; i++) {
    const size = sizes[i % sizes.length]!;
    batches.push(items.slice(offset, offset + size));
    offset += size;
  }
  return batches;
}

/** Window starts holding t, by brute force over the aligned starts around it (independent of the engine's math). */
function fixedWindowStarts(window: { kind: 'tumbling'; sizeMs: number } | { kind: 'hopping'; sizeMs: number; slideMs: number }, t: number): number[] {
  const stepMs = window.kind === 'hopping' ? window.slideMs : window.sizeMs;
  const starts: number[] = [];
  for (let k = Math.floor((t - window.sizeMs) / stepMs) - 1; k <= Math.floor(t / stepMs) + 1; k++) {
    const start = k * stepMs;
    if (start <= t && t < start + window.sizeMs) starts.push(start);
  }
  return starts;
}

type Expected = Map<string, { endMs: number; events: EventEnvelope[] }>;
const windowId = (metric: string, group: string, startMs: number) => `${metric}|${group}|${startMs}`;

/** Batch recomputation: every event in every window of every metric, sessions by sorting. */
function recompute(metrics: readonly CompiledMetric[], events: readonly EventEnvelope[]): Expected {
  const expected: Expected = new Map();
  const add = (id: string, endMs: number, event: EventEnvelope) => {
    const entry = expected.get(id) ?? { endMs, events: [] };
    entry.events.push(event);
    expected.set(id, entry);
  };
  for (const metric of metrics) {
    const window = metric.window;
    if (window.kind !== 'session') {
      for (const event of events) {
        for (const startMs of fixedWindowStarts(window, event.time)) add(windowId(metric.name, groupKeyFor(event, metric.groupBy), startMs), startMs + window.sizeMs, event);
      }
      continue;
    }
    const byGroup = new Map<string, EventEnvelope[]>();
    for (const event of events) {
      const group = groupKeyFor(event, metric.groupBy);
      byGroup.set(group, [...(byGroup.get(group) ?? []), event]);
    }
    for (const [group, groupEvents] of byGroup) {
      const sorted = [...groupEvents].sort((a, b) => a.time - b.time);
      let current: EventEnvelope[] = [];
      const flush = () => {
        const startMs = current[0]!.time;
        const endMs = current[current.length - 1]!.time + window.gapMs;
        for (const event of current) add(windowId(metric.name, group, startMs), endMs, event);
      };
      for (const event of sorted) {
        if (current.length > 0 && event.time - current[current.length - 1]!.time > window.gapMs) {
          flush();
          current = [];
        }
        current.push(event);
      }
      flush();
    }
  }
  return expected;
}

function expectStoreMatches(store: InMemoryWindowStore, metrics: readonly CompiledMetric[], expected: Expected): void {
  const actual = new Map<string, { endMs: number; eventCount: number; values: unknown }>();
  for (const window of store.windows.values()) {
    if (window.eventCount > 0) actual.set(windowId(window.metric, window.group, window.startMs), { endMs: window.endMs, eventCount: window.eventCount, values: window.values });
  }
  const wanted = new Map(
    [...expected].map(([id, { endMs, events }]) => {
      const metric = metrics.find((m) => m.name === id.split('|')[0])!;
      const accumulator = new WindowAccumulator(metric.aggregations);
      for (const event of events) accumulator.add(event);
      return [id, { endMs, eventCount: events.length, values: accumulator.results() }];
    }),
  );
  expect(new Map([...actual].sort())).toEqual(new Map([...wanted].sort()));
}

describe('Property: windowed results do not depend on batching, shards or arrival order', () => {
  let finalizations = 0;
  it('equal a batch recomputation for events within the watermark bound, whatever the batches, shard count and interleaving', async () => {
    const metrics = definitions(0).map(compileMetric);
    await fc.assert(
      fc.asyncProperty(
        fc.array(generatedEvent(MAX_DELAY_MS - 1), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        async (generated, shardCount, batchSizes, interleaving) => {
          // Prepare: route by key to shards, cut each shard into batches.
          const events = toEvents(generated);
          const perShard = new Map<string, EventEnvelope[]>();
          for (const event of events) {
            const shardId = `shardId-${String(Number(event.key.slice(1)) % shardCount).padStart(12, '0')}`;
            perShard.set(shardId, [...(perShard.get(shardId) ?? []), event]);
          }
          const queues = [...perShard].map(([shardId, shardEvents]) => ({ shardId, batches: split(shardEvents, batchSizes) }));
          const store = new InMemoryWindowStore();
          const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory([...perShard.keys()]));

          // Act: batches of different shards in a random interleaving, each shard in order.
          let sequence = 0;
          for (let pick = 0; queues.some((q) => q.batches.length > 0); pick++) {
            const open = queues.filter((q) => q.batches.length > 0);
            const queue = open[interleaving[pick % interleaving.length]! % open.length]!;
            const batch = queue.batches.shift()!;
            await aggregator.processBatch(queue.shardId, batch.map((event) => ({ event, sequenceNumber: String(++sequence) })), 0);
          }

          // Assess
          expect([...store.late.values()]).toEqual([]);
          expectStoreMatches(store, metrics, recompute(metrics, events));
          finalizations += store.finalizations;
        },
      ),
      { numRuns: 150, seed: 20261122 },
    );
    // The watermark really moved: windows were finalised along the way, and still nothing was late.
    expect(finalizations).toBeGreaterThan(100);
  });
});

/** One event at a time, as Flink would see a single shard: which (event, window) pairs are late, and what each window holds. */
function referenceWithLateness(metrics: readonly CompiledMetric[], events: readonly EventEnvelope[]): { expected: Expected; late: Map<string, number[]> } {
  const expected: Expected = new Map();
  const late = new Map<string, number[]>();
  const markLate = (metric: string, event: EventEnvelope, startMs: number) => late.set(`${metric}|${event.id}`, [...(late.get(`${metric}|${event.id}`) ?? []), startMs]);
  for (const metric of metrics) {
    const window = metric.window;
    let maxSeenMs = Number.NEGATIVE_INFINITY;
    const sessions = new Map<string, { startMs: number; endMs: number; events: EventEnvelope[] }[]>();
    for (const event of events) {
      const watermarkMs = maxSeenMs - metric.maxDelayMs;
      const isLate = (endMs: number) => endMs - 1 + metric.allowedLatenessMs <= watermarkMs;
      const group = groupKeyFor(event, metric.groupBy);
      if (window.kind !== 'session') {
        for (const startMs of fixedWindowStarts(window, event.time)) {
          if (isLate(startMs + window.sizeMs)) {
            markLate(metric.name, event, startMs);
          } else {
            const id = windowId(metric.name, group, startMs);
            const entry = expected.get(id) ?? { endMs: startMs + window.sizeMs, events: [] };
            entry.events.push(event);
            expected.set(id, entry);
          }
        }
      } else {
        const list = sessions.get(group) ?? [];
        sessions.set(group, list);
        const live = list.filter((s) => !isLate(s.endMs) && s.startMs <= event.time + window.gapMs && s.endMs >= event.time);
        const startMs = Math.min(event.time, ...live.map((s) => s.startMs));
        const endMs = Math.max(event.time + window.gapMs, ...live.map((s) => s.endMs));
        if (isLate(endMs)) {
          markLate(metric.name, event, event.time);
        } else {
          for (const s of live) list.splice(list.indexOf(s), 1);
          list.push({ startMs, endMs, events: [...live.flatMap((s) => s.events), event] });
        }
      }
      maxSeenMs = Math.max(maxSeenMs, event.time);
    }
    for (const [group, list] of sessions) {
      for (const s of list) expected.set(windowId(metric.name, group, s.startMs), { endMs: s.endMs, events: s.events });
    }
  }
  return { expected, late };
}

describe('Property: lateness', () => {
  it('sends exactly the (event, window) pairs the one-at-a-time reference calls late to the late output, whatever the batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(generatedEvent(3 * MAX_DELAY_MS), { minLength: 1, maxLength: 120 }),
        fc.constantFrom(0, 1_000, 5_000),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (generated, allowedLatenessMs, batchSizes) => {
          // Prepare
          const metrics = definitions(allowedLatenessMs).map(compileMetric);
          const events = toEvents(generated);
          const store = new InMemoryWindowStore();
          const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory(['shardId-000000000000']));

          // Act
          let sequence = 0;
          for (const batch of split(events, batchSizes)) {
            await aggregator.processBatch('shardId-000000000000', batch.map((event) => ({ event, sequenceNumber: String(++sequence) })), 0);
          }

          // Assess: the late output, event by event and window by window, then every window's content.
          const reference = referenceWithLateness(metrics, events);
          const lateOutput = new Map([...store.late.values()].map((entry) => [`${entry.metric}|${entry.event.id}`, entry.windowsMissed.map((w) => w.startMs)]));
          expect(new Map([...lateOutput].sort())).toEqual(new Map([...reference.late].sort()));
          expectStoreMatches(store, metrics, reference.expected);
          // Late events are counted on the fixed windows they missed.
          for (const window of store.windows.values()) {
            if (window.metric === 'session') continue;
            const missed = [...reference.late].filter(([id, starts]) => id.startsWith(`${window.metric}|`) && starts.includes(window.startMs)).map(([id]) => id.split('|')[1]);
            const inGroup = missed.filter((id) => groupKeyFor(events.find((e) => e.id === id)!, metrics[0]!.groupBy) === window.group);
            expect(window.lateEventCount).toBe(inGroup.length);
          }
        },
      ),
      { numRuns: 150, seed: 20261123 },
    );
  });
});
