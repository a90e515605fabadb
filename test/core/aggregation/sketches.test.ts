import { describe, expect, it } from 'vitest';
import { DDSketch } from '../../../core/aggregation/sketches/DDSketch';
import { HyperLogLog } from '../../../core/aggregation/sketches/HyperLogLog';
import { SketchDecodeError } from '../../../core/errors';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('Class: HyperLogLog', () => {
  it.each([1, 10, 100, 1_000, 10_000, 40_000, 100_000, 1_000_000])('estimates %i distinct values within 2 %%', (n) => {
    const sketch = new HyperLogLog();
    for (let i = 0; i < n; i++) sketch.add(`user-${i}`);
    expect(Math.abs(sketch.estimate() - n) / n).toBeLessThanOrEqual(0.02);
  });

  it('ignores repeats and merges like a union, through its stored bytes, sparse and dense', () => {
    // Prepare: two overlapping sets, one small (sparse), one large (dense).
    const small = new HyperLogLog();
    const large = new HyperLogLog();
    for (let i = 0; i < 500; i++) small.add(`v${i % 300}`);
    for (let i = 200; i < 20_200; i++) large.add(`v${i}`);

    // Act
    const merged = HyperLogLog.decode(small.encode());
    merged.merge(HyperLogLog.decode(large.encode()));

    // Assess: 300 ∪ 20,000 with 100 in common = 20,200.
    expect(Math.abs(small.estimate() - 300)).toBeLessThanOrEqual(3);
    expect(small.encode().length).toBeLessThan(1_000);
    expect(Math.abs(merged.estimate() - 20_200) / 20_200).toBeLessThanOrEqual(0.02);
  });

  it('refuses bytes it did not write', () => {
    expect(() => HyperLogLog.decode(Uint8Array.from([9, 1, 2]))).toThrow(SketchDecodeError);
  });
});

describe('Class: DDSketch', () => {
  const exactQuantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

  it.each([
    ['uniform', (r: () => number) => r() * 1_000],
    ['exponential latencies', (r: () => number) => -Math.log(1 - r()) * 200],
    ['heavy tail', (r: () => number) => 1 / (1 - r() * 0.999)],
    ['mixed signs', (r: () => number) => (r() - 0.3) * 10_000],
  ])('returns p50, p90, p99, p99.9 within 1 %% of the true value for %s', (_, draw) => {
    const next = random(42);
    const values = Array.from({ length: 20_000 }, () => draw(next));
    const sketch = new DDSketch();
    for (const value of values) sketch.add(value);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0, 0.5, 0.9, 0.99, 0.999, 1]) {
      const expected = exactQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q)! - expected)).toBeLessThanOrEqual(Math.abs(expected) * 0.01 + 1e-9);
    }
  });

  it('merges by adding buckets, through its stored bytes, to the same answers as one sketch', () => {
    const next = random(7);
    const values = Array.from({ length: 5_000 }, () => Math.round(next() * 100_000) - 100);
    const whole = new DDSketch();
    const left = new DDSketch();
    const right = new DDSketch();
    values.forEach((value, i) => {
      whole.add(value);
      (i % 3 === 0 ? left : right).add(value);
    });
    const merged = DDSketch.decode(left.encode());
    merged.merge(DDSketch.decode(right.encode()));
    expect(merged.count).toBe(5_000);
    for (const q of [0.01, 0.5, 0.9, 0.99]) expect(merged.quantile(q)).toBe(whole.quantile(q));
  });

  it('has no quantiles when empty, and counts zeros', () => {
    const sketch = new DDSketch();
    expect(sketch.quantile(0.5)).toBeUndefined();
    sketch.add(0);
    sketch.add(0);
    sketch.add(5);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(sketch.quantile(1)).toBeCloseTo(5, 1);
  });
});
