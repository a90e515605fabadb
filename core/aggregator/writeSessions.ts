import { NO_MARKS } from '../delivery/SourceMarks';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { WindowDelete, WindowWrite } from '../ports/WindowStore';
import { LOST_RACE } from '../retry/retryOnConflict';
import { mergeSessions, type SessionPlan } from '../windowing/mergeSessions';
import type { PlacedEvent } from '../windowing/placeEvents';
import { TimeWindow } from '../windowing/TimeWindow';
import type { BatchContext } from './BatchContext';
import { lastSequenceOf } from './lastSequenceOf';
import { toWindowWrite } from './toWindowWrite';

/**
 * Merges a batch's events of one group into its sessions, in one transaction
 * guarded by the group's version: read the sessions they may touch → keep the
 * events the group's marks do not hold → merge (`mergeSessions`) → write the
 * merged sessions and delete the absorbed ones; re-read and merge again when
 * another consumer changed the group first. Returns the sessions written.
 */
export function writeSessions(batch: BatchContext, metric: CompiledMetric, gapMs: number, events: readonly PlacedEvent[]): Promise<number> {
  const group = events[0]!.group;
  // Every session the events can touch intersects the windows they open.
  const reach = events.map((placed) => TimeWindow.of(placed.timeMs, placed.timeMs + gapMs)).reduce((covered, opened) => covered.cover(opened));
  return batch.retryOnConflict(`${metric.name}#${group} sessions`, async () => {
    const { sessions: stored, groupVersion, groupMarks } = await batch.store.findSessions(metric.name, group, reach.startMs, reach.endMs);
    // The group's marks say which events its sessions (or their late counts) already took.
    const fresh = events.filter((placed) => batch.filter.accepts(groupMarks, placed.source.sequenceNumber));
    if (fresh.length === 0) {
      batch.redeliveriesSkipped += events.length;
      return 0;
    }
    const plan = mergeSessions(metric, gapMs, stored, fresh);
    const { writes, deletes } = sessionChanges(metric, group, plan);
    const guard = { metric: metric.name, group, expectedVersion: groupVersion, marks: batch.filter.mark(groupMarks, lastSequenceOf(fresh)) };
    if (writes.length > 0 && !(await batch.store.writeWindows(writes, deletes, batch.nowMs, guard))) return LOST_RACE;
    batch.redeliveriesSkipped += events.length - fresh.length;
    for (const entry of plan.late) batch.late.missed(metric.name, entry.placed, entry.window, entry.countedOn ?? false);
    return writes.length;
  });
}

/** The items a session plan writes (a session keeping a stored one's start overwrites it) and deletes (the other absorbed ones). */
function sessionChanges(metric: CompiledMetric, group: string, plan: SessionPlan): { writes: WindowWrite[]; deletes: WindowDelete[] } {
  const writes: WindowWrite[] = [];
  const deletes: WindowDelete[] = [];
  for (const session of plan.sessions) {
    const sameKey = session.absorbed.find((absorbed) => absorbed.startMs === session.window.startMs);
    writes.push(toWindowWrite(metric, group, session.window, session.accumulator, sameKey, sameKey?.marks ?? NO_MARKS));
    for (const absorbed of session.absorbed) {
      if (absorbed !== sameKey) deletes.push({ metric: metric.name, group, startMs: absorbed.startMs, expectedVersion: absorbed.version });
    }
  }
  return { writes, deletes };
}

