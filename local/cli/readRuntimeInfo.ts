import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuntimeInfo } from '../runtime/PipelineSupervisor';
import { CliError } from './CliError';

/** What `npm start` wrote about the running offline pipeline (endpoints, API URL), or a CliError saying to start one. */
export function readRuntimeInfo(stateDir: string = process.env.TRIBUTARY_STATE_DIR ?? '.tributary'): RuntimeInfo {
  const runtimeFile = path.resolve(stateDir, 'runtime.json');
  if (!existsSync(runtimeFile)) throw new CliError(`No running pipeline (${runtimeFile} is missing): start one with \`npm start\``);
  return JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
}
