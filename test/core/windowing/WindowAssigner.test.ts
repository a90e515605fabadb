import { describe, expect, it } from 'vitest';
import { hoppingWindowStarts } from '../../../core/windowing/hoppingWindowStarts';
import type { TimeWindow } from '../../../core/windowing/TimeWindow';
import { WindowAssigner } from '../../../core/windowing/WindowAssigner';

const spans = (windows: readonly TimeWindow[]) => windows.map((window) => [window.startMs, window.endMs]);

describe('Class: WindowAssigner', () => {
  it.each([
    // [t, windows]
    [-11, [[-20, -10]]],
    [-10, [[-10, 0]]],
    [-1, [[-10, 0]]],
    [0, [[0, 10]]],
    [9, [[0, 10]]],
    [10, [[10, 20]]],
  ])('puts t=%i in the tumbling window of size 10 %j', (t, windows) => {
    expect(spans(new WindowAssigner({ kind: 'tumbling', sizeMs: 10 }).windowsFor(t))).toEqual(windows);
  });

  it.each([
    [12, [[10, 20], [5, 15]]],
    [10, [[10, 20], [5, 15]]],
    [9, [[5, 15], [0, 10]]],
    [-1, [[-5, 5], [-10, 0]]],
  ])('puts t=%i in the hopping windows of size 10, slide 5, newest first: %j', (t, windows) => {
    expect(spans(new WindowAssigner({ kind: 'hopping', sizeMs: 10, slideMs: 5 }).windowsFor(t))).toEqual(windows);
  });

  it.each([
    ['tumbling 7', { kind: 'tumbling', sizeMs: 7 } as const],
    ['hopping 10 / 5', { kind: 'hopping', sizeMs: 10, slideMs: 5 } as const],
    ['hopping 10 / 4 (size not a multiple of the slide)', { kind: 'hopping', sizeMs: 10, slideMs: 4 } as const],
    ['hopping 12 / 5', { kind: 'hopping', sizeMs: 12, slideMs: 5 } as const],
    ['hopping 10 / 10', { kind: 'hopping', sizeMs: 10, slideMs: 10 } as const],
  ])('answers %s exactly as the window math does, whatever order the timestamps come in (its reuse of the last answer never shows)', (_label, spec) => {
    // Prepare: ascending, descending, and jumping back and forth across every boundary.
    const ascending = Array.from({ length: 81 }, (_, i) => i - 40);
    const orders = [ascending, [...ascending].reverse(), ascending.map((t, i) => (i % 2 === 0 ? t : -t)), ascending.flatMap((t) => [t, t + 3, t - 2])];
    const slideMs = spec.kind === 'hopping' ? spec.slideMs : spec.sizeMs;

    for (const order of orders) {
      // Act
      const assigner = new WindowAssigner(spec);
      const answers = order.map((t) => spans(assigner.windowsFor(t)));

      // Assess
      expect(answers).toEqual(order.map((t) => hoppingWindowStarts(t, spec.sizeMs, slideMs).map((s) => [s, s + spec.sizeMs])));
    }
  });

  it('gives the same answer (the same array) to timestamps the same windows hold, and a new one past a boundary', () => {
    const assigner = new WindowAssigner({ kind: 'hopping', sizeMs: 300_000, slideMs: 60_000 });
    const t = Date.UTC(2026, 0, 1, 12, 0, 12, 345);

    const windows = assigner.windowsFor(t);

    expect(windows).toHaveLength(5);
    expect(windows.every((window) => window.contains(t))).toBe(true);
    expect(assigner.windowsFor(t + 1_000)).toBe(windows);
    expect(assigner.windowsFor(Date.UTC(2026, 0, 1, 12, 1))).not.toBe(windows);
  });
});
