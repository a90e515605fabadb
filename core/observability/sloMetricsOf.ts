import { SLO_METRICS } from './SLO_METRICS';

/** One metric's values for one batch: a single value, or a distribution (CloudWatch computes percentiles over it). */
export interface SloMetricValues {
  readonly name: typeof SLO_METRICS.consumerLagMs | typeof SLO_METRICS.batchDurationMs;
  readonly unit: 'Milliseconds';
  readonly values: readonly number[];
}

/** What of a batch's summary (`BatchSummary`) the timing metrics need. */
export interface LagSample {
  /** False when the range completed before and nothing was applied. */
  readonly applied: boolean;
  readonly lagSampleTimesMs: readonly number[];
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
