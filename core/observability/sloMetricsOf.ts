import { SLO_METRICS } from './SLO_METRICS';

/** One metric's values for one batch: a single value, or a distribution (CloudWatch computes percentiles over it). */
export interface SloMetricValues {
  readonly name: typeof SLO_METRICS.consumerLagMs | typeof SLO_METRICS.batchDurationMs | typeof SLO_METRICS.watermarkDelayMs;
  readonly unit: 'Milliseconds';
  readonly values: readonly number[];
}

/** What of a batch's summary (`BatchSummary`) the timing metrics need. */
export interface LagSample {
  /** False when the range completed before and nothing was applied. */
  readonly applied: boolean;
  readonly lagSampleTimesMs: readonly number[];
  readonly lagSampleTimesMsByMetric: Readonly<Record<string, readonly number[]>>;
  /** The pipeline watermark per metric definition after the batch. */
  readonly watermarkMs: Readonly<Record<string, number>>;
}

/** When the handler started and finished a batch, by the Lambda's clock. */
export interface BatchTiming {
  readonly startedAtMs: number;
  readonly completedAtMs: number;
}

/**
 * The timing metrics of one applied batch: `ConsumerLagMs` for a sample of at
 * most LAG_SAMPLE_SIZE counted events (sampled by `planBatch`) and `BatchDurationMs`. Lag is measured at
 * completion, when the batch's windows are written and readable, not when it
 * started: that is the delay a reader sees. An event time ahead of the Lambda's
 * clock (a producer's skew) counts as 0 lag, not a negative that would pull the
 * percentiles down. A batch that applied nothing (its range completed before) has
 * no lag to report: its events were counted, and measured, the first time.
 */
export function sloMetricsOf(summary: LagSample | undefined, timing: BatchTiming): SloMetricValues[] {
  const metrics: SloMetricValues[] = [{ name: SLO_METRICS.batchDurationMs, unit: 'Milliseconds', values: [Math.max(0, timing.completedAtMs - timing.startedAtMs)] }];
  const sample = summary?.applied ? summary.lagSampleTimesMs : [];
  if (sample.length > 0) metrics.push({ name: SLO_METRICS.consumerLagMs, unit: 'Milliseconds', values: sample.map((timeMs) => Math.max(0, timing.completedAtMs - timeMs)) });
  return metrics;
}

/** One metric definition's timing metrics, published with dimension `Metric` = its name. */
export interface MetricSloValues {
  readonly metric: string;
  readonly values: readonly SloMetricValues[];
}

/**
 * Per metric definition: `ConsumerLagMs` over its own sample (at most
 * LAG_SAMPLE_SIZE of the events it counted) and `WatermarkDelayMs`, the batch's
 * completion time − the metric's watermark (how far behind the clock windows
 * are finalised; it keeps growing while no event arrives, which is the idle case).
 * A metric that counted nothing in this batch reports its watermark delay only,
 * and one with no watermark yet reports nothing. Sorted by name, so the output is stable.
 */
export function metricSloMetricsOf(summary: LagSample | undefined, timing: BatchTiming): MetricSloValues[] {
  if (!summary?.applied) return [];
  const names = [...new Set([...Object.keys(summary.lagSampleTimesMsByMetric), ...Object.keys(summary.watermarkMs)])].sort();
  return names.map((metric) => {
    const values: SloMetricValues[] = [];
    const sample = summary.lagSampleTimesMsByMetric[metric] ?? [];
    if (sample.length > 0) values.push({ name: SLO_METRICS.consumerLagMs, unit: 'Milliseconds', values: sample.map((timeMs) => Math.max(0, timing.completedAtMs - timeMs)) });
    const watermarkMs = summary.watermarkMs[metric];
    if (watermarkMs !== undefined && Number.isFinite(watermarkMs)) values.push({ name: SLO_METRICS.watermarkDelayMs, unit: 'Milliseconds', values: [Math.max(0, timing.completedAtMs - watermarkMs)] });
    return { metric, values };
  }).filter((entry) => entry.values.length > 0);
}
