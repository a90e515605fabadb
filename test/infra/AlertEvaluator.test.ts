import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

function synth(config: TributaryConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config }));
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The example's checkout metric with its alert; orders per region publishing two values of two groups. */
const checkout: MetricDefinition = {
  name: 'checkout-errors-5m',
  filter: { types: ['checkout.completed', 'checkout.failed'] },
  window: { kind: 'hopping', sizeMs: 300_000, slideMs: 60_000 },
  aggregations: { attempts: { kind: 'count' }, errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] } },
  alerts: { highErrorRate: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05, consecutiveWindows: 2, minEventCount: 20 } },
};
const published: MetricDefinition = { ...ordersPerRegion, publish: { aggregations: ['orders', 'revenue'], groups: ['eu-west', 'us-east'] } };

describe('Construct: AlertEvaluator', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ metrics: [published, checkout], changes: { batchSize: 50, maxRetryAttempts: 4, maxRecordAgeSeconds: 1_800 } });
  });

  it('is not in a stack whose metrics declare no alert and publish nothing', () => {
    const plain = synth({ metrics: [ordersPerRegion] });
    expect(Object.keys(plain.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('AlertsFunction'))).toEqual([]);
    expect(Object.keys(plain.toJSON().Outputs)).not.toContain('MetricAlertTopicArn');
  });

  it('consumes the aggregates stream with its own mapping: windows becoming final only, per record, bisected, bounded, into its own DLQ', () => {
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => /^AlertsDeadLetterQueue/.test(id))!;
    const fnId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('AlertsFunction'))!;
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AggregatesTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 50,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 4,
      MaximumRecordAgeInSeconds: 1_800,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { finalAt: { N: [{ exists: true }] } } } }) }] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600 });
  });

  it('publishes on its own encrypted topic, output as MetricAlertTopicArn, and keeps states in a table with PITR and TTL', () => {
    const topics = template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'Tributary metric-alert' } });
    expect(Object.values(topics).map((topic) => topic.Properties.KmsMasterKeyId)).toEqual([{ 'Fn::Join': ['', expect.arrayContaining([':alias/aws/sns'])] }]);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.MetricAlertTopicArn?.Value).toEqual({ Ref: Object.keys(topics)[0] });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('grants exactly what its code sends: state reads and conditional writes, idempotency records, window queries, one publish', () => {
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('AlertsFunctionRole'))!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const on = (prefix: string) =>
      statements
        .filter((statement) => JSON.stringify(statement.Resource).includes(`"${prefix}`) && !JSON.stringify(statement.Resource).includes('StreamArn'))
        .flatMap((statement) => [statement.Action].flat())
        .sort();
    expect(on('AlertsStatesTable')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(on('IdempotencyTable')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(on('AggregatesTable')).toEqual(['dynamodb:Query']);
    expect(on('AlertsMetricAlert')).toEqual(['sns:Publish']);
  });

  it('gives the function its settings and bundles the metric definitions into it', () => {
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('AlertsFunction'))![1];
    expect(fn.Properties.Environment.Variables).toEqual(
      expect.objectContaining({
        TOPIC_ARN: { Ref: expect.stringMatching(/^AlertsMetricAlert/) },
        ALERT_STATE_TABLE: { Ref: expect.stringMatching(/^AlertsStatesTable/) },
        AGGREGATES_TABLE: { Ref: expect.stringMatching(/^AggregatesTable/) },
        IDEMPOTENCY_TABLE: { Ref: expect.stringMatching(/^IdempotencyTable/) },
        AGGREGATE_RETENTION_DAYS: '90',
      }),
    );
  });
});
