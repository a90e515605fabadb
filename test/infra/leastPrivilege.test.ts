import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Effect: string;
}

function synth(config: Partial<TributaryConfig> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config: { metrics: [ordersPerRegion], ...config } }));
}

/** Every statement of the inline policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roles[0]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function actionsOf(statements: readonly Statement[], service: string): string[] {
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith(`${service}:`)))].sort();
}

/** The DynamoDB actions of the statements on the table whose logical id starts with `tablePrefix`. */
function tableActions(statements: readonly Statement[], tablePrefix: string): string[] {
  const onTable = statements.filter((statement) => JSON.stringify(statement.Resource).includes(`"${tablePrefix}`));
  return actionsOf(onTable, 'dynamodb');
}

const ROLES = ['AggregatorFunctionRole', 'ArchiverFunctionRole', 'ChangesFunctionRole', 'IngestFunctionRole', 'QueryFunctionRole', 'CacheRole'] as const;
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'kinesis:PutRecord', 'kinesis:PutRecords', 'sns:Publish'];

describe('Least privilege', () => {
  const template = synth();

  it('grants no Scan, no service wildcard and no index/* to any role', () => {
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const actions = all.flatMap((statement) => [statement.Action].flat());
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => /^(dynamodb|kinesis|sqs|sns):\*$/.test(action))).toEqual([]);
    expect(JSON.stringify(all)).not.toContain('/index/*');
  });

  it('grants DeleteItem only where the code deletes: the aggregator (merged sessions, idempotency) and the change publisher (idempotency)', () => {
    const deleting = ROLES.filter((role) => actionsOf(statementsOf(template, role), 'dynamodb').includes('dynamodb:DeleteItem'));
    expect(deleting).toEqual(['AggregatorFunctionRole', 'ChangesFunctionRole']);
    expect(tableActions(statementsOf(template, 'ChangesFunctionRole'), 'AggregatesTable')).not.toContain('dynamodb:DeleteItem');
  });

  it('gives each function exactly the DynamoDB actions its code sends, per table', () => {
    const aggregator = statementsOf(template, 'AggregatorFunctionRole');
    expect(tableActions(aggregator, 'AggregatesTable')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(tableActions(aggregator, 'LateEventsTable')).toEqual(['dynamodb:BatchWriteItem']);
    expect(tableActions(aggregator, 'DeliveryTable')).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    expect(tableActions(aggregator, 'IdempotencyTable')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(aggregator).toContainEqual(
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AggregatesTable/), 'Arn'] }, '/index/pending-final']] } }),
    );

    const archiver = statementsOf(template, 'ArchiverFunctionRole');
    expect(tableActions(archiver, 'RawEventsTable')).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:PutItem']);
    expect(tableActions(archiver, 'LateEventsTable')).toEqual(['dynamodb:BatchWriteItem']);

    const changes = statementsOf(template, 'ChangesFunctionRole');
    expect(tableActions(changes, 'IdempotencyTable')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(tableActions(changes, 'LateEventsTable')).toEqual(['dynamodb:BatchWriteItem']);
    expect(actionsOf(changes, 'sns')).toEqual(['sns:Publish']);
  });

  it('lets the audit only Query what it reads (two indexes, the raw events type pages) and send its failed runs to its own DLQ', () => {
    const audit = statementsOf(template, 'AuditFunctionRole');
    const onDynamo = audit.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    const index = (tablePrefix: string, name: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${tablePrefix}`)), 'Arn'] }, `/index/${name}`]] });

    expect(onDynamo).toEqual([
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: index('AggregatesTable', 'recent-final') }),
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RawEventsTable/), 'Arn'] } }),
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: index('RawEventsTable', 'by-type') }),
    ]);
    expect(actionsOf(audit, 'sqs')).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(audit.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sqs:'))).map((statement) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditDeadLetterQueue/), 'Arn'] },
    ]);
  });

  it('lets the ingest function only put records on the stream, and list its shards for KPL aggregation (on by default)', () => {
    const ingest = statementsOf(template, 'IngestFunctionRole');
    expect(actionsOf(ingest, 'kinesis')).toEqual(['kinesis:ListShards', 'kinesis:PutRecords']);
    expect(ingest.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kinesis:'))).map((statement) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^EventsStream/), 'Arn'] },
    ]);
    expect(actionsOf(ingest, 'dynamodb')).toEqual([]);
    expect(actionsOf(statementsOf(synth({ ingest: { aggregation: { enabled: false } } }), 'IngestFunctionRole'), 'kinesis')).toEqual(['kinesis:PutRecords']);
  });

  it('keeps the query function and the DAX role read-only', () => {
    const query = statementsOf(template, 'QueryFunctionRole');
    const cache = statementsOf(template, 'CacheRole');
    for (const statements of [query, cache]) {
      expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => WRITES.includes(action) || action.startsWith('dax:Put') || action.startsWith('dax:Update') || action.startsWith('dax:Delete'))).toEqual([]);
    }
    expect(actionsOf(cache, 'dynamodb')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query']);
    // With DAX the windows are read through the cluster; the raw events straight from the table and its by-type index.
    expect(actionsOf(query, 'dax')).toEqual(['dax:BatchGetItem', 'dax:GetItem', 'dax:Query']);
    expect(tableActions(query, 'AggregatesTable')).toEqual([]);
    expect(tableActions(query, 'RawEventsTable')).toEqual(['dynamodb:Query']);
  });

  it('without DAX lets the query function read the windows from the table, and still write nothing', () => {
    const query = statementsOf(synth({ cache: { dax: false } }), 'QueryFunctionRole');
    expect(tableActions(query, 'AggregatesTable')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(query.flatMap((statement) => [statement.Action].flat()).filter((action) => WRITES.includes(action))).toEqual([]);
  });

  it("attaches no AWS managed policy but the VPC one of the DAX-reading query function and API Gateway's push-to-logs one", () => {
    const managed = Object.fromEntries(
      Object.entries(template.findResources('AWS::IAM::Role'))
        .filter(([, role]) => role.Properties.ManagedPolicyArns)
        .map(([id, role]) => [id.replace(/[0-9A-F]{8}$/, ''), JSON.stringify(role.Properties.ManagedPolicyArns)]),
    );
    expect(Object.keys(managed).sort()).toEqual(['HttpApiCloudWatchRole', 'QueryFunctionRole']);
    expect(managed.QueryFunctionRole).toContain('service-role/AWSLambdaVPCAccessExecutionRole');
    expect(managed.HttpApiCloudWatchRole).toContain('service-role/AmazonAPIGatewayPushToCloudWatchLogs');
  });
});
