import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { CompiledMetric } from '../metrics/compileMetric';
import { groupKeyFor } from '../metrics/groupKeyFor';
import { readField } from '../metrics/readField';
import { tumblingWindowStart } from '../windowing/tumblingWindowStart';
import type { WindowDelta } from './WindowDelta';

/**
 * Folds a batch of events into one delta per (metric, group, window), so that
 * storage sees one write per window touched instead of one per event.
 */
export function preAggregate(events: readonly EventEnvelope[], metrics: readonly CompiledMetric[]): WindowDelta[] {
  const deltas = new Map<string, WindowDelta>();
  for (const event of events) {
    for (const metric of metrics) {
      if (!metric.types.has(event.type)) continue;
      const group = groupKeyFor(event, metric.groupBy);
      const windowStartMs = tumblingWindowStart(event.time, metric.windowSizeMs);
      // NUL cannot occur in metric names and is harmless in groups: an unambiguous separator.
      const id = `${metric.name}\u0000${windowStartMs}\u0000${group}`;
      let delta = deltas.get(id);
      if (!delta) {
        delta = { metric: metric.name, group, windowStartMs, windowEndMs: windowStartMs + metric.windowSizeMs, eventCount: 0, values: {} };
        for (const aggregation of metric.aggregations) delta.values[aggregation.name] = 0;
        deltas.set(id, delta);
      }
      delta.eventCount += 1;
      for (const aggregation of metric.aggregations) {
        if (aggregation.kind === 'count') {
          delta.values[aggregation.name]! += 1;
        } else {
          const value = readField(event, aggregation.field);
          if (typeof value === 'number' && Number.isFinite(value)) delta.values[aggregation.name]! += value;
        }
      }
    }
  }
  return [...deltas.values()];
}
