import { describe, expect, it } from 'vitest';
import { type LagSample, metricSloMetricsOf, sloMetricsOf } from '../../../core/observability/sloMetricsOf';

const T = Date.UTC(2026, 0, 1, 12, 0);
const summary = (overrides: Partial<LagSample>): LagSample => ({ applied: true, lagSampleTimesMs: [], lagSampleTimesMsByMetric: {}, watermarkMs: {}, ...overrides });

describe('Function: sloMetricsOf', () => {
  it('measures lag at completion for each sampled event and the batch duration once', () => {
    const metrics = sloMetricsOf(summary({ lagSampleTimesMs: [T - 4_000, T - 1_500] }), { startedAtMs: T - 250, completedAtMs: T });

    expect(metrics).toEqual([
      { name: 'BatchDurationMs', unit: 'Milliseconds', values: [250] },
      { name: 'ConsumerLagMs', unit: 'Milliseconds', values: [4_000, 1_500] },
    ]);
  });

  it('counts an event time ahead of the clock as 0 lag, not a negative', () => {
    const metrics = sloMetricsOf(summary({ lagSampleTimesMs: [T + 60_000] }), { startedAtMs: T, completedAtMs: T + 10 });

    expect(metrics[1]).toEqual({ name: 'ConsumerLagMs', unit: 'Milliseconds', values: [0] });
  });

  it('reports no lag for a range that completed before, nor for a batch without a summary', () => {
    const timing = { startedAtMs: T, completedAtMs: T + 40 };

    expect(sloMetricsOf(summary({ applied: false, lagSampleTimesMs: [T - 1_000] }), timing)).toEqual([{ name: 'BatchDurationMs', unit: 'Milliseconds', values: [40] }]);
    expect(sloMetricsOf(undefined, timing)).toEqual([{ name: 'BatchDurationMs', unit: 'Milliseconds', values: [40] }]);
  });
});

describe('Function: metricSloMetricsOf', () => {
  const timing = { startedAtMs: T - 100, completedAtMs: T };

  it('gives each metric definition its own lag sample and its watermark delay, sorted by name', () => {
    const metrics = metricSloMetricsOf(summary({ lagSampleTimesMsByMetric: { orders: [T - 2_000], clicks: [T - 700, T - 300] }, watermarkMs: { orders: T - 6_000, clicks: T - 5_000 } }), timing);

    expect(metrics).toEqual([
      {
        metric: 'clicks',
        values: [
          { name: 'ConsumerLagMs', unit: 'Milliseconds', values: [700, 300] },
          { name: 'WatermarkDelayMs', unit: 'Milliseconds', values: [5_000] },
        ],
      },
      {
        metric: 'orders',
        values: [
          { name: 'ConsumerLagMs', unit: 'Milliseconds', values: [2_000] },
          { name: 'WatermarkDelayMs', unit: 'Milliseconds', values: [6_000] },
        ],
      },
    ]);
  });

  it('reports only the watermark delay of a metric that counted nothing, and nothing for one without a watermark yet', () => {
    const metrics = metricSloMetricsOf(summary({ lagSampleTimesMsByMetric: {}, watermarkMs: { orders: T - 60_000, fresh: Number.NEGATIVE_INFINITY } }), timing);

    expect(metrics).toEqual([{ metric: 'orders', values: [{ name: 'WatermarkDelayMs', unit: 'Milliseconds', values: [60_000] }] }]);
  });

  it('reports nothing for a range that completed before', () => {
    expect(metricSloMetricsOf(summary({ applied: false, lagSampleTimesMsByMetric: { orders: [T] }, watermarkMs: { orders: T } }), timing)).toEqual([]);
    expect(metricSloMetricsOf(undefined, timing)).toEqual([]);
  });
});
