import { runLimited } from '../async/runLimited';
import { NO_MARKS } from '../delivery/SourceMarks';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { LateEvent, LateEventSink } from '../ports/LateEventSink';
import type { StoredWindow } from '../ports/WindowStore';
import { LOST_RACE } from '../retry/retryOnConflict';
import type { LateTarget } from '../windowing/LateCollector';
import type { PlacedEvent } from '../windowing/placeEvents';
import type { BatchContext } from './BatchContext';
import { lastSequenceOf } from './lastSequenceOf';
import { ownPartial } from './ownPartial';

/**
 * The late output of a batch: read the windows its late events count on, drop
 * the ones a window already holds (an earlier delivery counted them), write
 * the output entries (with the events whose event time was unusable,
 * `invalid`), then add the counts with conditional updates that also move the
 * windows' marks (a fixed window's in the shard's partial, so other shards'
 * writes never make it retry). Entries go first: a crash in between leaves entries whose
 * count a retry still adds, never a count without its entry. Returns the
 * entries written.
 */
export async function writeLateEvents(batch: BatchContext, metrics: readonly CompiledMetric[], sink: LateEventSink, invalid: readonly LateEvent[], concurrency: number): Promise<number> {
  const sessionMetrics = new Set(metrics.filter((m) => m.window.kind === 'session').map((m) => m.name));
  const targets = batch.late.targets().map((target) => ({ ...target, session: sessionMetrics.has(target.key.metric) }));
  const stored = targets.length > 0 ? await batch.store.getWindows(targets.map((t) => t.key)) : [];
  const fresh = targets.map((target, i) => freshLate(batch, target, stored[i]));
  const entries = [...invalid, ...batch.late.entries()];
  await sink.write(entries, batch.nowMs);
  await runLimited(
    targets.map((target, i) => ({ target, first: stored[i], events: fresh[i]! })),
    concurrency,
    async ({ target, first, events }) => {
      if (events.length > 0) await addLateCount(batch, target, first, events);
    },
  );
  return entries.length;
}

/** A late target and whether it is a session (its marks are the item's) or a fixed window (the shard's partial's). */
type Target = LateTarget & { readonly session: boolean };

/** Adds the late events a window does not hold yet to its late count; re-reads and re-filters after a lost race. */
function addLateCount(batch: BatchContext, target: Target, first: StoredWindow | undefined, events: readonly PlacedEvent[]): Promise<void> {
  return batch.retryOnConflict(`late count ${target.id}`, async (attempt) => {
    const current = attempt === 1 ? first : (await batch.store.getWindows([target.key]))[0];
    const pending = attempt === 1 ? events : freshLate(batch, target, current);
    if (pending.length === 0) return;
    const own = target.session ? undefined : ownPartial(current, batch.shardId);
    const marks = batch.filter.mark(own?.marks ?? current?.marks ?? NO_MARKS, lastSequenceOf(pending));
    const count = {
      ...target.key,
      endMs: target.window.endMs,
      count: pending.length,
      expectedVersion: own ? own.version : (current?.version ?? 0),
      marks,
      ...(own ? { partialOf: { shardId: batch.shardId, eventCount: own.eventCount, state: own.state } } : {}),
    };
    if (!(await batch.store.addLateCount(count, batch.nowMs))) return LOST_RACE;
  });
}

/** The target's late events the window does not hold yet; the ones it holds leave the late output too. */
function freshLate(batch: BatchContext, target: Target, stored: StoredWindow | undefined): PlacedEvent[] {
  const marks = target.session ? (stored?.marks ?? NO_MARKS) : ownPartial(stored, batch.shardId).marks;
  return target.events.filter((placed) => {
    if (batch.filter.accepts(marks, placed.source.sequenceNumber)) return true;
    batch.late.held(target.id, placed);
    return false;
  });
}
