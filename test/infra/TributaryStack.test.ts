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

describe('Class: TributaryStack', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ metrics: [ordersPerRegion], aggregator: { batchSize: 250, maxBatchingWindowSeconds: 2, maxRetryAttempts: 3, maxRecordAgeSeconds: 600 } });
  });

  it.each([
    ['aggregator', '^AggregatorDeadLetterQueue'],
    ['archiver', '^ArchiverDeadLetterQueue'],
  ])('wires the %s ESM with partial responses, bisect, bounded retries, record age and its own SQS on-failure destination', (_, dlqPattern) => {
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => new RegExp(dlqPattern).test(id))!;
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStream'), 'Arn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 250,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('publishes count-value-updated from the aggregates table stream to an encrypted SNS topic, per record, with its own DLQ', () => {
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => /^ChangesDeadLetterQueue/.test(id))!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AggregatesTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    // Encrypted with the AWS-managed SNS key.
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':alias/aws/sns'])] } });
    const publisher = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.TOPIC_ARN);
    expect(publisher?.Properties.Environment.Variables).toEqual(
      expect.objectContaining({
        TOPIC_ARN: { Ref: expect.stringMatching(/^ChangesCountValueUpdated/) },
        IDEMPOTENCY_TABLE: { Ref: expect.stringMatching(/^IdempotencyTable/) },
        // Changes no retry can publish go to the rejected-records output.
        LATE_EVENTS_TABLE: { Ref: expect.stringMatching(/^LateEventsTable/) },
      }),
    );
  });

  it('runs the correctness audit every 5 minutes, asynchronously, with 2 retries and then its own DLQ', () => {
    const fn = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('AuditFunction'))!;
    const dlq = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('AuditDeadLetterQueue'))!;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUDIT_WINDOWS_PER_RUN: '20', AUDIT_SETTLE_SECONDS: '120', AUDIT_LOOKBACK_MINUTES: '5' }) },
    });
  });

  it('follows audit.scheduleMinutes, and leaves the audit out when audit.enabled is false', () => {
    const hourly = synth({ metrics: [ordersPerRegion], audit: { scheduleMinutes: 60, windowsPerRun: 50, settleSeconds: 300 } });
    hourly.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    hourly.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AUDIT_WINDOWS_PER_RUN: '50', AUDIT_SETTLE_SECONDS: '300', AUDIT_LOOKBACK_MINUTES: '60' }) } });
    hourly.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 3_600 });
    // Lambda keeps an asynchronous event 6 h at most: a daily run's retries stop there.
    synth({ metrics: [ordersPerRegion], audit: { scheduleMinutes: 1_440 } }).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 21_600 });

    const off = synth({ metrics: [ordersPerRegion], audit: { enabled: false } });
    off.resourceCountIs('AWS::Events::Rule', 0);
    off.resourceCountIs('AWS::SQS::Queue', 3);
    expect(Object.keys(off.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('AuditFunction'))).toEqual([]);
  });

  it('keeps the DLQs encrypted for 14 days', () => {
    // The aggregator's, the archiver's, the change publisher's and the audit's.
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('encrypts the stream and provisions its shards and retention', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 2,
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
  });

  it('lays the aggregates table out as a time series with TTL, PITR, encryption and a change stream', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'windowStart', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'windowStart', AttributeType: 'N' },
        { AttributeName: 'finalPk', AttributeType: 'S' },
        { AttributeName: 'finalWm', AttributeType: 'N' },
        { AttributeName: 'finalListPk', AttributeType: 'S' },
        { AttributeName: 'finalAt', AttributeType: 'N' },
      ],
      // Sparse index of windows not yet final, read by finalisation; and of final ones, read by the audit.
      GlobalSecondaryIndexes: [
        {
          IndexName: 'pending-final',
          KeySchema: [
            { AttributeName: 'finalPk', KeyType: 'HASH' },
            { AttributeName: 'finalWm', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'recent-final',
          KeySchema: [
            { AttributeName: 'finalListPk', KeyType: 'HASH' },
            { AttributeName: 'finalAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['metric', 'group', 'windowEnd', 'eventCount', 'lateEvents'] },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      SSESpecification: { SSEEnabled: true },
    });
    expect(Object.values(template.findResources('AWS::DynamoDB::Table')).map((table) => table.DeletionPolicy)).toEqual(['Retain', 'Retain', 'Retain', 'Retain', 'Retain']);
  });

  it('gives the aggregator a delivery table (string keys, TTL) for the completion log and the duplicate ledger', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const aggregator = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.DELIVERY_TABLE);
    expect(aggregator?.Properties.Environment.Variables).toEqual(
      expect.objectContaining({ DELIVERY_TABLE: { Ref: expect.stringMatching(/^DeliveryTable/) }, STREAM_RETENTION_HOURS: '24' }),
    );
  });

  it("gives the aggregator Powertools idempotency's table (id, TTL expiration) and the dedupe horizon", () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const aggregator = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.IDEMPOTENCY_TABLE);
    expect(aggregator?.Properties.Environment.Variables).toEqual(
      expect.objectContaining({ IDEMPOTENCY_TABLE: { Ref: expect.stringMatching(/^IdempotencyTable/) }, DEDUPE_HORIZON_HOURS: '24' }),
    );
  });

  it('keeps late events in their own table (metric#day, time#id), with TTL; the aggregator writes late events there, and all three consumers rejected records', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LATE_EVENTS_TABLE: { Ref: Match.stringLikeRegexp('^LateEventsTable') },
          LATE_EVENT_RETENTION_DAYS: '30',
          // 512 MB function → 32 MB semi-space (bench/aggregate.ts: the hot path's GC).
          NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=32',
          STREAM_NAME: { Ref: Match.stringLikeRegexp('^EventsStream') },
          AGGREGATES_TABLE: { Ref: Match.stringLikeRegexp('^AggregatesTable') },
        }),
      },
    });
    const writers = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Environment?.Variables?.LATE_EVENTS_TABLE);
    const role = (variables: Record<string, unknown>) => (variables.AGGREGATES_TABLE ? 'aggregator' : variables.TOPIC_ARN ? 'changes' : 'archiver');
    expect(writers.map((fn) => role(fn.Properties.Environment.Variables)).sort()).toEqual(['aggregator', 'archiver', 'changes']);
  });

  it('runs every function on Node.js 24 (the latest Lambda runtime) on arm64, with JSON logs and active tracing', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs[0-9A-F]{8}$/) } });
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STREAM_NAME: { Ref: Match.stringLikeRegexp('^EventsStream') } }) },
    });
  });

  it('keeps raw events by key (pk) and time (sk), with a by-type index over hour buckets, TTL and PITR; only the archiver writes them', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-type',
          KeySchema: [
            { AttributeName: 'typePk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENTS_TABLE: { Ref: Match.stringLikeRegexp('^RawEventsTable') }, EVENT_RETENTION_DAYS: '30' }) },
    });
  });

  it('routes POST /events, GET /events and GET /metrics/{name} to Lambda proxy integrations', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', Integration: Match.objectLike({ Type: 'AWS_PROXY' }) });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.name': true },
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{name}' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
  });

  it('fails synth with the exact problems of an invalid configuration', () => {
    expect(() => synth({ metrics: [ordersPerRegion], stream: { shardCount: 0 }, aggregator: { maxRetryAttempts: -1 } })).toThrow(
      'Invalid Tributary configuration:\n' +
        '  - stream.shardCount must be an integer from 1 to 500 (got 0)\n' +
        '  - aggregator.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad record block a shard (got -1)',
    );
  });
});
