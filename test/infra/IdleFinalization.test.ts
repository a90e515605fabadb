import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

/** Synthesizes without bundling (the bundles are exercised by the offline tests). */
function synth(config: TributaryConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config }));
}

const idleOrders = { ...ordersPerRegion, watermark: { maxDelayMs: 5_000, advanceWhenIdleMs: 60_000 } };
const idOf = (template: Template, type: string, prefix: string): string => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;

describe('Construct: IdleFinalization', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ metrics: [idleOrders], encryption: { customerManagedKey: true } });
  });

  it('is not synthesized when no metric sets watermark.advanceWhenIdleMs', () => {
    const plain = synth({ metrics: [ordersPerRegion] });

    // The audit's schedule remains; the clock's is gone.
    expect(Object.keys(plain.findResources('AWS::Events::Rule')).filter((id) => id.startsWith('Clock'))).toEqual([]);
    expect(Object.keys(plain.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('ClockFunction'))).toEqual([]);
  });

  it('runs the clock function every minute, asynchronously, 2 retries, then its own DLQ as OnFailure destination (and the rule target’s DLQ)', () => {
    const fn = idOf(template, 'AWS::Lambda::Function', 'ClockFunction');
    const queue = idOf(template, 'AWS::SQS::Queue', 'ClockDeadLetterQueue');

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 1_209_600 });
  });

  it('may read the watermark partition and the pending index, and put/update items of the aggregates table: nothing else of any table', () => {
    const role = idOf(template, 'AWS::IAM::Role', 'ClockFunctionRole');
    const table = idOf(template, 'AWS::DynamoDB::GlobalTable', 'AggregatesTable') ?? idOf(template, 'AWS::DynamoDB::Table', 'AggregatesTable');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const dynamodb = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));

    expect(dynamodb.map((statement) => [[statement.Action].flat().sort(), JSON.stringify(statement.Resource)])).toEqual([
      [['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] })],
      [['dynamodb:Query'], JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/pending-final']] })],
    ]);
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => /^(kinesis|sns):/.test(action))).toEqual([]);
  });
});
