import { describe, expect, it } from 'vitest';
import { EmptyTimeWindowError } from '../../../core/errors';
import { TimeWindow } from '../../../core/windowing/TimeWindow';

const w = (startMs: number, endMs: number) => TimeWindow.of(startMs, endMs);

describe('Class: TimeWindow', () => {
  it('is half-open: holds its start and every instant up to its end, not the end', () => {
    const window = w(0, 10);

    expect([-1, 0, 9, 10].map((t) => window.contains(t))).toEqual([false, true, true, false]);
  });

  it('holds negative instants the same way: [-10, 0) holds -10 and -1, not 0', () => {
    const window = w(-10, 0);

    expect([-11, -10, -1, 0].map((t) => window.contains(t))).toEqual([false, true, true, false]);
  });

  it('has its last instant, end − 1, as its max timestamp, and end − start as its size', () => {
    expect(w(0, 10).maxTimestampMs).toBe(9);
    expect(w(-10, 0).maxTimestampMs).toBe(-1);
    expect(w(5, 6).maxTimestampMs).toBe(5);
    expect(w(-3, 7).sizeMs).toBe(10);
  });

  it('intersects a window it overlaps or touches at either end (Flink: inclusive), not one a millisecond apart', () => {
    const window = w(10, 20);

    expect(window.intersects(w(0, 10))).toBe(true);
    expect(window.intersects(w(20, 30))).toBe(true);
    expect(window.intersects(w(15, 16))).toBe(true);
    expect(window.intersects(w(0, 30))).toBe(true);
    expect(window.intersects(w(0, 9))).toBe(false);
    expect(window.intersects(w(21, 30))).toBe(false);
    expect(w(0, 10).intersects(window)).toBe(true);
  });

  it('covers two windows with the smallest window holding both, gaps included', () => {
    expect(w(0, 10).cover(w(10, 20))).toEqual(w(0, 20));
    expect(w(10, 20).cover(w(0, 5))).toEqual(w(0, 20));
    expect(w(0, 30).cover(w(10, 20))).toEqual(w(0, 30));
    expect(w(10, 20).cover(w(0, 30))).toEqual(w(0, 30));
  });

  it('returns itself from cover when it already holds the other window (an immutable value)', () => {
    const window = w(0, 30);

    expect(window.cover(w(0, 30))).toBe(window);
    expect(window.cover(w(5, 6))).toBe(window);
  });

  it('equals a window with the same start and end, and keys them alike', () => {
    expect(w(0, 10).equals(w(0, 10))).toBe(true);
    expect(w(0, 10).equals(w(0, 11))).toBe(false);
    expect(w(0, 10).equals(w(1, 10))).toBe(false);
    expect(w(0, 10).key).toBe(w(0, 10).key);
    expect(w(0, 10).key).not.toBe(w(0, 11).key);
    expect(new Set([w(0, 10).key, w(0, 10).key, w(10, 20).key]).size).toBe(2);
  });

  it('prints itself as [start, end)', () => {
    expect(String(w(-10, 0))).toBe('[-10, 0)');
  });

  it('takes the span of a stored item', () => {
    expect(TimeWindow.spanOf({ startMs: 5, endMs: 15, metric: 'm' } as { startMs: number; endMs: number })).toEqual(w(5, 15));
  });

  it.each([
    [10, 10],
    [10, 9],
    [0, Number.NaN],
  ])('refuses the empty window [%d, %d)', (startMs, endMs) => {
    expect(() => TimeWindow.of(startMs, endMs)).toThrow(EmptyTimeWindowError);
    expect(() => TimeWindow.of(startMs, endMs)).toThrow(`Time window [${startMs}, ${endMs}) is empty: its end must lie after its start`);
  });

  it('is immutable: a window never changes once made', () => {
    const window = w(0, 10);

    expect(Object.isFrozen(window)).toBe(true);
    expect(() => Object.assign(window, { startMs: 5 })).toThrow(TypeError);
    expect(window.startMs).toBe(0);
  });
});
