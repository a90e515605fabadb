import { CliError } from './CliError';

/** DescribeStacks found no stack of that name in the region. */
export class StackNotFoundError extends CliError {
  public constructor(
    public readonly stackName: string,
    public readonly region: string,
    options?: { cause?: unknown },
  ) {
    super(`stack ${stackName} is not deployed in ${region}: check --stack, and --region (or AWS_REGION) if it is deployed in another region`, 1, options);
    this.name = 'StackNotFoundError';
  }
}

/** The stack lacks an output a repair command needs: it was deployed by an older Tributary. */
export class StackOutputMissingError extends CliError {
  public constructor(
    public readonly stackName: string,
    public readonly outputs: readonly string[],
  ) {
    super(`stack ${stackName} has no output ${outputs.join(', ')}: deployed with an older Tributary? redeploy it with \`npx cdk deploy\` and run again`);
    this.name = 'StackOutputMissingError';
  }
}

/** The SDK found no region or no credentials to reach a deployed stack with. */
export class AwsAccessError extends CliError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
    this.name = 'AwsAccessError';
  }
}
