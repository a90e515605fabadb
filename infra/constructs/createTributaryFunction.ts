import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { bundledMetricsDefine } from '../../config/functionEnvironment';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';

/** Repository root: function entries and the lock file are found from here. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Props of a Tributary function: its folder under functions/ and what it needs. */
export interface TributaryFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly name: string;
  /** Its whole environment, from functionEnvironment (config/functionEnvironment.ts). */
  readonly environment: Record<string, string>;
  /** Metric definitions compiled into the bundle (see loadBundledMetrics). */
  readonly metrics?: readonly MetricDefinition[];
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** VPC attachment (functions that read through DAX). */
  readonly vpc?: Pick<NodejsFunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>;
}

/**
 * A NodejsFunction with the project's defaults: Node.js 22 on arm64, bundled
 * locally by esbuild (never Docker), the AWS SDK bundled in so the code that
 * runs offline is byte for byte the code that deploys.
 */
export function createTributaryFunction(scope: Construct, id: string, props: TributaryFunctionProps): NodejsFunction {
  const functionProps: NodejsFunctionProps = {
    entry: path.join(PROJECT_ROOT, 'functions', props.name, 'handler.ts'),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(29),
    environment: props.environment,
    ...props.vpc,
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: 'node22',
      minify: true,
      logLevel: LogLevel.WARNING,
      sourceMap: true,
      externalModules: [],
      define: props.metrics ? bundledMetricsDefine(JSON.stringify(props.metrics)) : {},
    },
  };
  return new NodejsFunction(scope, id, functionProps);
}
