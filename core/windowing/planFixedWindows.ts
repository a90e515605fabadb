import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { HoppingWindow, TumblingWindow } from '../metrics/MetricDefinition';
import type { WindowKey } from '../ports/WindowStore';
import type { LateCollector } from './LateCollector';
import type { PlacedEvent } from './placeEvents';
import type { TimeWindow } from './TimeWindow';
import { WindowAssigner } from './WindowAssigner';
import { isWindowLate } from './windowState';

/** One window of one metric and group that a batch touches, with the batch's events for it pre-aggregated. */
export interface FixedUnit {
  /** The stored item's key (its `startMs` is `window.startMs`). */
  readonly key: WindowKey;
  readonly window: TimeWindow;
  readonly accumulator: WindowAccumulator;
  readonly events: PlacedEvent[];
}

/** One group's units by window start, and the one its last event went to. */
interface GroupUnits {
  readonly byStartMs: Map<number, FixedUnit>;
  last: FixedUnit | undefined;
}

/**
 * Assigns a metric's events to tumbling or hopping windows, pre-aggregating
 * per window so storage sees one write per window touched, not per event.
 * Windows already late at the event's watermark are recorded as missed.
 */
export function planFixedWindows(
  metric: CompiledMetric,
  spec: TumblingWindow | HoppingWindow,
  placed: readonly PlacedEvent[],
  late: LateCollector,
): { units: FixedUnit[]; eventsCounted: number; countedTimesMs: number[] } {
  const assigner = new WindowAssigner(spec);
  // group → window start → unit: no per-event string keys on the hot path. Each
  // group remembers the unit it was last given: the assigner hands out the same
  // window while events stay in it, so most events skip the start lookup.
  const byGroup = new Map<string, GroupUnits>();
  const units: FixedUnit[] = [];
  let eventsCounted = 0;
  // The event times of counted events, for the consumer-lag sample.
  const countedTimesMs: number[] = [];
  for (const event of placed) {
    let counted = false;
    for (const window of assigner.windowsFor(event.timeMs)) {
      if (isWindowLate(window.endMs, metric.allowedLatenessMs, event.watermarkMs)) {
        late.missed(metric.name, event, window, true);
        continue;
      }
      let group = byGroup.get(event.group);
      if (!group) {
        group = { byStartMs: new Map(), last: undefined };
        byGroup.set(event.group, group);
      }
      let unit = group.last;
      if (unit === undefined || unit.window.startMs !== window.startMs) {
        unit = group.byStartMs.get(window.startMs);
        if (!unit) {
          unit = { key: { metric: metric.name, group: event.group, startMs: window.startMs }, window, accumulator: new WindowAccumulator(metric.aggregations), events: [] };
          group.byStartMs.set(window.startMs, unit);
          units.push(unit);
        }
        group.last = unit;
      }
      unit.accumulator.add(event.source.event);
      unit.events.push(event);
      counted = true;
    }
    if (counted) {
      eventsCounted += 1;
      countedTimesMs.push(event.timeMs);
    }
  }
  return { units, eventsCounted, countedTimesMs };
}
