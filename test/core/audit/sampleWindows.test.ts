import { describe, expect, it } from 'vitest';
import type { AuditedWindow } from '../../../core/ports/AuditSource';
import { sampleWindows } from '../../../core/audit/sampleWindows';

const windowOf = (metric: string, group: string, startMs: number): AuditedWindow => ({ metric, group, startMs, endMs: startMs + 10, eventCount: 1, lateEventCount: 0, finalAtMs: startMs + 20 });
const ids = (windows: readonly AuditedWindow[]) => windows.map((w) => `${w.metric}/${w.group}@${w.startMs}`);

describe('Function: sampleWindows', () => {
  it('takes turns between metrics, then between groups of a metric, newest window first in each group', () => {
    const candidates = new Map([
      ['a', [windowOf('a', 'x', 0), windowOf('a', 'x', 20), windowOf('a', 'x', 10), windowOf('a', 'y', 0)]],
      ['b', [windowOf('b', 'z', 0), windowOf('b', 'z', 10)]],
    ]);

    expect(ids(sampleWindows(candidates, 4))).toEqual(['a/x@20', 'b/z@10', 'a/y@0', 'b/z@0']);
  });

  it('never lets a busy group crowd the others out, and returns everything when there are fewer candidates than asked for', () => {
    const busy = Array.from({ length: 50 }, (_, i) => windowOf('a', 'busy', i * 10));
    const candidates = new Map([['a', [...busy, windowOf('a', 'quiet', 0)]]]);

    expect(ids(sampleWindows(candidates, 2))).toEqual(['a/busy@490', 'a/quiet@0']);
    expect(sampleWindows(candidates, 100)).toHaveLength(51);
    expect(sampleWindows(new Map(), 5)).toEqual([]);
  });

  it('refuses a count that is not a non-negative integer', () => {
    expect(() => sampleWindows(new Map(), -1)).toThrow('maxCount must be a non-negative integer, got -1');
  });
});
