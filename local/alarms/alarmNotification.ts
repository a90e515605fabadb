import type { AlarmStateChange } from './LocalAlarmEvaluator';

/** Where the offline pipeline "runs" (local/emulators/Emulators.ts). */
export interface NotificationOrigin {
  readonly account: string;
  readonly region: string;
}

/** CloudWatch writes the region's long name into notifications. */
const REGION_NAMES: Readonly<Record<string, string>> = { 'us-east-1': 'US East (N. Virginia)' };

/** `2026-12-03T10:01:30.000+0000`, CloudWatch's StateChangeTime. */
const changeTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * The SNS message CloudWatch publishes on a state change, in its JSON shape:
 * AlarmName, AlarmDescription, NewStateValue, NewStateReason, StateChangeTime,
 * OldStateValue and the Trigger (the metric and rule, or for metric math its
 * `Metrics`). Offline extras say so by their name (`OfflinePeriod`).
 */
export function alarmNotification(change: AlarmStateChange, origin: NotificationOrigin, actionArn: (action: string) => string): { subject: string; message: Record<string, unknown> } {
  const { alarm } = change;
  const region = REGION_NAMES[origin.region] ?? origin.region;
  const single = alarm.queries.length === 1 && 'metric' in alarm.queries[0]! ? alarm.queries[0] : undefined;
  const rule = {
    Period: alarm.periodSeconds,
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    ComparisonOperator: alarm.comparison,
    Threshold: alarm.threshold,
    TreatMissingData: alarm.treatMissingData,
    EvaluateLowSampleCountPercentile: '',
    OfflinePeriod: change.offlinePeriodSeconds,
  };
  const trigger =
    single && 'metric' in single
      ? {
          MetricName: single.metric.metricName,
          Namespace: single.metric.namespace,
          StatisticType: /^p\d/.test(single.statistic) ? 'ExtendedStatistic' : 'Statistic',
          Statistic: single.statistic.toUpperCase(),
          Unit: null,
          Dimensions: Object.entries(single.metric.dimensions).map(([name, value]) => ({ value, name })),
          ...rule,
        }
      : {
          Metrics: alarm.queries.map((query) =>
            'metric' in query
              ? {
                  Id: query.id,
                  ...(query.label === undefined ? {} : { Label: query.label }),
                  MetricStat: {
                    Metric: { Dimensions: Object.entries(query.metric.dimensions).map(([name, value]) => ({ value, name })), MetricName: query.metric.metricName, Namespace: query.metric.namespace },
                    Period: query.periodSeconds,
                    Stat: query.statistic,
                  },
                  ReturnData: query.returnData,
                }
              : { Id: query.id, Expression: query.expression, ...(query.label === undefined ? {} : { Label: query.label }), ReturnData: query.returnData },
          ),
          ...rule,
        };
  const message = {
    AlarmName: alarm.alarmName,
    AlarmDescription: alarm.description,
    AWSAccountId: origin.account,
    AlarmConfigurationUpdatedTimestamp: changeTime(0),
    NewStateValue: change.newState,
    NewStateReason: change.reason,
    StateChangeTime: changeTime(change.atMs),
    Region: region,
    AlarmArn: `arn:aws:cloudwatch:${origin.region}:${origin.account}:alarm:${alarm.alarmName}`,
    OldStateValue: change.oldState,
    OKActions: alarm.okActions.map(actionArn),
    AlarmActions: alarm.alarmActions.map(actionArn),
    InsufficientDataActions: alarm.insufficientDataActions.map(actionArn),
    Trigger: trigger,
  };
  // SNS allows 100 characters of subject; CloudWatch cuts its own the same way.
  const subject = `${change.newState}: "${alarm.alarmName}" in ${region}`.slice(0, 100);
  return { subject, message };
}

/** The actions CloudWatch runs on entering a state. */
export function actionsFor(change: AlarmStateChange): readonly string[] {
  if (!change.alarm.actionsEnabled) return [];
  switch (change.newState) {
    case 'ALARM':
      return change.alarm.alarmActions;
    case 'OK':
      return change.alarm.okActions;
    case 'INSUFFICIENT_DATA':
      return change.alarm.insufficientDataActions;
    default:
      return [];
  }
}
