import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { StoredWindow } from '../ports/WindowStore';
import type { PlacedEvent } from './placeEvents';
import { TimeWindow } from './TimeWindow';
import { isWindowLate } from './windowState';

/** A session after a batch: its span, its state, and the stored sessions it replaces. */
export interface SessionResult {
  readonly window: TimeWindow;
  readonly accumulator: WindowAccumulator;
  /** Stored sessions merged into this one (to delete, or to overwrite when one has the same start). */
  readonly absorbed: readonly StoredWindow[];
}

/** An event too late for any session, with the window it would have opened and the stored session holding it, if any. */
export interface LateSessionEvent {
  readonly placed: PlacedEvent;
  readonly window: TimeWindow;
  readonly countedOn?: StoredWindow;
}

/** What a group's events do to its sessions. */
export interface SessionPlan {
  /** Sessions created or changed. */
  readonly sessions: readonly SessionResult[];
  readonly late: readonly LateSessionEvent[];
}

interface Working {
  window: TimeWindow;
  accumulator: WindowAccumulator;
  absorbed: StoredWindow[];
  stored?: StoredWindow;
  changed: boolean;
}

/**
 * Merges one group's events (in arrival order) into its sessions, Flink's
 * MergingWindowSet rule: each event opens [t, t + gap); windows that touch or
 * overlap merge, so events at most `gap` apart share a session, and a late
 * event that bridges two sessions joins them. A session already final — stored
 * as final, or past end − 1 + lateness at the event's watermark — is retired:
 * it takes no event and merges with nothing. An event whose merged session
 * would itself be late goes to the late output.
 */
export function mergeSessions(metric: CompiledMetric, gapMs: number, stored: readonly StoredWindow[], events: readonly PlacedEvent[]): SessionPlan {
  const sessions: Working[] = stored.map((window) => ({
    window: TimeWindow.spanOf(window),
    accumulator: WindowAccumulator.decode(metric.aggregations, window.eventCount, window.state),
    absorbed: [window],
    stored: window,
    changed: false,
  }));
  const late: LateSessionEvent[] = [];
  for (const placed of events) {
    const opened = TimeWindow.of(placed.timeMs, placed.timeMs + gapMs);
    const retired = (session: Working): boolean =>
      session.stored?.finalAtMs !== undefined || isWindowLate(session.window.endMs, metric.allowedLatenessMs, placed.watermarkMs);
    // TimeWindow.intersects is inclusive at both ends: [0, 10) and [10, 20) merge.
    const overlapping = sessions.filter((session) => !retired(session) && session.window.intersects(opened));
    const window = overlapping.reduce((covered, session) => covered.cover(session.window), opened);
    if (isWindowLate(window.endMs, metric.allowedLatenessMs, placed.watermarkMs)) {
      const container = sessions.find((session) => session.stored && session.window.contains(placed.timeMs));
      late.push({ placed, window: opened, ...(container?.stored ? { countedOn: container.stored } : {}) });
      continue;
    }
    const merged: Working = { window, accumulator: new WindowAccumulator(metric.aggregations), absorbed: [], changed: true };
    for (const session of overlapping) {
      merged.accumulator.merge(session.accumulator);
      merged.absorbed.push(...session.absorbed);
      sessions.splice(sessions.indexOf(session), 1);
    }
    merged.accumulator.add(placed.source.event);
    sessions.push(merged);
  }
  return {
    sessions: sessions.filter((session) => session.changed).map(({ window, accumulator, absorbed }) => ({ window, accumulator, absorbed })),
    late,
  };
}
