import type { CompiledMetric } from '../metrics/compileMetric';

/**
 * Why the correctness audit cannot recount `metric`'s windows, or undefined when it can.
 *
 * - Session windows: a session's extent is decided by every event of its group
 *   (merges across batches and shards), so recounting one means replaying the
 *   group's history, not reading one time range. Out of scope.
 * - An event time read from `data`: the raw events table sorts by the
 *   envelope's `time`, so no key range bounds the events of a window whose
 *   event time is another field; reading them would be a scan.
 */
export function auditSkipReason(metric: CompiledMetric): string | undefined {
  if (metric.window.kind === 'session') {
    return 'session windows are not audited: a session is shaped by its whole group history, which one time-range read cannot recount';
  }
  if (!(metric.eventTime.length === 1 && metric.eventTime[0] === 'time')) {
    return `its event time is ${metric.eventTime.join('.')}: the raw events table is keyed by the envelope time, so no key range bounds a window's events`;
  }
  return undefined;
}
