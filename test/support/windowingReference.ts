import fc from 'fast-check';
import { expect } from 'vitest';
import { WindowAccumulator } from '../../core/aggregation/WindowAccumulator';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import type { CompiledMetric } from '../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { StoredWindow } from '../../core/ports/WindowStore';
import { windowId, type Expected } from '../../local/chaos/referenceWindows';

/**
 * Generators and the batch-recomputation reference shared by the windowing
 * property tests (in-memory store) and the DynamoDB Local conformance tests.
 */
export const MAX_DELAY_MS = 2_000;
export const BASE_MS = Date.UTC(2026, 0, 1);

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

export function definitions(allowedLatenessMs: number): MetricDefinition[] {
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

export interface GeneratedEvent {
  readonly stepMs: number;
  readonly backMs: number;
  readonly key: number;
  readonly region: number;
  readonly amount: number;
  readonly user: number;
  readonly failed: boolean;
}

export const generatedEvent = (maxBackMs: number) =>
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
export function toEvents(generated: readonly GeneratedEvent[]): EventEnvelope[] {
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
export function split<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  for (let offset = 0, i = 0; offset < items.length; i++) {
    const size = sizes[i % sizes.length]!;
    batches.push(items.slice(offset, offset + size));
    offset += size;
  }
  return batches;
}

export { fixedWindowStarts, recompute, windowId, type Expected } from '../../local/chaos/referenceWindows';

export function expectWindowsMatch(windows: Iterable<StoredWindow>, metrics: readonly CompiledMetric[], expected: Expected): void {
  const actual = new Map<string, { endMs: number; eventCount: number; values: unknown }>();
  for (const window of windows) {
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
