import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { tributaryConfig } from '../../infra/tributary.config';
import { ordersPerRegion } from '../support/factories';
import { nagFindings } from './nagFindings';

/** Synthesizes without bundling (the bundles are exercised by the offline tests). */
function synth(config: TributaryConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config }));
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of the policies on the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const [roleId] = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The aggregator's event source mapping. */
function aggregatorMapping(template: Template): Record<string, unknown> {
  const [fnId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('AggregatorFunction'));
  return Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find((mapping) => mapping.Properties.FunctionName.Ref === fnId)!.Properties;
}

describe('aggregator.enhancedFanOut', () => {
  it('is off by default: no stream consumer, the aggregator polls the stream itself', () => {
    const template = synth({ metrics: [ordersPerRegion] });
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
    expect(aggregatorMapping(template).EventSourceArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EventsStream/), 'Arn'] });
  });

  it('registers one stream consumer and puts the aggregator mapping on it, the archive still polling the stream', () => {
    // Prepare / Act
    const template = synth({ metrics: [ordersPerRegion], aggregator: { enhancedFanOut: true } });

    // Assess: the consumer on the events stream, the aggregator's mapping on its ARN.
    const consumers = template.findResources('AWS::Kinesis::StreamConsumer');
    expect(Object.keys(consumers)).toHaveLength(1);
    const [consumerId, consumer] = Object.entries(consumers)[0]!;
    expect(consumer.Properties.StreamARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EventsStream/), 'Arn'] });
    expect(aggregatorMapping(template)).toEqual(expect.objectContaining({ EventSourceArn: { 'Fn::GetAtt': [consumerId, 'ConsumerARN'] }, ParallelizationFactor: 1, BisectBatchOnFunctionError: true }));
    const [archiverId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('ArchiverFunction'));
    const archiveMapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find((mapping) => mapping.Properties.FunctionName.Ref === archiverId)!;
    expect(archiveMapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EventsStream/), 'Arn'] });
  });

  it('grants DescribeStreamConsumer and SubscribeToShard on that consumer, to the aggregator only', () => {
    const template = synth({ metrics: [ordersPerRegion], aggregator: { enhancedFanOut: true } });
    const [consumerId] = Object.keys(template.findResources('AWS::Kinesis::StreamConsumer'));
    const onConsumer = (role: string) => statementsOf(template, role).filter((statement) => JSON.stringify(statement.Resource).includes(`"${consumerId}"`));
    expect(onConsumer('AggregatorFunctionRole')).toEqual([{ Effect: 'Allow', Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], Resource: { 'Fn::GetAtt': [consumerId, 'ConsumerARN'] } }]);
    expect(onConsumer('ArchiverFunctionRole')).toEqual([]);
  });

  it('lets the aggregator decrypt with the stack key when the stream is encrypted with it', () => {
    const template = synth({ metrics: [ordersPerRegion], aggregator: { enhancedFanOut: true }, encryption: { customerManagedKey: true } });
    const kmsActions = statementsOf(template, 'AggregatorFunctionRole')
      .filter((statement) => JSON.stringify(statement.Resource).includes('Key'))
      .flatMap((statement) => [statement.Action].flat());
    expect(kmsActions).toContain('kms:Decrypt');
  });

  it('leaves no cdk-nag finding unacknowledged, with and without the stack key', () => {
    expect(nagFindings({ ...tributaryConfig, aggregator: { ...tributaryConfig.aggregator, enhancedFanOut: true } })).toEqual([]);
    expect(nagFindings({ ...tributaryConfig, cache: { dax: false }, encryption: { customerManagedKey: true }, aggregator: { ...tributaryConfig.aggregator, enhancedFanOut: true } })).toEqual([]);
  }, 240_000);
});
