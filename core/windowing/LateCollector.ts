import { LATE_REASONS, type LateEvent } from '../ports/LateEventSink';
import type { StoredWindow, WindowKey } from '../ports/WindowStore';
import type { PlacedEvent } from './placeEvents';
import { TimeWindow } from './TimeWindow';
import { eventPosition } from '../delivery/eventPosition';

/** A window that late events are counted on, with those events. */
export interface LateTarget {
  readonly id: string;
  /** The stored item's key (its `startMs` is `window.startMs`). */
  readonly key: WindowKey;
  readonly window: TimeWindow;
  readonly events: PlacedEvent[];
}

/**
 * Collects, per event, the windows it missed, and per window the events that
 * missed it. A window that already holds an event from an earlier delivery
 * (`held`) neither counts it again nor lists it in the late output again.
 */
export class LateCollector {
  private readonly byEvent = new Map<PlacedEvent, { metric: string; windows: { window: TimeWindow; target?: string }[] }>();
  private readonly perWindow = new Map<string, LateTarget>();
  private readonly heldPairs = new Set<string>();

  public constructor(private readonly shardId: string) {}

  /**
   * Records that `placed` missed `window`. `countOn` says which stored window
   * counts it: that window (true), a session holding it, or none (false: a
   * late event outside every stored session).
   */
  public missed(metric: string, placed: PlacedEvent, window: TimeWindow, countOn: boolean | StoredWindow): void {
    let entry = this.byEvent.get(placed);
    if (!entry) {
      entry = { metric, windows: [] };
      this.byEvent.set(placed, entry);
    }
    if (countOn === false) {
      entry.windows.push({ window });
      return;
    }
    const target = countOn === true ? window : TimeWindow.spanOf(countOn);
    const id = `${metric}\u0000${placed.group}\u0000${target.startMs}`;
    entry.windows.push({ window, target: id });
    const existing = this.perWindow.get(id);
    if (existing) existing.events.push(placed);
    else this.perWindow.set(id, { id, key: { metric, group: placed.group, startMs: target.startMs }, window: target, events: [placed] });
  }

  /** The windows to count late events on. */
  public targets(): LateTarget[] {
    return [...this.perWindow.values()];
  }

  /** The window `targetId` already holds `placed` (an earlier delivery counted it). */
  public held(targetId: string, placed: PlacedEvent): void {
    this.heldPairs.add(`${targetId}\u0001${eventPosition(placed.source)}`);
  }

  /** The late-event output entries: every missed window except the ones that already hold the event. */
  public entries(): LateEvent[] {
    const entries: LateEvent[] = [];
    for (const [placed, { metric, windows }] of this.byEvent) {
      const missed = windows
        .filter(({ target }) => target === undefined || !this.heldPairs.has(`${target}\u0001${eventPosition(placed.source)}`))
        .map(({ window }) => ({ startMs: window.startMs, endMs: window.endMs }));
      if (missed.length === 0) continue;
      entries.push({
        metric,
        reason: LATE_REASONS.late,
        event: placed.source.event,
        ...(placed.source.json !== undefined ? { eventJson: placed.source.json } : {}),
        eventTimeMs: placed.timeMs,
        group: placed.group,
        windowsMissed: missed,
        watermarkMs: placed.watermarkMs,
        shardId: this.shardId,
        sequenceNumber: placed.source.sequenceNumber,
        ...(placed.source.subSequence ? { subSequence: placed.source.subSequence } : {}),
      });
    }
    return entries;
  }
}
