import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalAlarm } from '../../../local/alarms/LocalAlarm';
import type { SynthesizedStack } from '../../../local/assembly/CloudAssembly';
import { planAlarms } from '../../../local/assembly/planAlarms';
import { synthesizedStack } from '../../support/synthesizedRestApi';

let alarms: LocalAlarm[];
let templateAlarmCount: number;
const byName = (name: string): LocalAlarm => {
  const alarm = alarms.find((candidate) => candidate.alarmName === name);
  if (!alarm) throw new Error(`no alarm ${name} in ${alarms.map((candidate) => candidate.alarmName).join(', ')}`);
  return alarm;
};

describe('Function: planAlarms, on the synthesized stack', () => {
  beforeAll(() => {
    const stack = synthesizedStack();
    alarms = planAlarms(stack);
    templateAlarmCount = Object.values(stack.template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').length;
  }, 60_000);

  it('plans every alarm of the template, evaluating all but those on metrics no emulator produces', () => {
    // The count itself is asserted in test/infra/PipelineMonitoring.test.ts; here: none is left out.
    expect(templateAlarmCount).toBeGreaterThanOrEqual(30);
    expect(alarms).toHaveLength(templateAlarmCount);
    const notEvaluated = alarms.filter((alarm) => alarm.notEvaluatedReason !== undefined).map((alarm) => alarm.alarmName);
    // Twelve DynamoDB throttle alarms, two Kinesis throughput alarms, the two iterator-age alarms of each DynamoDB-stream consumer.
    expect(notEvaluated).toHaveLength(18);
    expect(notEvaluated.every((name) => /Throttled-Events|ThroughputExceeded|ChangePublisher-Iterator-Age|AlertEvaluator-Iterator-Age/.test(name))).toBe(true);
  });

  it('reads the late-event objective as metric math over two EMF sums, 3 of 3 five-minute periods', () => {
    expect(byName('Tributary-Objectives-LateEventRate-Warning')).toEqual({
      logicalId: expect.stringMatching(/^MonitoringFacadeTributaryObjectivesLateEventRateWarning/),
      alarmName: 'Tributary-Objectives-LateEventRate-Warning',
      description: 'Threshold of 1 has been breached.',
      queries: [
        { id: 'expr_1', label: 'late ÷ (late + counted) %', returnData: true, expression: 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)' },
        { id: 'part', label: 'late events', returnData: false, metric: { namespace: 'Tributary', metricName: 'LateEvents', dimensions: { service: 'tributary-aggregator' } }, statistic: 'Sum', periodSeconds: 300 },
        { id: 'rest', label: 'events counted', returnData: false, metric: { namespace: 'Tributary', metricName: 'EventsCounted', dimensions: { service: 'tributary-aggregator' } }, statistic: 'Sum', periodSeconds: 300 },
      ],
      periodSeconds: 300,
      comparison: 'GreaterThanThreshold',
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
      actionsEnabled: true,
      alarmActions: [expect.stringMatching(/^AlarmsTopic/)],
      okActions: [expect.stringMatching(/^AlarmsTopic/)],
      insufficientDataActions: [],
    });
  });

  it('resolves AWS dimensions to the local names: the function, the queue, the stream, the stage', () => {
    const dimensionsOf = (name: string) => byName(name).queries.flatMap((query) => ('metric' in query ? [query.metric.dimensions] : []));
    expect(dimensionsOf('Tributary-Ingest-Fault-Count-Warning')).toEqual([{ FunctionName: expect.stringMatching(/^IngestFunction/) }]);
    expect(dimensionsOf('Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical')).toEqual([{ QueueName: expect.stringMatching(/^AggregatorDeadLetterQueue/) }]);
    expect(dimensionsOf('Tributary-Stream-Iterator-Age-Max-Critical')).toEqual([{ StreamName: expect.stringMatching(/^EventsStream/) }]);
    expect(dimensionsOf('Tributary-Api-Fault-Rate-Critical')).toEqual([{ ApiName: 'tributary', Stage: 'v1' }]);
    expect(byName('Tributary-Objectives-ConsumerLagP95-Warning').queries).toEqual([
      { id: 'm1', label: 'lag p95', returnData: true, metric: { namespace: 'Tributary', metricName: 'ConsumerLagMs', dimensions: { service: 'tributary-aggregator' } }, statistic: 'p95', periodSeconds: 300 },
    ]);
  });

  it('says why an alarm is not evaluated', () => {
    expect(byName('Tributary-Aggregates-Write-Throttled-Events-Warning').notEvaluatedReason).toBe('AWS/DynamoDB WriteThrottleEvents: DynamoDB Local never throttles and reports no CloudWatch metrics');
    expect(byName('Tributary-Stream-WriteThroughputExceeded-Warning').notEvaluatedReason).toBe(
      'AWS/Kinesis WriteProvisionedThroughputExceeded: kinesis-mock enforces no shard throughput limits, so nothing is ever throttled offline',
    );
    expect(byName('Tributary-ChangePublisher-Iterator-Age-Max-Warning').notEvaluatedReason).toMatch(/^AWS\/Lambda IteratorAge: DynamoDB Local's GetRecords reports no MillisBehindLatest/);
  });
});

describe('Function: planAlarms, alarms outside the evaluated subset', () => {
  const stackWith = (properties: Record<string, unknown>): SynthesizedStack => ({
    stackName: 'Test',
    template: { Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, ...properties } } } },
  } as unknown as SynthesizedStack);

  it('reads a single-metric alarm with an ExtendedStatistic as query m1, defaults in CloudWatch\'s way', () => {
    const [alarm] = planAlarms(stackWith({ Namespace: 'Tributary', MetricName: 'BatchDurationMs', ExtendedStatistic: 'p99', Period: 60 }));
    expect(alarm).toMatchObject({
      alarmName: 'Alarm',
      queries: [{ id: 'm1', returnData: true, metric: { namespace: 'Tributary', metricName: 'BatchDurationMs', dimensions: {} }, statistic: 'p99', periodSeconds: 60 }],
      periodSeconds: 60,
      datapointsToAlarm: 1,
      treatMissingData: 'missing',
      alarmActions: [],
    });
    expect(alarm!.notEvaluatedReason).toBeUndefined();
  });

  it('does not evaluate an anomaly band, an unknown function, a statistic it cannot compute, or a metric of an unknown AWS namespace', () => {
    const reason = (properties: Record<string, unknown>): string | undefined => planAlarms(stackWith(properties))[0]!.notEvaluatedReason;
    const metric = { Namespace: 'Tributary', MetricName: 'X', Statistic: 'Sum', Period: 60 };
    expect(reason({ ...metric, ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' })).toBe('LessThanLowerOrGreaterThanUpperThreshold (an anomaly detection band) is not evaluated offline');
    expect(reason({ Metrics: [{ Id: 'e', Expression: 'RATE(m)', ReturnData: true }, { Id: 'm', MetricStat: { Metric: { Namespace: 'Tributary', MetricName: 'X' }, Period: 60, Stat: 'Sum' }, ReturnData: false }] })).toBe(
      'metric math function RATE is not evaluated offline (IF, FILL and ABS are)',
    );
    expect(reason({ Metrics: [{ Id: 'e', Expression: 'm + other', ReturnData: true }, { Id: 'm', MetricStat: { Metric: { Namespace: 'Tributary', MetricName: 'X' }, Period: 60, Stat: 'Sum' }, ReturnData: false }] })).toBe(
      'metric math "m + other" reads other, which the alarm does not define',
    );
    expect(reason({ ...metric, Statistic: undefined, ExtendedStatistic: 'tm90' })).toBe('statistic tm90 is not computed offline (Sum, Average, Minimum, Maximum, SampleCount and pNN are)');
    expect(reason({ ...metric, Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' })).toBe('AWS/EC2 CPUUtilization: not produced offline');
  });
});
