/** CloudWatch's alarm states, and ours for an alarm whose metric has no offline source. */
export type LocalAlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'NOT_EVALUATED';

/** One alarm of the template as the local evaluator sees it now (HostStats.alarms, read by the local dashboard). */
export interface LocalAlarmStatus {
  readonly logicalId: string;
  /** AlarmName (resolved) or the logical id. */
  readonly alarmName: string;
  /** AlarmDescription. */
  readonly description: string;
  /** From the `-Critical`/`-Warning` suffix infra/constructs/PipelineMonitoring.ts gives every alarm name. */
  readonly severity: 'critical' | 'warning' | 'none';
  /** What is compared with the threshold, e.g. `Tributary LateEvents, EventsCounted: late ÷ (late + counted) %`. */
  readonly metricLabel: string;
  /** ComparisonOperator. */
  readonly comparison: string;
  readonly threshold: number;
  /** The period as on AWS. */
  readonly periodSeconds: number;
  /** The period as evaluated offline: periodSeconds ÷ TRIBUTARY_ALARM_TIME_SCALE. */
  readonly offlinePeriodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly state: LocalAlarmState;
  /** CloudWatch-like StateReason, or why the alarm is not evaluated offline. */
  readonly reason: string;
  /** The last complete period's value. */
  readonly lastValue?: number;
  readonly stateChangedAtMs?: number;
}
