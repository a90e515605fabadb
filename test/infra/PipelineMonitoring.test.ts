import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import { ConfigError } from '../../core/errors';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

/** Synthesizes without bundling (the bundles are exercised by the offline tests). */
function synth(config: TributaryConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config }));
}

interface AlarmProperties {
  readonly AlarmName: string;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly AlarmActions: unknown[];
  readonly OKActions: unknown[];
  readonly Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: number; Stat: string } }[];
}

function alarmsOf(template: Template): Map<string, AlarmProperties> {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((resource) => resource.Properties as AlarmProperties);
  return new Map(alarms.map((alarm) => [alarm.AlarmName, alarm]));
}

/** The alarm's one metric (or, for metric math, its expression and inputs) as [name, statistic, period s]. */
function watched(alarm: AlarmProperties): { expression?: string; metrics: [string, string, number][] } {
  const expression = alarm.Metrics.find((metric) => metric.Expression !== undefined)?.Expression;
  const metrics = alarm.Metrics.filter((metric) => metric.MetricStat).map((metric): [string, string, number] => [`${metric.MetricStat!.Metric.Namespace}/${metric.MetricStat!.Metric.MetricName}`, metric.MetricStat!.Stat, metric.MetricStat!.Period]);
  return { ...(expression === undefined ? {} : { expression }), metrics };
}

/** The key policy statement that lets CloudWatch alarms named after stack `Test` publish to the encrypted topic. */
const CLOUDWATCH_MAY_PUBLISH = {
  Sid: 'CloudWatchAlarmsOfThisStack',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
  Condition: {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:Test-*']] } },
  },
};

const RATE = 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)';

