import { buildApp } from '../../infra/buildApp';
import { tributaryConfig } from '../../infra/tributary.config';
import type { TributaryConfig } from '../../shared/config/TributaryConfig';

/** Synthesizes the stack into `assemblyDir` in-process: the same app `cdk synth` runs. */
export function synthesize(assemblyDir: string, config: TributaryConfig = tributaryConfig): void {
  buildApp(config, { outdir: assemblyDir }).app.synth();
}
