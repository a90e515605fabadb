/**
 * Start of the tumbling window holding `timestampMs`: windows are aligned to the
 * epoch and half-open, [start, start + size). The modulo is corrected for
 * negative remainders so pre-1970 times (or offsets) still floor, not truncate.
 *
 *   size 10:  -11 → -20 | -10 → -10 | -1 → -10 | 0 → 0 | 9 → 0 | 10 → 10
 */
export function tumblingWindowStart(timestampMs: number, windowSizeMs: number): number {
  const remainder = timestampMs % windowSizeMs;
  return remainder < 0 ? timestampMs - remainder - windowSizeMs : timestampMs - remainder;
}
