import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import { NO_MARKS } from '../delivery/SourceMarks';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { StoredWindow } from '../ports/WindowStore';
import { LOST_RACE } from '../retry/retryOnConflict';
import type { FixedUnit } from '../windowing/planFixedWindows';
import type { BatchContext } from './BatchContext';
import { lastSequenceOf } from './lastSequenceOf';
import { toWindowWrite } from './toWindowWrite';

/**
 * Adds a batch's events to one tumbling or hopping window: read (the first
 * time from the batch's prefetch) → keep the events its marks do not hold →
 * merge into the stored state → conditional write; re-read and merge again
 * when another consumer wrote it first. Returns the windows written (0 or 1).
 */
export function writeFixedWindow(batch: BatchContext, metric: CompiledMetric, unit: FixedUnit, prefetched: StoredWindow | undefined): Promise<number> {
  const { key, window } = unit;
  return batch.retryOnConflict(`${key.metric}#${key.group}@${key.startMs}`, async (attempt) => {
    const stored = attempt === 1 ? prefetched : (await batch.store.getWindows([key]))[0];
    const marks = stored?.marks ?? NO_MARKS;
    const fresh = unit.events.filter((placed) => batch.filter.accepts(marks, placed.source.sequenceNumber));
    if (fresh.length === 0) {
      batch.redeliveriesSkipped += unit.events.length;
      return 0;
    }
    if (stored?.finalAtMs !== undefined && !batch.mode.repairsFinalWindows) {
      // Finalised by another consumer after this batch read the watermark: the events are late after all.
      for (const placed of fresh) batch.late.missed(metric.name, placed, window, true);
      return 0;
    }
    // The pre-aggregated delta is exact unless an earlier delivery already wrote some of these events.
    let delta = unit.accumulator;
    if (fresh.length < unit.events.length) {
      delta = new WindowAccumulator(metric.aggregations);
      for (const placed of fresh) delta.add(placed.source.event);
    }
    const accumulator = stored ? WindowAccumulator.decode(metric.aggregations, stored.eventCount, stored.state) : new WindowAccumulator(metric.aggregations);
    accumulator.merge(delta);
    const write = toWindowWrite(metric, key.group, window, accumulator, stored, batch.filter.mark(marks, lastSequenceOf(fresh)));
    if (!(await batch.store.writeWindows([write], [], batch.nowMs))) return LOST_RACE;
    batch.redeliveriesSkipped += unit.events.length - fresh.length;
    return 1;
  });
}
