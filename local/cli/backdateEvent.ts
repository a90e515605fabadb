/**
 * How far `send --late-rate` moves a synthetic event's time back: 10 minutes
 * is past every bundled window's end plus `maxDelayMs` and `allowedLatenessMs`
 * (the longest, checkout-errors-5m, is 5 minutes wide), so each such event is
 * late for all its windows by the time it arrives.
 */
export const LATE_EVENT_AGE_MS = 600_000;

/** The event with its `time` moved back by LATE_EVENT_AGE_MS (a copy; other fields as they were). */
export function backdateEvent(event: Record<string, unknown>): Record<string, unknown> {
  return typeof event.time === 'number' ? { ...event, time: event.time - LATE_EVENT_AGE_MS } : event;
}
