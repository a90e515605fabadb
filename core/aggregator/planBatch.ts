import type { CompiledMetric } from '../metrics/compileMetric';
import type { LateCollector } from '../windowing/LateCollector';
import type { PlacedEvent } from '../windowing/placeEvents';
import { planFixedWindows, type FixedUnit } from '../windowing/planFixedWindows';
import { sampleEvenly } from '../observability/sampleEvenly';
import { LAG_SAMPLE_SIZE } from '../observability/SLO_METRICS';
import type { AggregationMode } from './AggregationMode';

/** The window work of a batch: fixed windows to write and session groups to merge. */
export interface BatchPlan {
  /** Tumbling and hopping windows touched, each with its events pre-aggregated. */
  readonly fixed: readonly { readonly metric: CompiledMetric; readonly unit: FixedUnit }[];
  /** One group's events of a session metric each. */
  readonly sessionGroups: readonly { readonly metric: CompiledMetric; readonly gapMs: number; readonly events: readonly PlacedEvent[] }[];
  /** (metric, event) pairs counted into at least one window. */
  readonly eventsCounted: number;
  /** Event times of at most LAG_SAMPLE_SIZE counted (metric, event) pairs, evenly sampled (`sampleEvenly`). */
  readonly lagSampleTimesMs: readonly number[];
  /** The same per metric definition that counted any event: at most LAG_SAMPLE_SIZE each. */
  readonly lagSampleTimesMsByMetric: Readonly<Record<string, readonly number[]>>;
}

/**
 * Plans the windows each metric's placed events go to: tumbling and hopping
 * events to their windows (those already late at the event's watermark go to
 * `late`), session events per group. A repair judges no event late.
 */
export function planBatch(metrics: readonly CompiledMetric[], placed: readonly (readonly PlacedEvent[])[], mode: AggregationMode, late: LateCollector): BatchPlan {
  const fixed: { metric: CompiledMetric; unit: FixedUnit }[] = [];
  const sessionGroups: { metric: CompiledMetric; gapMs: number; events: PlacedEvent[] }[] = [];
  let eventsCounted = 0;
  const countedTimesMs: number[] = [];
  const byMetric: Record<string, readonly number[]> = {};
  metrics.forEach((metric, index) => {
    // Records that failed or are re-read were on time when they arrived.
    const events = mode.judgesLateness ? placed[index]! : placed[index]!.map((p) => ({ ...p, watermarkMs: Number.NEGATIVE_INFINITY }));
    if (events.length === 0) return;
    if (metric.window.kind === 'session') {
      for (const group of groupBy(events, (p) => p.group).values()) sessionGroups.push({ metric, gapMs: metric.window.gapMs, events: group });
      eventsCounted += events.length;
      const timesMs = events.map((event) => event.timeMs);
      for (const timeMs of timesMs) countedTimesMs.push(timeMs);
      byMetric[metric.name] = sampleEvenly(timesMs, LAG_SAMPLE_SIZE);
    } else {
      const plan = planFixedWindows(metric, metric.window, events, late);
      eventsCounted += plan.eventsCounted;
      for (const timeMs of plan.countedTimesMs) countedTimesMs.push(timeMs);
      if (plan.countedTimesMs.length > 0) byMetric[metric.name] = sampleEvenly(plan.countedTimesMs, LAG_SAMPLE_SIZE);
      for (const unit of plan.units) fixed.push({ metric, unit });
    }
  });
  return { fixed, sessionGroups, eventsCounted, lagSampleTimesMs: sampleEvenly(countedTimesMs, LAG_SAMPLE_SIZE), lagSampleTimesMsByMetric: byMetric };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
