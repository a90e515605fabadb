import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ApiConfig } from '../../config/TributaryConfig';
import { buildApp, STACK_NAME } from '../../infra/buildApp';
import { tributaryConfig } from '../../infra/tributary.config';
import { readSynthesizedStack, type SynthesizedStack } from '../../local/assembly/CloudAssembly';
import type { LocalRestApi } from '../../local/assembly/LocalPlan';
import { planRestApis } from '../../local/assembly/planRestApis';

/**
 * The project's stack synthesized as `npm start` synthesizes it (DAX off) with
 * `api` in place of the default API settings, read back from the cloud
 * assembly as the offline runtime reads it. Bundling is skipped: the API's
 * plan needs the template, not the functions' code.
 */
export function synthesizedStack(api: ApiConfig = {}): SynthesizedStack {
  const outdir = mkdtempSync(path.join(tmpdir(), 'tributary-synth-'));
  try {
    buildApp({ ...tributaryConfig, cache: { dax: false }, api }, { outdir, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
    return readSynthesizedStack(outdir, STACK_NAME);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The one REST API of the synthesized stack, as the local gateway serves it. */
export function synthesizedRestApi(api: ApiConfig = {}): LocalRestApi {
  const apis = planRestApis(synthesizedStack(api));
  if (apis.length !== 1) throw new Error(`expected one REST API in the template, found ${apis.length}`);
  return apis[0]!;
}
