import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { HoppingWindow, TumblingWindow } from '../metrics/MetricDefinition';
import type { WindowKey } from '../ports/WindowStore';
import { hoppingWindowStarts } from './hoppingWindowStarts';
import type { LateCollector } from './LateCollector';
import type { PlacedEvent } from './placeEvents';
import { tumblingWindowStart } from './tumblingWindowStart';
import { isWindowLate } from './windowState';

/** Windows of one metric and group that a batch touches. */
export interface FixedUnit {
  readonly key: WindowKey;
  readonly endMs: number;
  readonly accumulator: WindowAccumulator;
  readonly events: PlacedEvent[];
}

/**
 * Assigns a metric's events to tumbling or hopping windows, pre-aggregating
 * per window so storage sees one write per window touched, not per event.
 * Windows already late at the event's watermark are recorded as missed.
 */
export function planFixedWindows(
  metric: CompiledMetric,
  window: TumblingWindow | HoppingWindow,
  placed: readonly PlacedEvent[],
  late: LateCollector,
): { units: FixedUnit[]; eventsCounted: number } {
  // group → window start → unit: no per-event string keys on the hot path.
  const byGroup = new Map<string, Map<number, FixedUnit>>();
  const units: FixedUnit[] = [];
  const single: number[] = [0];
  let eventsCounted = 0;
  for (const event of placed) {
    let starts: number[];
    if (window.kind === 'tumbling') {
      single[0] = tumblingWindowStart(event.timeMs, window.sizeMs);
      starts = single;
    } else {
      starts = hoppingWindowStarts(event.timeMs, window.sizeMs, window.slideMs);
    }
    let counted = false;
    for (const startMs of starts) {
      const endMs = startMs + window.sizeMs;
      if (isWindowLate(endMs, metric.allowedLatenessMs, event.watermarkMs)) {
        late.missed(metric.name, event, startMs, endMs, true);
        continue;
      }
      let windows = byGroup.get(event.group);
      if (!windows) {
        windows = new Map();
        byGroup.set(event.group, windows);
      }
      let unit = windows.get(startMs);
      if (!unit) {
        unit = { key: { metric: metric.name, group: event.group, startMs }, endMs, accumulator: new WindowAccumulator(metric.aggregations), events: [] };
        windows.set(startMs, unit);
        units.push(unit);
      }
      unit.accumulator.add(event.source.event);
      unit.events.push(event);
      counted = true;
    }
    if (counted) eventsCounted += 1;
  }
  return { units, eventsCounted };
}
