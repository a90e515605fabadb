import type { HostStats } from '../host/FunctionHost';

/**
 * One alarm of the template as the offline evaluator sees it: the contract of
 * `LocalAlarmStatus` (local/alarms, built on the `localalarms` branch), repeated
 * here so the dashboard builds and is tested before that lands.
 */
export interface DashboardAlarm {
  readonly logicalId: string;
  readonly alarmName: string;
  readonly description: string;
  readonly severity: 'critical' | 'warning' | 'none';
  readonly metricLabel: string;
  readonly comparison: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly offlinePeriodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'NOT_EVALUATED';
  readonly reason: string;
  readonly lastValue?: number;
  readonly stateChangedAtMs?: number;
}

/**
 * HostStats as the dashboard reads them: the EMF values and alarm states are
 * optional, since a host without the alarm evaluator reports neither (read as
 * "no values", "no alarms").
 */
export type DashboardHostStats = HostStats & {
  /** EMF values emitted since the previous report, keyed `<MetricName>` and `<MetricName>|<Dim>=<value>`. */
  readonly recentMetricValues?: Readonly<Record<string, readonly number[]>>;
  readonly alarms?: readonly DashboardAlarm[];
};
