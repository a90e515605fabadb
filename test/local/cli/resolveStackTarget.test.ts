import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveStackTarget, STACK_OUTPUTS } from '../../../local/cli/resolveStackTarget';
import { AwsAccessError, StackNotFoundError, StackOutputMissingError } from '../../../local/cli/stackErrors';
import { TributaryStack } from '../../../infra/TributaryStack';
import { ordersPerRegion } from '../../support/factories';

const cloudFormationMock = mockClient(CloudFormationClient);

/** A deployed stack's outputs as DescribeStacks answers them: every output the stack declares. */
function stackOutputs(region: string, leaveOut: readonly string[] = []): Output[] {
  const values: Record<string, string> = {
    StreamName: 'Tributary-EventsStream1A2B3C-abc',
    AggregatesTableName: 'Tributary-AggregatesTable-111',
    LateEventsTableName: 'Tributary-LateEventsTable-222',
    EventsTableName: 'Tributary-RawEventsTable-333',
    DeliveryTableName: 'Tributary-DeliveryTable-444',
    IdempotencyTableName: 'Tributary-IdempotencyTable-555',
    CountValueUpdatedTopicArn: `arn:aws:sns:${region}:123456789012:Tributary-ChangesCountValueUpdated-666`,
    DeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/123456789012/Tributary-AggregatorDeadLetterQueue-777`,
    ArchiverDeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/123456789012/Tributary-ArchiverDeadLetterQueue-888`,
    ChangesDeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/123456789012/Tributary-ChangesDeadLetterQueue-999`,
    // Outputs no repair command reads are ignored.
    ApiUrl: `https://abc123.execute-api.${region}.amazonaws.com/v1/`,
  };
  return Object.entries(values)
    .filter(([key]) => !leaveOut.includes(key))
    .map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}

/** What CloudFormation answers for a stack it does not have (it models no not-found error). */
function stackDoesNotExist(stackName: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `Stack with id ${stackName} does not exist` });
}

