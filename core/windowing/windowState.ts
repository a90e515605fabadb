/** Where a window is in its life, relative to the watermark. */
export const WINDOW_STATES = {
  /** The watermark has not reached the window's end: more events are expected. */
  open: 'open',
  /** The watermark passed the end; late events within the allowed lateness may still update it. */
  onTime: 'on-time',
  /** The watermark passed end + allowed lateness: the window never changes again. */
  final: 'final',
} as const;
export type WindowState = (typeof WINDOW_STATES)[keyof typeof WINDOW_STATES];

/**
 * The watermark at which a window stops taking events: its last millisecond
 * plus the allowed lateness. Flink's rule: late when end − 1 + lateness ≤ watermark.
 *
 *   events ──────────[start ........ end)
 *   watermark ────────────────────────┼── end − 1: on time (fires)
 *                                     └────────── + lateness: final
 */
export function lateThresholdMs(windowEndMs: number, allowedLatenessMs: number): number {
  return windowEndMs - 1 + allowedLatenessMs;
}

/** True when an event for the window arriving at this watermark is too late to update it. */
export function isWindowLate(windowEndMs: number, allowedLatenessMs: number, watermarkMs: number): boolean {
  return lateThresholdMs(windowEndMs, allowedLatenessMs) <= watermarkMs;
}

/**
 * A window's state for readers. Final means stored as final — the conditional
 * write after which it can never change — not merely past the threshold by the
 * watermark read (a consumer of another shard may still be writing it until
 * finalisation marks it, within about a second).
 */
export function windowState(windowEndMs: number, watermarkMs: number, finalized: boolean): WindowState {
  if (finalized) return WINDOW_STATES.final;
  return windowEndMs - 1 <= watermarkMs ? WINDOW_STATES.onTime : WINDOW_STATES.open;
}
