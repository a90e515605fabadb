import { buildApp } from '../../infra/buildApp';
import { tributaryConfig } from '../../infra/tributary.config';
import type { TributaryConfig } from '../../config/TributaryConfig';

/**
 * Synthesizes the stack into `assemblyDir` in-process: the same app `cdk synth`
 * runs, with DAX left out — it has no emulator, so offline the query function
 * reads DynamoDB directly (the switch a LocalStack deployment uses too). CDK's
 * per-asset "Bundling asset …" lines are held back so `npm start` stays a few
 * lines long; warnings and errors still show.
 */
export function synthesize(assemblyDir: string, config: TributaryConfig = tributaryConfig): void {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (String(chunk).startsWith('Bundling asset ')) return true;
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    buildApp({ ...config, cache: { ...config.cache, dax: false } }, { outdir: assemblyDir }).app.synth();
  } finally {
    process.stderr.write = write;
  }
}