describe('Construct: PipelineMonitoring', () => {
  let template: Template;
  let alarms: Map<string, AlarmProperties>;
  beforeAll(() => {
    // Stream retention 48 h, aggregator max record age 2 h, archive 1 h: the warning follows the smaller.
    template = synth({ metrics: [ordersPerRegion], stream: { retentionHours: 48 }, aggregator: { maxRecordAgeSeconds: 7_200 }, archive: { maxRecordAgeSeconds: 3_600 } });
    alarms = alarmsOf(template);
  });

  it('creates 33 alarms: 8 critical, 25 warning, every one notifying the alarm topic on alarm and on OK', () => {
    const names = [...alarms.keys()];

    expect(names).toHaveLength(33);
    expect(names.filter((name) => name.endsWith('-Critical')).sort()).toEqual([
      'Test-AggregatorDlq-Queue-Message-Count-Max-Critical',
      'Test-Api-Fault-Rate-Critical',
      'Test-ArchiverDlq-Queue-Message-Count-Max-Critical',
      'Test-AuditDlq-Queue-Message-Count-Max-Critical',
      'Test-ChangePublisher-Iterator-Age-Max-Critical',
      'Test-ChangesDlq-Queue-Message-Count-Max-Critical',
      'Test-Objectives-LossRate-Critical',
      'Test-Stream-Iterator-Age-Max-Critical',
    ]);
    expect(names.filter((name) => name.endsWith('-Warning'))).toHaveLength(25);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmsTopic'))!;
    for (const alarm of alarms.values()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it.each([
    ['Test-Objectives-ConsumerLagP95-Warning', 5_000, { metrics: [['Tributary/ConsumerLagMs', 'p95', 300]] }],
    ['Test-Objectives-BatchDurationP95-Warning', 10_000, { metrics: [['Tributary/BatchDurationMs', 'p95', 300]] }],
    ['Test-Objectives-LateEventRate-Warning', 1, { expression: RATE, metrics: [['Tributary/LateEvents', 'Sum', 300], ['Tributary/EventsCounted', 'Sum', 300]] }],
  ])('alarms on objective %s above %d over three consecutive 5-minute periods', (name, threshold, metric) => {
    const alarm = alarms.get(name)!;

    expect({ threshold: alarm.Threshold, comparison: alarm.ComparisonOperator, periods: alarm.EvaluationPeriods, datapoints: alarm.DatapointsToAlarm }).toEqual({ threshold, comparison: 'GreaterThanThreshold', periods: 3, datapoints: 3 });
    expect(watched(alarm)).toEqual(metric);
  });

  it.each([
    // Half of 48 h; half of the smaller max record age (1 h).
    ['Test-Stream-Iterator-Age-Max-Critical', 86_400_000, 'AWS/Kinesis/GetRecords.IteratorAgeMilliseconds', 'Maximum', 60],
    ['Test-Stream-Iterator-Age-Max-Warning', 1_800_000, 'AWS/Kinesis/GetRecords.IteratorAgeMilliseconds', 'Maximum', 60],
    // DynamoDB streams keep 24 h; the change publisher's max record age follows the aggregator's 2 h.
    ['Test-ChangePublisher-Iterator-Age-Max-Critical', 43_200_000, 'AWS/Lambda/IteratorAge', 'Maximum', 60],
    ['Test-ChangePublisher-Iterator-Age-Max-Warning', 3_600_000, 'AWS/Lambda/IteratorAge', 'Maximum', 60],
    ['Test-AggregatorDlq-Queue-Message-Count-Max-Critical', 0, 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60],
    ['Test-ArchiverDlq-Queue-Message-Count-Max-Critical', 0, 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60],
    ['Test-ChangesDlq-Queue-Message-Count-Max-Critical', 0, 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60],
    ['Test-AuditDlq-Queue-Message-Count-Max-Critical', 0, 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60],
    // Accepted means applied: one event the audit finds missing from its window is critical.
    ['Test-Objectives-LossRate-Critical', 0, 'Tributary/AuditDeficitEvents', 'Sum', 300],
    ['Test-Audit-Fault-Count-Warning', 0, 'AWS/Lambda/Errors', 'Sum', 300],
    ['Test-Api-Fault-Rate-Warning', 0.01, 'AWS/ApiGateway/5XXError', 'Average', 300],
    ['Test-Api-Fault-Rate-Critical', 0.05, 'AWS/ApiGateway/5XXError', 'Average', 300],
    // One throttled call makes the period's Average of the 0/1 metric > 0.
    ['Test-Stream-WriteThroughputExceeded-Warning', 0, 'AWS/Kinesis/WriteProvisionedThroughputExceeded', 'Average', 300],
    ['Test-Stream-ReadThroughputExceeded-Warning', 0, 'AWS/Kinesis/ReadProvisionedThroughputExceeded', 'Average', 300],
    ['Test-Aggregates-Write-Throttled-Events-Warning', 0, 'AWS/DynamoDB/WriteThrottleEvents', 'Sum', 300],
    ['Test-Idempotency-Read-Throttled-Events-Warning', 0, 'AWS/DynamoDB/ReadThrottleEvents', 'Sum', 300],
    ['Test-Aggregator-Fault-Count-Warning', 0, 'AWS/Lambda/Errors', 'Sum', 300],
    ['Test-Ingest-Fault-Count-Warning', 0, 'AWS/Lambda/Errors', 'Sum', 300],
  ])('alarms %s above %d on %s (%s, %d s), on the first breaching period', (name, threshold, metric, statistic, periodSeconds) => {
    const alarm = alarms.get(name)!;

    expect({ threshold: alarm.Threshold, comparison: alarm.ComparisonOperator, periods: alarm.EvaluationPeriods, datapoints: alarm.DatapointsToAlarm }).toEqual({ threshold, comparison: 'GreaterThanThreshold', periods: 1, datapoints: 1 });
    expect(watched(alarm).metrics).toEqual([[metric, statistic, periodSeconds]]);
  });

  it('alarms on the duplicate-rate objective as the audit measures it: surplus ÷ audited events above 0.1 %, on the first breaching run', () => {
    const alarm = alarms.get('Test-Objectives-DuplicateRate-Warning')!;

    expect({ threshold: alarm.Threshold, comparison: alarm.ComparisonOperator, periods: alarm.EvaluationPeriods, datapoints: alarm.DatapointsToAlarm }).toEqual({ threshold: 0.1, comparison: 'GreaterThanThreshold', periods: 1, datapoints: 1 });
    expect(watched(alarm)).toEqual({
      expression: 'IF(FILL(whole, 0) > 0, 100 * FILL(part, 0) / FILL(whole, 0), 0)',
      metrics: [['Tributary/AuditSurplusEvents', 'Sum', 300], ['Tributary/AuditedEvents', 'Sum', 300]],
    });
  });

  it('reads the audit over its schedule when runs are further apart than 5 minutes, so no period lacks its run', () => {
    const sparse = alarmsOf(synth({ metrics: [ordersPerRegion], audit: { scheduleMinutes: 15 } }));

    expect(watched(sparse.get('Test-Objectives-LossRate-Critical')!).metrics).toEqual([['Tributary/AuditDeficitEvents', 'Sum', 900]]);
    expect(watched(sparse.get('Test-Objectives-DuplicateRate-Warning')!).metrics).toEqual([['Tributary/AuditSurplusEvents', 'Sum', 900], ['Tributary/AuditedEvents', 'Sum', 900]]);
  });

  it('falls back to dropped duplicates for the duplicate rate, with no audit alarm, when the audit is off', () => {
    const withoutAudit = alarmsOf(synth({ metrics: [ordersPerRegion], audit: { enabled: false } }));
    const alarm = withoutAudit.get('Test-Objectives-DuplicateRate-Warning')!;

    expect([...withoutAudit.keys()]).toHaveLength(30);
    expect([...withoutAudit.keys()].filter((name) => name.includes('Audit') || name.includes('LossRate'))).toEqual([]);
    expect({ threshold: alarm.Threshold, periods: alarm.EvaluationPeriods, datapoints: alarm.DatapointsToAlarm }).toEqual({ threshold: 0.1, periods: 3, datapoints: 3 });
    expect(watched(alarm)).toEqual({ expression: RATE, metrics: [['Tributary/DuplicatesDropped', 'Sum', 300], ['Tributary/EventsCounted', 'Sum', 300]] });
  });

  it('alarms on errors of every function and on read and write throttles of every table', () => {
    const names = [...alarms.keys()];

    expect(names.filter((name) => name.endsWith('-Fault-Count-Warning')).sort()).toEqual(['Aggregator', 'Archiver', 'Audit', 'ChangePublisher', 'Ingest', 'Query'].map((fn) => `Test-${fn}-Fault-Count-Warning`));
    expect(names.filter((name) => name.includes('-Throttled-Events-'))).toHaveLength(10);
  });

  it('encrypts the alarm topic with a rotated key of its own that CloudWatch alarms of this stack may use, and refuses plain-HTTP publishing', () => {
    // Not alias/aws/sns: its policy does not let CloudWatch publish, so alarms would be dropped.
    const [topicId, topic] = Object.entries(template.findResources('AWS::SNS::Topic')).find(([id]) => id.startsWith('AlarmsTopic'))!;
    const [keyId, key] = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('AlarmsKey'))!;

    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(CLOUDWATCH_MAY_PUBLISH);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('outputs the dashboard URL and the alarm topic ARN, and has no subscription unless configured', () => {
    const dashboardId = Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmsTopic'))!;
    const outputs = template.findOutputs('*');

    expect(outputs.DashboardUrl!.Value).toEqual({
      'Fn::Join': ['', ['https://', { Ref: 'AWS::Region' }, '.console.aws.amazon.com/cloudwatch/home?region=', { Ref: 'AWS::Region' }, '#dashboards:name=', { Ref: dashboardId }]],
    });
    expect(outputs.AlarmTopicArn!.Value).toEqual({ Ref: topicId });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('lays the dashboard out in the order an event flows, DAX included when on', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    const headers = ['1. Ingest API', '2. Stream', '3. Consumers', '4. Dead-letter queues', '5. Tables', '6. DAX', '7. Tributary: objectives and counts'];

    const positions = headers.map((header) => body.indexOf(`# ${header}`));

    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const metric of ['ItemCacheHits', 'ItemCacheMisses', 'ConsumerLagMs', 'BatchDurationMs', 'WindowsFinalized', 'DuplicatesDropped']) expect(body).toContain(metric);
    // Per metric definition: its lag p95 and watermark delay, by the Metric dimension (the body's literal text, tokens left out).
    const [, parts] = (Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = parts.filter((part): part is string => typeof part === 'string').join('');
    expect(text).toContain(`["Tributary","ConsumerLagMs","Metric","${ordersPerRegion.name}","service","tributary-aggregator",{"label":"${ordersPerRegion.name}","stat":"p95"}]`);
    expect(text).toContain(`["Tributary","WatermarkDelayMs","Metric","${ordersPerRegion.name}","service","tributary-aggregator",{"label":"${ordersPerRegion.name}","stat":"Maximum"}]`);
  });
});

// Alerts on windowed metrics (issue 14, item 4): the alert function's alarms and the business-metrics section.
describe('Construct: PipelineMonitoring, with alerts and published business metrics', () => {
  let template: Template;
  let alarms: Map<string, AlarmProperties>;
  beforeAll(() => {
    const alerting = { ...ordersPerRegion, alerts: { noOrders: { aggregation: 'orders', comparison: 'below', threshold: 1 } }, publish: { aggregations: ['orders', 'revenue'], groups: ['eu-west', 'us-east'] } } as const;
    template = synth({ metrics: [alerting], changes: { maxRecordAgeSeconds: 3_600 } });
    alarms = alarmsOf(template);
  });

  it('adds 6 alarms for the alert function: its DLQ and iterator age critical, its errors, iterator-age warning and state-table throttles', () => {
    const names = [...alarms.keys()];

    // 30, the audit's 3 (on by default) and these 6.
    expect(names).toHaveLength(39);
    expect(names.filter((name) => name.includes('AlertEvaluator') || name.includes('AlertStates')).sort()).toEqual([
      'Test-AlertEvaluator-Fault-Count-Warning',
      'Test-AlertEvaluator-Iterator-Age-Max-Critical',
      'Test-AlertEvaluator-Iterator-Age-Max-Warning',
      'Test-AlertEvaluatorDlq-Queue-Message-Count-Max-Critical',
      'Test-AlertStates-Read-Throttled-Events-Warning',
      'Test-AlertStates-Write-Throttled-Events-Warning',
    ]);
    expect(names.filter((name) => name.endsWith('-Critical'))).toHaveLength(10);
  });

  it.each([
    ['Test-AlertEvaluatorDlq-Queue-Message-Count-Max-Critical', 0, 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60],
    // DynamoDB streams keep 24 h: half of it; half of the mapping's 1 h maximum record age.
    ['Test-AlertEvaluator-Iterator-Age-Max-Critical', 43_200_000, 'AWS/Lambda/IteratorAge', 'Maximum', 60],
    ['Test-AlertEvaluator-Iterator-Age-Max-Warning', 1_800_000, 'AWS/Lambda/IteratorAge', 'Maximum', 60],
    ['Test-AlertEvaluator-Fault-Count-Warning', 0, 'AWS/Lambda/Errors', 'Sum', 300],
    ['Test-AlertStates-Write-Throttled-Events-Warning', 0, 'AWS/DynamoDB/WriteThrottleEvents', 'Sum', 300],
  ])('alarms %s above %d on %s (%s, %d s)', (name, threshold, metric, statistic, periodSeconds) => {
    const alarm = alarms.get(name)!;

    expect({ threshold: alarm.Threshold, comparison: alarm.ComparisonOperator, periods: alarm.EvaluationPeriods, datapoints: alarm.DatapointsToAlarm }).toEqual({ threshold, comparison: 'GreaterThanThreshold', periods: 1, datapoints: 1 });
    expect(watched(alarm).metrics).toEqual([[metric, statistic, periodSeconds]]);
  });

  // The widget leaves out the statistic when it is Average, CloudWatch's default.
  it('charts each published value per group in a Business metrics section, as a one-minute average in Tributary/Business', () => {
    const [, parts] = (Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = parts.filter((part): part is string => typeof part === 'string').join('');

    expect(text.indexOf('# 8. Correctness audit')).toBeGreaterThan(text.indexOf('# 7. Tributary'));
    expect(text.indexOf('# 9. Alerts on windowed metrics')).toBeGreaterThan(text.indexOf('# 8. Correctness audit'));
    expect(text.indexOf('# 10. Business metrics')).toBeGreaterThan(text.indexOf('# 9. Alerts on windowed metrics'));
    for (const value of ['orders', 'revenue']) {
      expect(text).toContain(`"title":"orders-per-region: ${value}"`);
      for (const group of ['eu-west', 'us-east']) expect(text).toContain(`["Tributary/Business","${value}","Group","${group}","Metric","orders-per-region",{"label":"${group}","period":60}]`);
    }
  });
});

describe('Construct: PipelineMonitoring, with a customer-managed key and subscriptions', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({
      metrics: [ordersPerRegion],
      cache: { dax: false },
      encryption: { customerManagedKey: true },
      observability: { alarmEmails: ['oncall@example.com'], alarmHttpsEndpoints: ['https://events.example.com/hook'] },
    });
  });

  it('encrypts the alarm topic with the stack key, which CloudWatch alarms of this stack may use, and creates no other key', () => {
    const topic = Object.entries(template.findResources('AWS::SNS::Topic')).find(([id]) => id.startsWith('AlarmsTopic'))![1];
    const keys = Object.entries(template.findResources('AWS::KMS::Key'));

    expect(keys.map(([id]) => id)).toEqual([expect.stringMatching(/^Key/)]);
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keys[0]![0], 'Arn'] });
    expect(keys[0]![1].Properties.KeyPolicy.Statement).toContainEqual(CLOUDWATCH_MAY_PUBLISH);
  });

  it('subscribes the configured email address and https endpoint, and leaves DAX off the dashboard', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://events.example.com/hook', TopicArn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(body).not.toContain('AWS/DAX');
  });
});

