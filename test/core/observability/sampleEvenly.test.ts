import { describe, expect, it } from 'vitest';
import { sampleEvenly } from '../../../core/observability/sampleEvenly';

describe('Function: sampleEvenly', () => {
  it('keeps every value when there are no more than the maximum', () => {
    expect(sampleEvenly([3, 1, 2], 3)).toEqual([3, 1, 2]);
  });

  it('takes every (length ÷ max)-th value from the first on, spanning the whole input', () => {
    const values = Array.from({ length: 10 }, (_, i) => i);

    expect(sampleEvenly(values, 4)).toEqual([0, 2, 5, 7]);
  });

  it('bounds a batch of 10,000 to exactly 100 values, the same ones each time', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i);

    const sample = sampleEvenly(values, 100);

    expect(sample).toHaveLength(100);
    expect(sample.slice(0, 3)).toEqual([0, 100, 200]);
    expect(sample.at(-1)).toBe(9_900);
    expect(sampleEvenly(values, 100)).toEqual(sample);
  });

  it('refuses a maximum that is not a non-negative integer', () => {
    expect(() => sampleEvenly([1], -1)).toThrow('maxCount must be a non-negative integer, got -1');
  });
});
