import { describe, expect, it } from 'vitest';
import { idleWatermark } from '../../../core/windowing/idleWatermark';

const NOW = 1_000_000;

describe('Function: idleWatermark', () => {
  it('is now − idle time − max delay once every input has been idle for exactly the idle time', () => {
    expect(idleWatermark([{ maxEventTimeMs: 900_000, activeAtMs: NOW - 60_000 }, { maxEventTimeMs: 950_000, activeAtMs: NOW - 70_000 }], NOW, 5_000, 60_000)).toBe(NOW - 65_000);
  });

  it('is −∞ while any input delivered an event more recently than the idle time', () => {
    expect(idleWatermark([{ maxEventTimeMs: 900_000, activeAtMs: NOW - 600_000 }, { maxEventTimeMs: 950_000, activeAtMs: NOW - 59_999 }], NOW, 5_000, 60_000)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is −∞ when no input ever delivered an event of the metric (no traffic yet), and ignores inputs that delivered none', () => {
    expect(idleWatermark([], NOW, 5_000, 60_000)).toBe(Number.NEGATIVE_INFINITY);
    expect(idleWatermark([{ maxEventTimeMs: undefined, activeAtMs: NOW - 1 }], NOW, 5_000, 60_000)).toBe(Number.NEGATIVE_INFINITY);
    expect(idleWatermark([{ maxEventTimeMs: undefined, activeAtMs: NOW - 1 }, { maxEventTimeMs: 1, activeAtMs: NOW - 60_000 }], NOW, 5_000, 60_000)).toBe(NOW - 65_000);
  });
});
