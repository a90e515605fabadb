import { describe, expect, it } from 'vitest';
import type { LocalAlarm } from '../../../local/alarms/LocalAlarm';
import { actionsFor, alarmNotification } from '../../../local/alarms/alarmNotification';
import type { AlarmStateChange } from '../../../local/alarms/LocalAlarmEvaluator';

const dlqAlarm: LocalAlarm = {
  logicalId: 'DlqAlarm',
  alarmName: 'Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical',
  description: 'Number of messages in the queue is too high.',
  queries: [{ id: 'm1', returnData: true, metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'AggregatorDeadLetterQueue' } }, statistic: 'Maximum', periodSeconds: 60 }],
  periodSeconds: 60,
  comparison: 'GreaterThanThreshold',
  threshold: 0,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'missing',
  actionsEnabled: true,
  alarmActions: ['AlarmsTopic'],
  okActions: ['AlarmsTopic'],
  insufficientDataActions: [],
};
const change = (overrides: Partial<AlarmStateChange> = {}): AlarmStateChange => ({
  alarm: dlqAlarm,
  oldState: 'OK',
  newState: 'ALARM',
  reason: 'Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 10:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).',
  atMs: Date.UTC(2026, 11, 3, 10, 0, 2),
  offlinePeriodSeconds: 2,
  ...overrides,
});
const topicArn = 'arn:aws:sns:us-east-1:000000000000:AlarmsTopic';

describe('Function: alarmNotification', () => {
  it("writes CloudWatch's notification for a single-metric alarm", () => {
    const { subject, message } = alarmNotification(change(), { account: '000000000000', region: 'us-east-1' }, (action) => (action === 'AlarmsTopic' ? topicArn : action));
    expect(subject).toBe('ALARM: "Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical" in US East (N. Virginia)');
    expect(message).toEqual({
      AlarmName: 'Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical',
      AlarmDescription: 'Number of messages in the queue is too high.',
      AWSAccountId: '000000000000',
      AlarmConfigurationUpdatedTimestamp: '1970-01-01T00:00:00.000+0000',
      NewStateValue: 'ALARM',
      NewStateReason: change().reason,
      StateChangeTime: '2026-12-03T10:00:02.000+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical',
      OldStateValue: 'OK',
      OKActions: [topicArn],
      AlarmActions: [topicArn],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        StatisticType: 'Statistic',
        Statistic: 'MAXIMUM',
        Unit: null,
        Dimensions: [{ value: 'AggregatorDeadLetterQueue', name: 'QueueName' }],
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'missing',
        EvaluateLowSampleCountPercentile: '',
        OfflinePeriod: 2,
      },
    });
  });

  it("runs the new state's actions only, and none when actions are disabled", () => {
    expect(actionsFor(change())).toEqual(['AlarmsTopic']);
    expect(actionsFor(change({ newState: 'INSUFFICIENT_DATA' }))).toEqual([]);
    expect(actionsFor(change({ alarm: { ...dlqAlarm, actionsEnabled: false } }))).toEqual([]);
  });
});