describe('Function: resolveStackTarget', () => {
  beforeEach(() => {
    cloudFormationMock.reset();
  });
  afterEach(() => {
    cloudFormationMock.reset();
  });

  it('maps every output a repair command needs onto the pipeline target, with no endpoints (the SDK defaults)', async () => {
    // Prepare
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'Tributary' }).resolves({ Stacks: [{ StackName: 'Tributary', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: stackOutputs('eu-west-1') }] });

    // Act
    const target = await resolveStackTarget({ stackName: 'Tributary', cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) });

    // Assess
    expect(target).toEqual({
      description: 'stack Tributary in eu-west-1',
      region: 'eu-west-1',
      streamName: 'Tributary-EventsStream1A2B3C-abc',
      tables: {
        aggregates: 'Tributary-AggregatesTable-111',
        lateEvents: 'Tributary-LateEventsTable-222',
        events: 'Tributary-RawEventsTable-333',
        delivery: 'Tributary-DeliveryTable-444',
        idempotency: 'Tributary-IdempotencyTable-555',
      },
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:Tributary-ChangesCountValueUpdated-666',
      deadLetterQueues: {
        aggregator: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Tributary-AggregatorDeadLetterQueue-777',
        archive: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Tributary-ArchiverDeadLetterQueue-888',
        changes: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Tributary-ChangesDeadLetterQueue-999',
      },
    });
    expect(target.endpoints).toBeUndefined();
    expect(cloudFormationMock.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([{ StackName: 'Tributary' }]);
  });

  it('says the stack is not deployed, in which region, and to check --stack and --region', async () => {
    // Prepare
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackDoesNotExist('Tributry'));

    // Act
    const resolving = resolveStackTarget({ stackName: 'Tributry', cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) });

    // Assess
    await expect(resolving).rejects.toBeInstanceOf(StackNotFoundError);
    await expect(resolving).rejects.toThrow(
      'stack Tributry is not deployed in eu-west-1: check --stack, and --region (or AWS_REGION) if it is deployed in another region',
    );
  });

  it('finds a stack only in the region it is deployed in: --region picks it', async () => {
    // Prepare: the stack exists in us-east-1 only; CloudFormation is regional.
    cloudFormationMock.on(DescribeStacksCommand).callsFake(async (input: { StackName: string }, getClient) => {
      const region = await getClient().config.region();
      if (region !== 'us-east-1') throw stackDoesNotExist(input.StackName);
      return { Stacks: [{ StackName: input.StackName, CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: stackOutputs(region) }] };
    });

    // Act
    const wrong = resolveStackTarget({ stackName: 'Tributary', region: 'eu-central-1' });
    const right = await resolveStackTarget({ stackName: 'Tributary', region: 'us-east-1' });

    // Assess
    await expect(wrong).rejects.toThrow('stack Tributary is not deployed in eu-central-1: check --stack, and --region (or AWS_REGION) if it is deployed in another region');
    expect(right.region).toBe('us-east-1');
    expect(right.deadLetterQueues.aggregator).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/Tributary-AggregatorDeadLetterQueue-777');
  });

  it('names every missing output and says to redeploy a stack an older Tributary deployed', async () => {
    // Prepare: a stack from before the archive and change DLQs had outputs.
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Tributary', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: stackOutputs('eu-west-1', ['ArchiverDeadLetterQueueUrl', 'ChangesDeadLetterQueueUrl']) }],
    });

    // Act
    const resolving = resolveStackTarget({ stackName: 'Tributary', cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) });

    // Assess
    await expect(resolving).rejects.toBeInstanceOf(StackOutputMissingError);
    await expect(resolving).rejects.toThrow(
      'stack Tributary has no output ArchiverDeadLetterQueueUrl, ChangesDeadLetterQueueUrl: deployed with an older Tributary? redeploy it with `npx cdk deploy` and run again',
    );
  });

  it('reads outputs the stack has, each naming the resource its target field means', () => {
    // Prepare: the stack as `cdk deploy` would deploy it (without bundling the functions).
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new TributaryStack(app, 'Tributary', { config: { metrics: [ordersPerRegion] } })).toJSON() as {
      Outputs: Record<string, { Value: { Ref?: string; 'Fn::GetAtt'?: [string, string] } }>;
      Resources: Record<string, { Type: string }>;
    };
    const named = (output: string) => {
      const value = template.Outputs[output]?.Value;
      const logicalId = value?.Ref ?? value?.['Fn::GetAtt']?.[0] ?? '(none)';
      return `${template.Resources[logicalId]?.Type ?? 'no resource'} ${logicalId.replace(/[0-9A-F]{8}$/, '')}`;
    };

    // Act
    const resources = Object.fromEntries(Object.entries(STACK_OUTPUTS).map(([field, output]) => [field, named(output)]));

    // Assess
    expect(resources).toEqual({
      streamName: 'AWS::Kinesis::Stream EventsStream',
      aggregates: 'AWS::DynamoDB::Table AggregatesTable',
      lateEvents: 'AWS::DynamoDB::Table LateEventsTable',
      events: 'AWS::DynamoDB::Table RawEventsTable',
      delivery: 'AWS::DynamoDB::Table DeliveryTable',
      idempotency: 'AWS::DynamoDB::Table IdempotencyTable',
      topicArn: 'AWS::SNS::Topic ChangesCountValueUpdated',
      aggregator: 'AWS::SQS::Queue AggregatorDeadLetterQueue',
      archive: 'AWS::SQS::Queue ArchiverDeadLetterQueue',
      changes: 'AWS::SQS::Queue ChangesDeadLetterQueue',
    });
  });

  it('says how to provide credentials when the SDK finds none', async () => {
    // Prepare: what the default credential chain throws when every provider came up empty.
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    cloudFormationMock.on(DescribeStacksCommand).rejects(noCredentials);

    const savedProfile = process.env.AWS_PROFILE;
    delete process.env.AWS_PROFILE;

    try {
      // Act
      const withoutProfile = await resolveStackTarget({ stackName: 'Tributary', cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) }).catch((error: unknown) => error);
      process.env.AWS_PROFILE = 'ops';
      const withProfile = await resolveStackTarget({ stackName: 'Tributary', cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) }).catch((error: unknown) => error);

      // Assess
      expect(withoutProfile).toBeInstanceOf(AwsAccessError);
      expect((withoutProfile as Error).message).toBe(
        'no AWS credentials to read stack Tributary with: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
      expect((withProfile as Error).message).toBe(
        'no AWS credentials to read stack Tributary with: AWS_PROFILE=ops gave none: check that ~/.aws/config has [profile ops] and, for SSO, run `aws sso login --profile ops`',
      );
    } finally {
      if (savedProfile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = savedProfile;
    }
  });

  it('says to pass --region when the SDK finds no region', async () => {
    // Prepare: no region anywhere the SDK looks.
    const saved = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    try {
      // Act
      const resolving = resolveStackTarget({ stackName: 'Tributary' });

      // Assess
      await expect(resolving).rejects.toBeInstanceOf(AwsAccessError);
      await expect(resolving).rejects.toThrow('no AWS region for --stack: pass --region <region> or set AWS_REGION (or a region in your AWS profile)');
      expect(cloudFormationMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });
});
