import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { CompiledMetric } from '../metrics/compileMetric';
import { groupKeyFor } from '../metrics/groupKeyFor';
import type { HoppingWindow, TumblingWindow } from '../metrics/MetricDefinition';
import { WindowAssigner } from '../windowing/WindowAssigner';
import type { AuditedWindow } from '../ports/AuditSource';
import type { WindowAudit } from './WindowAudit';
import { auditSkipReason } from './auditSkipReason';

/**
 * Recounts one final window from raw events with the metric's own code: its
 * compiled type set and `where`, `groupKeyFor`, and the `WindowAssigner` that
 * placed the events (so a window the spec would never produce recounts to 0).
 * Events are distinct by (key, id), the identity the duplicate ledger drops
 * re-sends by; `events` may hold any others (other groups, types, times).
 *
 * An event whose time lies more than `maxFutureMs` ahead of its `receivedAt`
 * is left out, as the aggregator leaves it out (to the late output as
 * `future-event-time`, on no window). The aggregator measures from the
 * record's arrival on the stream, a few ms after `receivedAt`: only an event
 * within those ms of the bound can be judged differently.
 *
 * Only the net difference is visible: a window that lost one event and
 * counted another twice compares equal.
 */
export function recountWindow(metric: CompiledMetric, window: AuditedWindow, events: Iterable<EventEnvelope>): WindowAudit {
  const skip = auditSkipReason(metric);
  if (skip !== undefined) throw new RangeError(`metric ${metric.name} cannot be audited: ${skip}`);
  const assigner = new WindowAssigner(metric.window as TumblingWindow | HoppingWindow);
  const seen = new Set<string>();
  for (const event of events) {
    if (!metric.types.has(event.type) || !metric.where(event)) continue;
    if (event.time > event.receivedAt + metric.maxFutureMs) continue;
    if (!assigner.windowsFor(event.time).some((candidate) => candidate.startMs === window.startMs && candidate.endMs === window.endMs)) continue;
    if (groupKeyFor(event, metric.groupBy) !== window.group) continue;
    seen.add(`${event.key}\u0000${event.id}`);
  }
  const expected = window.eventCount + window.lateEventCount;
  const recounted = seen.size;
  return {
    metric: window.metric,
    group: window.group,
    startMs: window.startMs,
    endMs: window.endMs,
    expected,
    recounted,
    surplus: Math.max(0, expected - recounted),
    deficit: Math.max(0, recounted - expected),
  };
}
