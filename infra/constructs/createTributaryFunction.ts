import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { bundledMetricsDefine } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import { FUNCTION_BUNDLE } from './FUNCTION_BUNDLE';

/** Repository root: function entries and the lock file are found from here. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What every function of the stack shares, from the resolved config: log retention, tracing, the stack's key. */
export interface FunctionBaseline {
  readonly observability: ResolvedConfig['observability'];
  /** The customer-managed key (encryption.customerManagedKey): it encrypts the function's log group. @default AWS-managed log encryption */
  readonly key?: kms.IKey;
}

/** The baseline of a stack's functions from its config and key: the one place constructs take it from. */
export function functionBaseline(config: ResolvedConfig, key: kms.IKey | undefined): FunctionBaseline {
  return { observability: config.observability, ...(key ? { key } : {}) };
}

/** Memory of a function whose props name none (the ingest and query functions); `tributary plan` costs ingest with it. */
export const DEFAULT_FUNCTION_MEMORY_MB = 256;

/** Props of a Tributary function: its folder under functions/ and what it needs. */
export interface TributaryFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly name: string;
  /** Its whole environment, from functionEnvironment (config/functionEnvironment.ts). */
  readonly environment: Record<string, string>;
  readonly baseline: FunctionBaseline;
  /** Metric definitions compiled into the bundle (see loadBundledMetrics). */
  readonly metrics?: readonly MetricDefinition[];
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** Copies that may run at once, reserved from the account's pool; absent: none reserved, no cap. */
  readonly reservedConcurrentExecutions?: number;
  /** VPC attachment (functions that read through DAX). */
  readonly vpc?: Pick<NodejsFunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>;
  /**
   * Asynchronous invocations (schedules): Lambda's retries of a failed one, then the queue that gets its
   * invocation record (an OnFailure destination: the event, the error and the attempts, where a plain
   * function DLQ would keep the event alone).
   * @default none: the function is only invoked synchronously or by an event source mapping with its own DLQ
   */
  readonly asyncFailure?: { readonly retryAttempts: number; readonly onFailureQueue: sqs.IQueue };
}

/**
 * A NodejsFunction with the project's defaults: the latest Node.js runtime on
 * arm64, bundled locally by esbuild (never Docker), the AWS SDK bundled in so
 * the code that runs offline is byte for byte the code that deploys; JSON logs
 * into its own log group (created in `scope` as `<id>Logs`, with the configured
 * retention and key), X-Ray active tracing when configured, and a role of its
 * own (`<id>Role`) that may write only to that log group — no managed policy.
 */
export function createTributaryFunction(scope: Construct, id: string, props: TributaryFunctionProps): NodejsFunction {
  const { observability, key } = props.baseline;
  // Destroyed with the stack: the retention bounds them already, and a destroyed stack leaves no code whose logs anyone reads.
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: observability.logRetentionDays as logs.RetentionDays,
    ...(key ? { encryptionKey: key } : {}),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Tributary ${props.name} function` });
  logGroup.grantWrite(role);
  if (props.vpc) {
    // The ENI actions Lambda needs to attach to the VPC; ec2:Describe* and CreateNetworkInterface take no resource ARN.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'AWSLambdaVPCAccessExecutionRole holds exactly the EC2 network-interface actions Lambda needs to attach a function to the DAX VPC; they take no resource ARN, so an inline copy would be the same wildcard',
    });
  }
  const functionProps: NodejsFunctionProps = {
    entry: path.join(PROJECT_ROOT, 'functions', props.name, 'handler.ts'),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? DEFAULT_FUNCTION_MEMORY_MB,
    timeout: props.timeout ?? Duration.seconds(29),
    environment: props.environment,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: observability.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
    ...props.vpc,
    ...(props.asyncFailure ? { retryAttempts: props.asyncFailure.retryAttempts, onFailure: new destinations.SqsDestination(props.asyncFailure.onFailureQueue) } : {}),
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: FUNCTION_BUNDLE.target,
      minify: FUNCTION_BUNDLE.minify,
      logLevel: LogLevel.WARNING,
      sourceMap: FUNCTION_BUNDLE.sourceMap,
      externalModules: [],
      define: props.metrics ? bundledMetricsDefine(JSON.stringify(props.metrics)) : {},
    },
  };
  const fn = new NodejsFunction(scope, id, functionProps);
  if (key) {
    // CDK's grants on a customer-managed key for the services this function reaches (grantEncrypt/grantEncryptDecrypt).
    const reason =
      'Only on the stack key\'s own ARN: the variants (GenerateDataKeyWithoutPlaintext, ReEncryptFrom/To) that Kinesis, SQS, SNS and DynamoDB call under this principal to encrypt what it writes with the customer-managed key';
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason });
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason });
  }
  if (observability.tracing) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (the X-Ray daemon in the sandbox sends them for this function only)',
    });
  } else {
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: 'observability.tracing is off in this configuration (the LocalStack profile turns it off: its free tier has no X-Ray)' });
  }
  return fn;
}
