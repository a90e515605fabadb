import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import { storedAggregationsOf } from '../aggregation/mergePartials';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { PartialWrite, StoredWindow } from '../ports/WindowStore';
import { LOST_RACE } from '../retry/retryOnConflict';
import type { FixedUnit } from '../windowing/planFixedWindows';
import type { BatchContext } from './BatchContext';
import { lastSequenceOf } from './lastSequenceOf';
import { lateThresholdMs } from '../windowing/windowState';
import { ownPartial } from './ownPartial';

/**
 * Adds a batch's events to one tumbling or hopping window: read (the first
 * time from the batch's prefetch) → keep the events the shard's partial's
 * marks do not hold → merge into that partial → conditional write of the
 * partial alone; re-read and merge again when another consumer of the same
 * shard (a redelivery) wrote it first or the window became final. Consumers
 * of other shards write other partials and never make it retry. Returns the
 * windows written (0 or 1).
 */
export function writeFixedWindow(batch: BatchContext, metric: CompiledMetric, unit: FixedUnit, prefetched: StoredWindow | undefined): Promise<number> {
  const { key, window } = unit;
  return batch.retryOnConflict(`${key.metric}#${key.group}@${key.startMs}`, async (attempt) => {
    const stored = attempt === 1 ? prefetched : (await batch.store.getWindows([key]))[0];
    const own = ownPartial(stored, batch.shardId);
    const marks = own.marks;
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
    const partial = WindowAccumulator.decode(metric.aggregations, own.eventCount, own.state);
    partial.merge(delta);
    const write: PartialWrite = {
      ...key,
      shardId: batch.shardId,
      endMs: window.endMs,
      finalAtWatermarkMs: lateThresholdMs(window.endMs, metric.allowedLatenessMs),
      aggregations: storedAggregationsOf(metric.aggregations),
      partial: { eventCount: partial.eventCount, state: partial.encode(), marks: batch.filter.mark(marks, lastSequenceOf(fresh)) },
      expectedVersion: own.version,
      ...(stored?.finalAtMs !== undefined ? { repairsFinal: repairedContent(metric, stored, delta) } : {}),
    };
    if (!(await batch.store.writePartial(write, batch.nowMs))) return LOST_RACE;
    batch.redeliveriesSkipped += unit.events.length - fresh.length;
    return 1;
  });
}

/** A repaired final window's merged content: what finalisation merged plus the repair's events. */
function repairedContent(metric: CompiledMetric, stored: StoredWindow, delta: WindowAccumulator): NonNullable<PartialWrite['repairsFinal']> {
  const merged = WindowAccumulator.decode(metric.aggregations, stored.eventCount, stored.state);
  merged.merge(delta);
  return { eventCount: merged.eventCount, state: merged.encode(), values: merged.results(), expectedItemVersion: stored.version };
}
