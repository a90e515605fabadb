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

/** The mapping and the function of the consumer whose logical ids start with `prefix`. */
function consumer(template: Template, prefix: string): { mapping: Record<string, unknown>; fn: Record<string, unknown> } {
  const [fnId, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))!;
  const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find((candidate) => candidate.Properties.FunctionName.Ref === fnId)!;
  return { mapping: mapping.Properties, fn: fn.Properties };
}

describe('Per-consumer settings', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({
      metrics: [ordersPerRegion],
      aggregator: { batchSize: 250, maxRetryAttempts: 3, maxRecordAgeSeconds: 600, timeoutSeconds: 120 },
      archive: { batchSize: 1_000, maxBatchingWindowSeconds: 5, parallelizationFactor: 4, memorySizeMb: 1_024 },
      changes: { batchSize: 50, maxRetryAttempts: 8, maxRecordAgeSeconds: 1_200, memorySizeMb: 512, timeoutSeconds: 10 },
    });
  });

  it('configures the archive from config.archive, taking what it leaves out from the aggregator', () => {
    const archive = consumer(template, 'ArchiverFunction');
    expect(archive.mapping).toEqual(
      expect.objectContaining({ BatchSize: 1_000, MaximumBatchingWindowInSeconds: 5, ParallelizationFactor: 4, MaximumRetryAttempts: 3, MaximumRecordAgeInSeconds: 600 }),
    );
    expect(archive.fn).toEqual(expect.objectContaining({ MemorySize: 1_024, Timeout: 120 }));
  });

  it('configures the change publisher from config.changes', () => {
    const changes = consumer(template, 'ChangesFunction');
    expect(changes.mapping).toEqual(expect.objectContaining({ BatchSize: 50, MaximumRetryAttempts: 8, MaximumRecordAgeInSeconds: 1_200 }));
    expect(changes.fn).toEqual(expect.objectContaining({ MemorySize: 512, Timeout: 10 }));
  });

  it('leaves the aggregator as config.aggregator says, one poller per shard', () => {
    const aggregator = consumer(template, 'AggregatorFunction');
    expect(aggregator.mapping).toEqual(expect.objectContaining({ BatchSize: 250, ParallelizationFactor: 1, MaximumRetryAttempts: 3, MaximumRecordAgeInSeconds: 600 }));
    expect(aggregator.fn).toEqual(expect.objectContaining({ Timeout: 120 }));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStream'), 'Arn'] }, BatchSize: 250 });
  });
});
