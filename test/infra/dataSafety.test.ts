import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

function synth(config: Partial<TributaryConfig> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config: { metrics: [ordersPerRegion], ...config } }));
}

/** Resources of `type` by logical id with the 8-digit hash removed. */
function byName(template: Template, type: string): Record<string, { Properties: Record<string, unknown>; DeletionPolicy?: string }> {
  return Object.fromEntries(Object.entries(template.findResources(type)).map(([id, resource]) => [id.replace(/[0-9A-F]{8}$/, ''), resource])) as Record<
    string,
    { Properties: Record<string, unknown>; DeletionPolicy?: string }
  >;
}

const DATA_TABLES = ['AggregatesTable', 'LateEventsTable', 'DeliveryTable', 'RawEventsTable', 'IdempotencyTable'];

describe('Data safety', () => {
  const template = synth();

  it('protects every table from deletion and keeps it when the stack is destroyed', () => {
    const tables = byName(template, 'AWS::DynamoDB::Table');
    expect(Object.keys(tables).sort()).toEqual([...DATA_TABLES].sort());
    for (const table of Object.values(tables)) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });

  it('lets a dev stack (storage.removalPolicy destroy) delete its tables: no deletion protection', () => {
    for (const table of Object.values(byName(synth({ storage: { removalPolicy: 'destroy' } }), 'AWS::DynamoDB::Table'))) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('keeps point-in-time recovery where a repair or user data depends on it, not on the idempotency cache', () => {
    const tables = byName(template, 'AWS::DynamoDB::Table');
    const withPitr = Object.entries(tables)
      .filter(([, table]) => (table.Properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled)
      .map(([name]) => name)
      .sort();
    expect(withPitr).toEqual(['AggregatesTable', 'DeliveryTable', 'LateEventsTable', 'RawEventsTable']);
  });

  it('retains the four dead-letter queues when the stack is destroyed', () => {
    const queues = byName(template, 'AWS::SQS::Queue');
    expect(Object.keys(queues).sort()).toEqual(['AggregatorDeadLetterQueue', 'ArchiverDeadLetterQueue', 'AuditDeadLetterQueue', 'ChangesDeadLetterQueue']);
    for (const queue of Object.values(queues)) expect(queue.DeletionPolicy).toBe('Retain');
  });

  it('gives every function and the API (access and execution logs) its own log group with the configured retention, and the DAX VPC a flow log of rejected traffic', () => {
    const custom = synth({ observability: { logRetentionDays: 90 } });
    const groups = byName(custom, 'AWS::Logs::LogGroup');
    expect(Object.keys(groups).sort()).toEqual(['AggregatorFunctionLogs', 'ArchiverFunctionLogs', 'AuditFunctionLogs', 'CacheFlowLogs', 'ChangesFunctionLogs', 'HttpAccessLogs', 'HttpExecutionLogs', 'IngestFunctionLogs', 'QueryFunctionLogs']);
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(90);
    custom.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
  });

  it('turns tracing off in every function when observability.tracing is false', () => {
    const functions = Object.values(synth({ observability: { tracing: false } }).findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(6);
    // No TracingConfig: Lambda's default, which sends no trace of its own.
    expect(functions.map((fn) => fn.Properties.TracingConfig)).toEqual(functions.map(() => undefined));
    expect(functions.map((fn) => (fn.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_TRACE_ENABLED)).toEqual(functions.map(() => 'false'));
  });

  it('uses AWS-managed keys and creates no key unless asked, but the alarm topic\'s', () => {
    // CloudWatch cannot publish through alias/aws/sns (infra/constructs/AlarmTopic.ts): the alarm topic has its own key.
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([expect.stringMatching(/^AlarmsKey/)]);
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
  });
});

describe('Customer-managed key (encryption.customerManagedKey)', () => {
  const template = synth({ encryption: { customerManagedKey: true }, cache: { dax: false } });
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

  it('creates one rotated key, retained on destroy, aliased alias/tributary', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/tributary', TargetKeyId: keyArn });
  });

  it('encrypts the stream, every table, every queue, the topic and every log group with it', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn } });
    for (const table of Object.values(byName(template, 'AWS::DynamoDB::Table'))) {
      expect(table.Properties.SSESpecification).toEqual({ KMSMasterKeyId: keyArn, SSEEnabled: true, SSEType: 'KMS' });
    }
    for (const queue of Object.values(byName(template, 'AWS::SQS::Queue'))) expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    const groups = Object.values(byName(template, 'AWS::Logs::LogGroup'));
    // Six functions' log groups and the API's access and execution logs.
    expect(groups).toHaveLength(8);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(keyArn);
  });

  it('lets CloudWatch Logs of this region use the key for this account\'s log groups only', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0]!;
    const statement = (key.Properties.KeyPolicy.Statement as { Sid?: string; Condition?: unknown; Principal?: unknown }[]).find((s) => s.Sid === 'CloudWatchLogsOfThisAccount');
    expect(statement?.Principal).toEqual({ Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } });
    expect(JSON.stringify(statement?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
  });

  it('lets the ingest function encrypt with the key and the query function only decrypt', () => {
    const kmsActions = (rolePrefix: string): string[] => {
      const role = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(rolePrefix))!;
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(keyArn))
        .flatMap((statement) => [statement.Action].flat())
        .sort();
    };
    expect(kmsActions('IngestFunctionRole')).toEqual(['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
    expect(kmsActions('QueryFunctionRole')).toEqual(['kms:Decrypt']);
  });

  it('exposes the key on the stack for the API access logs', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new TributaryStack(app, 'Test', { config: { metrics: [ordersPerRegion], encryption: { customerManagedKey: true }, cache: { dax: false } } });
    expect(stack.key).toBeDefined();
    expect(stack.resolve(stack.key?.keyArn)).toEqual(keyArn);
  });
});
