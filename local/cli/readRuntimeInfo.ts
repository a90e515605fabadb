import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuntimeInfo } from '../runtime/PipelineSupervisor';
import { CliError } from './CliError';
import { isPidAlive } from '../runtime/processAlive';

/**
 * What `npm start` wrote about the running offline pipeline (endpoints, API
 * URL), or a CliError saying to start one: when runtime.json is missing, and
 * when it is left over from a run that was killed (its pid is gone), so a
 * command does not wait on the dead run's ports. `orElse` adds another way out
 * to the advice (e.g. ` (or pass --url)`).
 */
export function readRuntimeInfo(stateDir: string = process.env.TRIBUTARY_STATE_DIR ?? '.tributary', orElse = ''): RuntimeInfo {
  const runtimeFile = path.resolve(stateDir, 'runtime.json');
  const shown = shownPath(runtimeFile);
  if (!existsSync(runtimeFile)) throw new CliError(`no pipeline is running from this folder (${shown} is missing): start it with \`npm start\`${orElse}`);
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  } catch (error) {
    throw new CliError(`${shown} is not a runtime file (${(error as Error).message}): stop the pipeline and start it again with \`npm start\`${orElse}`);
  }
  if (typeof info.pid !== 'number' || !isPidAlive(info.pid)) {
    throw new CliError(`no pipeline is running from this folder (${shown} is from a stopped run, pid ${String(info.pid)}): start it with \`npm start\`${orElse}`);
  }
  return info;
}

/** The path as the user would type it: relative when inside the working directory. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
