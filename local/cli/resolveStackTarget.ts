import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { PipelineTarget } from './PipelineTarget';
import { AwsAccessError, StackNotFoundError, StackOutputMissingError } from './stackErrors';

/** The stack outputs (infra/TributaryStack.ts) a repair command reads, by the target field each fills. */
export const STACK_OUTPUTS = {
  streamName: 'StreamName',
  aggregates: 'AggregatesTableName',
  lateEvents: 'LateEventsTableName',
  events: 'EventsTableName',
  delivery: 'DeliveryTableName',
  idempotency: 'IdempotencyTableName',
  topicArn: 'CountValueUpdatedTopicArn',
  aggregator: 'DeadLetterQueueUrl',
  archive: 'ArchiverDeadLetterQueueUrl',
  changes: 'ChangesDeadLetterQueueUrl',
} as const;

export interface StackTargetOptions {
  readonly stackName: string;
  /** Default: the SDK's (AWS_REGION, then the profile's region). */
  readonly region?: string;
  /** A client of its own when absent (tests pass one whose answers they mock). */
  readonly cloudFormation?: CloudFormationClient;
}

/**
 * A deployed pipeline from its CloudFormation stack: DescribeStacks with the
 * SDK's default credential chain and region, its outputs mapped onto the same
 * PipelineTarget the offline pipeline gives. No endpoints: every client then
 * uses the SDK's (AWS_ENDPOINT_URL_* included). Each way this can fail is a
 * CliError saying what to do.
 */
export async function resolveStackTarget(options: StackTargetOptions): Promise<PipelineTarget> {
  const cloudFormation = options.cloudFormation ?? new CloudFormationClient(options.region ? { region: options.region } : {});
  let region: string;
  try {
    region = await cloudFormation.config.region();
  } catch (error) {
    throw new AwsAccessError('no AWS region for --stack: pass --region <region> or set AWS_REGION (or a region in your AWS profile)', { cause: error });
  }
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stackName }));
    const stack = Stacks?.[0];
    if (!stack) throw new StackNotFoundError(options.stackName, region);
    outputs = Object.fromEntries((stack.Outputs ?? []).flatMap((output) => (output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [])));
  } catch (error) {
    // CloudFormation models no not-found error: a ValidationError says "Stack with id X does not exist".
    if (error instanceof CloudFormationServiceException && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new StackNotFoundError(options.stackName, region, { cause: error });
    }
    // The credential chain's error is @smithy's, not a dependency of ours: known by its name.
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      const profile = process.env.AWS_PROFILE;
      // A profile that is set but gives nothing: naming it beats telling the user to set what they already set.
      const advice = profile
        ? `AWS_PROFILE=${profile} gave none: check that ~/.aws/config has [profile ${profile}] and, for SSO, run \`aws sso login --profile ${profile}\``
        : 'set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
      throw new AwsAccessError(`no AWS credentials to read stack ${options.stackName} with: ${advice}`, { cause: error });
    }
    throw error;
  }
  const missing = Object.values(STACK_OUTPUTS).filter((key) => outputs[key] === undefined);
  if (missing.length > 0) throw new StackOutputMissingError(options.stackName, missing);
  const output = (field: keyof typeof STACK_OUTPUTS) => outputs[STACK_OUTPUTS[field]]!;
  return {
    description: `stack ${options.stackName} in ${region}`,
    region,
    streamName: output('streamName'),
    tables: { aggregates: output('aggregates'), lateEvents: output('lateEvents'), events: output('events'), delivery: output('delivery'), idempotency: output('idempotency') },
    topicArn: output('topicArn'),
    deadLetterQueues: { aggregator: output('aggregator'), archive: output('archive'), changes: output('changes') },
  };
}
