import { runLimited } from '../async/runLimited';
import type { BatchContext } from './BatchContext';
import type { BatchPlan } from './planBatch';
import { writeFixedWindow } from './writeFixedWindow';
import { writeSessions } from './writeSessions';

/**
 * Writes a batch's plan, `concurrency` windows or session groups at a time:
 * every session group, then every fixed window, each fixed window first
 * compared with its prefetched item. Returns the windows written.
 */
export async function writePlannedWindows(batch: BatchContext, plan: BatchPlan, concurrency: number): Promise<number> {
  const tasks: (() => Promise<number>)[] = plan.sessionGroups.map(({ metric, gapMs, events }) => () => writeSessions(batch, metric, gapMs, events));
  // One BatchGetItem per 100 windows instead of a GetItem each; retries re-read one by one.
  const prefetched = await batch.store.getWindows(plan.fixed.map(({ unit }) => unit.key));
  for (const [i, { metric, unit }] of plan.fixed.entries()) tasks.push(() => writeFixedWindow(batch, metric, unit, prefetched[i]));
  const written = await runLimited(tasks, concurrency, (task) => task());
  return written.reduce((sum, n) => sum + n, 0);
}
