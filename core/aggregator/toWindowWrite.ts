import type { WindowAccumulator } from '../aggregation/WindowAccumulator';
import type { SourceMarks } from '../delivery/SourceMarks';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { StoredWindow, WindowWrite } from '../ports/WindowStore';
import type { TimeWindow } from '../windowing/TimeWindow';
import { lateThresholdMs } from '../windowing/windowState';

/**
 * The conditional write of one window of `group`: its new state and marks,
 * expected at the version read (`stored`; none: must not exist yet), keeping
 * its late count and, for a repaired final window, its finality.
 */
export function toWindowWrite(metric: CompiledMetric, group: string, window: TimeWindow, accumulator: WindowAccumulator, stored: StoredWindow | undefined, marks: SourceMarks): WindowWrite {
  return {
    metric: metric.name,
    group,
    startMs: window.startMs,
    marks,
    ...(stored?.finalAtMs !== undefined ? { finalAtMs: stored.finalAtMs } : {}),
    endMs: window.endMs,
    eventCount: accumulator.eventCount,
    state: accumulator.encode(),
    values: accumulator.results(),
    lateEventCount: stored?.lateEventCount ?? 0,
    expectedVersion: stored?.version ?? 0,
    finalAtWatermarkMs: lateThresholdMs(window.endMs, metric.allowedLatenessMs),
  };
}
