import { describe, expect, it } from 'vitest';
import { assertSupportedStatistic, computeStatistic, UnsupportedStatisticError } from '../../../local/alarms/computeStatistic';

describe('Function: computeStatistic', () => {
  const values = [5, 1, 4, 2, 3];

  it.each([
    ['Sum', 15],
    ['Average', 3],
    ['Minimum', 1],
    ['Maximum', 5],
    ['SampleCount', 5],
    ['p50', 3],
    ['p100', 5],
  ])('%s of 5, 1, 4, 2, 3 is %d', (statistic, expected) => {
    expect(computeStatistic(statistic, values)).toBe(expected);
  });

  it('takes a percentile by nearest rank: p95 of 1…100 is 95, p99.9 is 100, p1 is 1', () => {
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(computeStatistic('p95', hundred)).toBe(95);
    expect(computeStatistic('p99.9', hundred)).toBe(100);
    expect(computeStatistic('p1', hundred)).toBe(1);
  });

  it('p95 of a lag sample sees the slow tail a sum would hide', () => {
    const lags = [...Array.from({ length: 90 }, () => 200), ...Array.from({ length: 10 }, () => 9_000)];
    expect(computeStatistic('p95', lags)).toBe(9_000);
    expect(computeStatistic('p50', lags)).toBe(200);
  });

  it('has no value for a period without values (missing, not 0)', () => {
    expect(computeStatistic('Sum', [])).toBeUndefined();
    expect(computeStatistic('p95', [])).toBeUndefined();
  });

  it('refuses statistics it cannot compute, by name', () => {
    expect(() => assertSupportedStatistic('tm90')).toThrow(UnsupportedStatisticError);
    expect(() => computeStatistic('IQM', [1])).toThrow('statistic IQM is not computed offline (Sum, Average, Minimum, Maximum, SampleCount and pNN are)');
    expect(() => assertSupportedStatistic('p99.9')).not.toThrow();
  });
});
