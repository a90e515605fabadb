import { describe, expect, it } from 'vitest';
import { tumblingWindowStart } from '../../../core/windowing/tumblingWindowStart';

describe('Function: tumblingWindowStart', () => {
  it.each([
    [0, 10, 0],
    [9, 10, 0],
    [10, 10, 10],
    [11, 10, 10],
    [-1, 10, -10],
    [-10, 10, -10],
    [-11, 10, -20],
    [59_999, 60_000, 0],
    [60_000, 60_000, 60_000],
  ])('puts %i in the window of size %i starting at %i', (timestamp, size, start) => {
    expect(tumblingWindowStart(timestamp, size)).toBe(start);
  });

  it('aligns minute windows to the epoch, not to the first event', () => {
    const time = Date.UTC(2026, 0, 1, 12, 34, 56, 789);
    expect(tumblingWindowStart(time, 60_000)).toBe(Date.UTC(2026, 0, 1, 12, 34));
  });
});
