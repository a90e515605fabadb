import { LATE_REASONS, type LateEvent } from '../storage/LateEventSink';
import type { LateCount, StoredWindow } from '../storage/WindowStore';
import type { PlacedEvent } from './placeEvents';

/** Collects, per event, the windows it missed, and per window how many events missed it. */
export class LateCollector {
  private readonly byEvent = new Map<PlacedEvent, { metric: string; windows: { startMs: number; endMs: number }[] }>();
  private readonly perWindow = new Map<string, LateCount>();

  public constructor(private readonly shardId: string) {}

  /**
   * Records that `placed` missed window [startMs, endMs). `countOn` says which
   * stored window counts it: that window (true), a session holding it, or none
   * (false: a late event outside every stored session).
   */
  public missed(metric: string, placed: PlacedEvent, startMs: number, endMs: number, countOn: boolean | StoredWindow): void {
    let entry = this.byEvent.get(placed);
    if (!entry) {
      entry = { metric, windows: [] };
      this.byEvent.set(placed, entry);
    }
    entry.windows.push({ startMs, endMs });
    if (countOn === false) return;
    const target = countOn === true ? { startMs, endMs } : { startMs: countOn.startMs, endMs: countOn.endMs };
    const id = `${metric}\u0000${placed.group}\u0000${target.startMs}`;
    const existing = this.perWindow.get(id);
    this.perWindow.set(id, { metric, group: placed.group, ...target, count: (existing?.count ?? 0) + 1 });
  }

  public entries(): LateEvent[] {
    return [...this.byEvent].map(([placed, { metric, windows }]) => ({
      metric,
      reason: LATE_REASONS.late,
      event: placed.source.event,
      eventTimeMs: placed.timeMs,
      group: placed.group,
      windowsMissed: windows,
      watermarkMs: placed.watermarkMs,
      shardId: this.shardId,
      sequenceNumber: placed.source.sequenceNumber,
    }));
  }

  public counts(): LateCount[] {
    return [...this.perWindow.values()];
  }
}