describe('Function: resolveConfig, the alarm subscriptions', () => {
  const problemsOf = (observability: object): readonly string[] => {
    try {
      resolveConfig({ metrics: [ordersPerRegion], observability } as TributaryConfig);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('refuses an email that does not look like one and an endpoint that is not https, with exact messages', () => {
    expect(problemsOf({ alarmEmails: ['oncall@example.com', 'oncall'], alarmHttpsEndpoints: ['http://hooks.example.com/a', 'https://ok.example.com', 'not a url'] })).toEqual([
      'observability.alarmEmails[1] must be an email address such as "oncall@example.com" (got "oncall")',
      'observability.alarmHttpsEndpoints[0] must be an https URL such as "https://events.pagerduty.com/integration/…/enqueue" (http would send alarms in the clear) (got "http://hooks.example.com/a")',
      'observability.alarmHttpsEndpoints[2] must be an https URL such as "https://events.pagerduty.com/integration/…/enqueue" (http would send alarms in the clear) (got "not a url")',
    ]);
  });

  it('refuses subscriptions that are not arrays', () => {
    expect(problemsOf({ alarmEmails: 'oncall@example.com', alarmHttpsEndpoints: {} })).toEqual([
      'observability.alarmEmails must be an array of email addresses (got "oncall@example.com")',
      'observability.alarmHttpsEndpoints must be an array of https URLs (got {})',
    ]);
  });

  it('defaults to no subscription, and accepts valid ones', () => {
    expect(resolveConfig({ metrics: [ordersPerRegion] }).observability).toMatchObject({ alarmEmails: [], alarmHttpsEndpoints: [] });
    expect(problemsOf({ alarmEmails: ['a.b+oncall@example.co.uk'], alarmHttpsEndpoints: ['https://events.example.com:8443/hook?x=1'] })).toEqual([]);
  });
});

describe('Construct: PipelineMonitoring, with idle finalisation on', () => {
  it('adds 2 alarms for the clock: its errors (warning) and any message in its DLQ (critical), 35 in all with the audit’s 3', () => {
    const alarms = alarmsOf(synth({ metrics: [{ ...ordersPerRegion, watermark: { advanceWhenIdleMs: 60_000 } }] }));
    const names = [...alarms.keys()];

    expect(names).toHaveLength(35);
    expect(names.filter((name) => name.endsWith('-Critical'))).toHaveLength(9);
    expect(names.filter((name) => name.endsWith('-Warning'))).toHaveLength(26);
    const fault = alarms.get('Test-Clock-Fault-Count-Warning')!;
    const dlq = alarms.get('Test-ClockDlq-Queue-Message-Count-Max-Critical')!;
    expect([fault.Threshold, fault.ComparisonOperator, watched(fault).metrics]).toEqual([0, 'GreaterThanThreshold', [['AWS/Lambda/Errors', 'Sum', 300]]]);
    expect([dlq.Threshold, dlq.ComparisonOperator, watched(dlq).metrics]).toEqual([0, 'GreaterThanThreshold', [['AWS/SQS/ApproximateNumberOfMessagesVisible', 'Maximum', 60]]]);
  });
});
