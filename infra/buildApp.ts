import { App } from 'aws-cdk-lib';
import type { TributaryConfig } from '../config/TributaryConfig';
import { TributaryStack } from './TributaryStack';

/** Name of the stack in the cloud assembly; the offline runtime reads its template. */
export const STACK_NAME = 'Tributary';

/** How buildApp makes the app. */
export interface BuildAppOptions {
  /** Where the cloud assembly goes; cdk.out by default (the CLI passes its own). */
  readonly outdir?: string;
  /** CDK context, e.g. `{ target: 'localstack' }` or `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling. */
  readonly context?: Record<string, unknown>;
}

/**
 * Builds the CDK app, always environment-agnostic: the template names its
 * region and account as `AWS::Region`/`AWS::AccountId`, so one synthesized
 * template deploys anywhere (and the offline runtime resolves them locally).
 * Not CDK_DEFAULT_REGION: the CLI sets it to us-east-1 when no region is
 * configured, which hard-coded that region into every ARN of the template.
 */
export function buildApp(config: TributaryConfig, options: BuildAppOptions = {}): { app: App; stack: TributaryStack } {
  const app = new App({ ...(options.outdir ? { outdir: options.outdir } : {}), ...(options.context ? { context: options.context } : {}) });
  const stack = new TributaryStack(app, STACK_NAME, { config });
  return { app, stack };
}
