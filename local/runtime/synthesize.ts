import { buildApp } from '../../infra/buildApp';
import { tributaryConfig } from '../../infra/tributary.config';

/** Synthesizes the stack into `assemblyDir` in-process: the same app `cdk synth` runs. */
export function synthesize(assemblyDir: string): void {
  buildApp(tributaryConfig, { outdir: assemblyDir }).app.synth();
}
