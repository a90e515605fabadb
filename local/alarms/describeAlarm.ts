import type { LocalAlarm } from './LocalAlarm';
import type { LocalAlarmStatus } from './LocalAlarmStatus';

/**
 * The severity infra/constructs/PipelineMonitoring.ts writes into every alarm
 * name (cdk-monitoring-constructs' `…-Warning` / `…-Critical`); `none` for an
 * alarm named otherwise.
 */
export function alarmSeverity(alarmName: string): LocalAlarmStatus['severity'] {
  if (/-critical$/i.test(alarmName)) return 'critical';
  if (/-warning$/i.test(alarmName)) return 'warning';
  return 'none';
}

/**
 * What the alarm compares with its threshold, in a line: `AWS/Lambda Errors Sum`
 * for a metric, `Tributary LateEvents, EventsCounted: late ÷ (late + counted) %`
 * for metric math (the label, or the expression when it has none).
 */
export function alarmMetricLabel(alarm: LocalAlarm): string {
  const returned = alarm.queries.find((query) => query.returnData);
  if (!returned) return alarm.alarmName;
  if ('metric' in returned) return `${returned.metric.namespace} ${returned.metric.metricName} ${returned.statistic}`;
  const stats = alarm.queries.flatMap((query) => ('metric' in query ? [query.metric] : []));
  const namespaces = [...new Set(stats.map((metric) => metric.namespace))].join(', ');
  const names = [...new Set(stats.map((metric) => metric.metricName))].join(', ');
  return `${namespaces} ${names}: ${returned.label ?? returned.expression}`;
}
