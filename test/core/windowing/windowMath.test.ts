import { describe, expect, it } from 'vitest';
import { hoppingWindowStarts } from '../../../core/windowing/hoppingWindowStarts';
import { watermarkFloor } from '../../../core/windowing/watermarkFloor';
import { isWindowLate, windowState } from '../../../core/windowing/windowState';

describe('Function: hoppingWindowStarts', () => {
  it.each([
    // [t, size, slide, starts newest first]
    [12, 10, 5, [10, 5]],
    [10, 10, 5, [10, 5]],
    [9, 10, 5, [5, 0]],
    [0, 10, 5, [0, -5]],
    [-1, 10, 5, [-5, -10]],
    [-5, 10, 5, [-5, -10]],
    [-6, 10, 5, [-10, -15]],
    [14, 10, 4, [12, 8]],
    [15, 10, 4, [12, 8]],
    [16, 10, 4, [16, 12, 8]],
    [7, 10, 10, [0]],
    [300_000, 300_000, 60_000, [300_000, 240_000, 180_000, 120_000, 60_000]],
  ])('places t=%i in size %i / slide %i windows starting at %j', (t, size, slide, starts) => {
    expect(hoppingWindowStarts(t, size, slide)).toEqual(starts);
  });

  it('puts every t in exactly the windows [s, s + size) that hold it', () => {
    for (let t = -50; t <= 50; t++) {
      const starts = hoppingWindowStarts(t, 12, 5);
      for (const s of starts) expect(s <= t && t < s + 12 && s % 5 === 0).toBe(true);
      // No window holding t is missing: the next-older aligned start ends at or before t.
      expect(Math.min(...starts) - 5 + 12).toBeLessThanOrEqual(t);
    }
  });
});

describe('Function: windowState and isWindowLate (Flink: late when end − 1 + lateness ≤ watermark)', () => {
  it('keeps a window open until the watermark reaches its last millisecond, and final only once stored as final', () => {
    expect(windowState(1_000, 998, false)).toBe('open');
    expect(windowState(1_000, 999, false)).toBe('on-time');
    expect(windowState(1_000, 1_000_000, false)).toBe('on-time');
    expect(windowState(1_000, 999, true)).toBe('final');
    expect(windowState(1_000, 0, true)).toBe('final');
  });

  it('calls an event late exactly at the threshold', () => {
    expect(isWindowLate(1_000, 0, 998)).toBe(false);
    expect(isWindowLate(1_000, 0, 999)).toBe(true);
    expect(isWindowLate(1_000, 100, 1_098)).toBe(false);
    expect(isWindowLate(1_000, 100, 1_099)).toBe(true);
    expect(isWindowLate(1_000, 0, Number.NEGATIVE_INFINITY)).toBe(false);
  });
});

describe('Function: watermarkFloor', () => {
  it('is the minimum of (max event time − delay) over shards that are not idle', () => {
    const inputs = [
      { maxEventTimeMs: 10_000, activeAtMs: 100 },
      { maxEventTimeMs: 7_000, activeAtMs: 90 },
      { maxEventTimeMs: 1_000, activeAtMs: 0 }, // idle at now = 100 with a 50 ms timeout
    ];
    expect(watermarkFloor(inputs, 100, 2_000, 50)).toBe(5_000);
    expect(watermarkFloor(inputs, 100, 2_000, 100)).toBe(-1_000);
  });

  it('is held at −∞ by a known shard that has not reported, until it goes idle', () => {
    const inputs = [
      { maxEventTimeMs: 10_000, activeAtMs: 100 },
      { maxEventTimeMs: undefined, activeAtMs: 0 },
    ];
    expect(watermarkFloor(inputs, 100, 0, 100)).toBe(Number.NEGATIVE_INFINITY);
    expect(watermarkFloor(inputs, 101, 0, 100)).toBe(10_000);
  });

  it('sets no bound (+∞) when every shard is idle', () => {
    expect(watermarkFloor([{ maxEventTimeMs: 5, activeAtMs: 0 }], 1_000, 0, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(watermarkFloor([], 0, 0, 10)).toBe(Number.POSITIVE_INFINITY);
  });
});
