import { WindowAccumulator } from '../../core/aggregation/WindowAccumulator';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import type { CompiledMetric } from '../../core/metrics/compileMetric';
import { groupKeyFor } from '../../core/metrics/groupKeyFor';
import { canonicalJson } from '../../core/json/canonicalJson';

/**
 * The reference the chaos run and the windowing property tests compare with:
 * every window recomputed from the events in one pass, by brute force and
 * independently of the engine's window math.
 */

/** Window starts holding t, by brute force over the aligned starts around it (independent of the engine's math). */
export function fixedWindowStarts(window: { kind: 'tumbling'; sizeMs: number } | { kind: 'hopping'; sizeMs: number; slideMs: number }, t: number): number[] {
  const stepMs = window.kind === 'hopping' ? window.slideMs : window.sizeMs;
  const starts: number[] = [];
  for (let k = Math.floor((t - window.sizeMs) / stepMs) - 1; k <= Math.floor(t / stepMs) + 1; k++) {
    const start = k * stepMs;
    if (start <= t && t < start + window.sizeMs) starts.push(start);
  }
  return starts;
}

export type Expected = Map<string, { endMs: number; events: EventEnvelope[] }>;
export const windowId = (metric: string, group: string, startMs: number) => `${metric}|${group}|${startMs}`;

/** Batch recomputation: every event in every window of every metric, sessions by sorting. */
export function recompute(metrics: readonly CompiledMetric[], allEvents: readonly EventEnvelope[]): Expected {
  const expected: Expected = new Map();
  const add = (id: string, endMs: number, event: EventEnvelope) => {
    const entry = expected.get(id) ?? { endMs, events: [] };
    entry.events.push(event);
    expected.set(id, entry);
  };
  for (const metric of metrics) {
    const window = metric.window;
    // The metric's filter: its event types and conditions.
    const events = allEvents.filter((event) => metric.types.has(event.type) && metric.where(event));
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

/** A window as read back from the store, for the comparison. */
export interface ObservedWindow {
  readonly metric: string;
  readonly group: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly eventCount: number;
  readonly values: unknown;
}

/** Windows that differ from the reference (missing, extra, or with other counts or values), described. */
export function compareWithReference(windows: Iterable<ObservedWindow>, metrics: readonly CompiledMetric[], expected: Expected): { compared: number; mismatches: string[] } {
  const actual = new Map<string, ObservedWindow>();
  for (const window of windows) if (window.eventCount > 0) actual.set(windowId(window.metric, window.group, window.startMs), window);
  const mismatches: string[] = [];
  for (const [id, { endMs, events }] of expected) {
    const metric = metrics.find((m) => m.name === id.split('|')[0])!;
    const accumulator = new WindowAccumulator(metric.aggregations);
    for (const event of events) accumulator.add(event);
    const found = actual.get(id);
    actual.delete(id);
    if (!found) mismatches.push(`${id}: missing (${events.length} event(s))`);
    else if (found.endMs !== endMs || found.eventCount !== events.length || canonicalJson(found.values) !== canonicalJson(accumulator.results())) {
      mismatches.push(`${id}: ${found.eventCount} event(s) ${canonicalJson(found.values)}, expected ${events.length} ${canonicalJson(accumulator.results())}`);
    }
  }
  for (const [id, window] of actual) mismatches.push(`${id}: not expected (${window.eventCount} event(s))`);
  return { compared: expected.size, mismatches };
}
