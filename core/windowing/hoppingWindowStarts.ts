import { tumblingWindowStart } from './tumblingWindowStart';

/**
 * Starts of the hopping windows [s, s + size) holding `timestampMs`, newest
 * first. Windows start every `slideMs`, aligned to the epoch, so an event lands
 * in ⌈size / slide⌉ or ⌊size / slide⌋ windows.
 *
 *   size 10, slide 5:  t = 12 → [10, 20) and [5, 15)   t = 10 → [10, 20) and [5, 15)
 *                      t = 9  → [5, 15) and [0, 10)    t = -1 → [-5, 5) and [-10, 0)
 */
export function hoppingWindowStarts(timestampMs: number, sizeMs: number, slideMs: number): number[] {
  const starts: number[] = [];
  for (let start = tumblingWindowStart(timestampMs, slideMs); start > timestampMs - sizeMs; start -= slideMs) starts.push(start);
  return starts;
}
