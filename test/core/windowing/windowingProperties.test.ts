import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric, type CompiledMetric } from '../../../core/metrics/compileMetric';
import { groupKeyFor } from '../../../core/metrics/groupKeyFor';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import {
  definitions,
  expectWindowsMatch,
  fixedWindowStarts,
  generatedEvent,
  MAX_DELAY_MS,
  recompute,
  split,
  toEvents,
  windowId,
  type Expected,
} from '../../support/windowingReference';

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
          const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory([...perShard.keys()], 0), { completions: new InMemoryCompletionLog() });

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
          expectWindowsMatch(store.windows.values(), metrics, recompute(metrics, events));
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
          const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory(['shardId-000000000000'], 0), { completions: new InMemoryCompletionLog() });

          // Act
          let sequence = 0;
          for (const batch of split(events, batchSizes)) {
            await aggregator.processBatch('shardId-000000000000', batch.map((event) => ({ event, sequenceNumber: String(++sequence) })), 0);
          }

          // Assess: the late output, event by event and window by window, then every window's content.
          const reference = referenceWithLateness(metrics, events);
          const lateOutput = new Map([...store.late.values()].map((entry) => [`${entry.metric}|${entry.event.id}`, entry.windowsMissed.map((w) => w.startMs)]));
          expect(new Map([...lateOutput].sort())).toEqual(new Map([...reference.late].sort()));
          expectWindowsMatch(store.windows.values(), metrics, reference.expected);
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
