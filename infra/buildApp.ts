import { App } from 'aws-cdk-lib';
import type { TributaryConfig } from '../config/TributaryConfig';
import { TributaryStack } from './TributaryStack';

/** Name of the stack in the cloud assembly; the offline runtime reads its template. */
export const STACK_NAME = 'Tributary';

/** Builds the CDK app; `outdir` defaults to cdk.out (the CLI passes its own). */
export function buildApp(config: TributaryConfig, options: { outdir?: string } = {}): { app: App; stack: TributaryStack } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stack = new TributaryStack(app, STACK_NAME, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  return { app, stack };
}
