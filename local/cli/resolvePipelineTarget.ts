import type { PipelineTarget } from './PipelineTarget';
import { resolveOfflineTarget } from './resolveOfflineTarget';
import { resolveStackTarget } from './resolveStackTarget';
import { UsageError } from './UsageError';

/** How a repair command was told which pipeline: `--stack <name> [--region <region>]`, else the offline one of the state dir. */
export interface PipelineSelection {
  readonly stack?: string;
  readonly region?: string;
  readonly stateDir?: string;
}

/** The pipeline a repair command works on: a deployed stack with --stack, else the running offline pipeline. */
export function resolvePipelineTarget(selection: PipelineSelection = {}): Promise<PipelineTarget> {
  if (selection.stack !== undefined) return resolveStackTarget({ stackName: selection.stack, ...(selection.region !== undefined ? { region: selection.region } : {}) });
  if (selection.region !== undefined) throw new UsageError('--region picks the region of --stack: pass --stack <name> too (offline, the pipeline is the one `npm start` runs)');
  return resolveOfflineTarget(selection.stateDir);
}
