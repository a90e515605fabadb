/** A metric as CloudWatch names it; offline dimension values are the local names (a function's logical id). */
export interface LocalMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One entry of an alarm's `Metrics`: a metric with its statistic, or a math expression over other ids. */
export type LocalMetricQuery =
  | { readonly id: string; readonly label?: string; readonly returnData: boolean; readonly metric: LocalMetric; readonly statistic: string; readonly periodSeconds: number }
  | { readonly id: string; readonly label?: string; readonly returnData: boolean; readonly expression: string };

/** How CloudWatch fills an evaluation range with too few datapoints (`TreatMissingData`). */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/** The comparison operators a static threshold alarm can have. */
export const THRESHOLD_COMPARISONS = ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
export type ThresholdComparison = (typeof THRESHOLD_COMPARISONS)[number];

/** An `AWS::CloudWatch::Alarm` of the template, as the local evaluator runs it. */
export interface LocalAlarm {
  readonly logicalId: string;
  readonly alarmName: string;
  readonly description: string;
  /**
   * The alarm's metric: one query (a single-metric alarm is written as `m1`)
   * or several, of which the one with `returnData` is compared with the threshold.
   */
  readonly queries: readonly LocalMetricQuery[];
  /** `Period` of the alarm, or of its metrics for a metric math alarm (they share one). */
  readonly periodSeconds: number;
  readonly comparison: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly actionsEnabled: boolean;
  /** Logical ids (of topics) or ARNs of the actions for each new state. */
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
  /** Why the alarm cannot be evaluated offline (a metric no emulator produces); absent when it is evaluated. */
  readonly notEvaluatedReason?: string;
}
