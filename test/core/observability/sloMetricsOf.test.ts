import { describe, expect, it } from 'vitest';
import { sloMetricsOf } from '../../../core/observability/sloMetricsOf';

const T = Date.UTC(2026, 0, 1, 12, 0);

describe('Function: sloMetricsOf', () => {
  it('measures lag at completion for each sampled event and the batch duration once', () => {
    const metrics = sloMetricsOf({ applied: true, lagSampleTimesMs: [T - 4_000, T - 1_500] }, { startedAtMs: T - 250, completedAtMs: T });

    expect(metrics).toEqual([
      { name: 'BatchDurationMs', unit: 'Milliseconds', values: [250] },
      { name: 'ConsumerLagMs', unit: 'Milliseconds', values: [4_000, 1_500] },
    ]);
  });

  it('counts an event time ahead of the clock as 0 lag, not a negative', () => {
    const metrics = sloMetricsOf({ applied: true, lagSampleTimesMs: [T + 60_000] }, { startedAtMs: T, completedAtMs: T + 10 });

    expect(metrics[1]).toEqual({ name: 'ConsumerLagMs', unit: 'Milliseconds', values: [0] });
  });

  it('reports no lag for a range that completed before, nor for a batch without a summary', () => {
    const timing = { startedAtMs: T, completedAtMs: T + 40 };

    expect(sloMetricsOf({ applied: false, lagSampleTimesMs: [T - 1_000] }, timing)).toEqual([{ name: 'BatchDurationMs', unit: 'Milliseconds', values: [40] }]);
    expect(sloMetricsOf(undefined, timing)).toEqual([{ name: 'BatchDurationMs', unit: 'Milliseconds', values: [40] }]);
  });
});
