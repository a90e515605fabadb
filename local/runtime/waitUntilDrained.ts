import type { PipelineSupervisor } from './PipelineSupervisor';

/**
 * Resolves once every stream mapping of the running host is at the tip of its
 * shards and has delivered nothing new for `quietMs`; throws after `timeoutMs`.
 * What "the consumers caught up" means for the chaos and fuzz runs.
 */
export async function waitUntilDrained(supervisor: PipelineSupervisor, timeoutMs: number, quietMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = supervisor.latestStats;
    if (!stats || !supervisor.hostRunning) {
      stableSince = Date.now();
      continue;
    }
    const mappings = Object.values(stats.mappings);
    const fingerprint = JSON.stringify(mappings.map((m) => [m.batches, m.processedRecords, m.discardedRecords]));
    if (fingerprint !== last || mappings.some((m) => m.millisBehindLatest > 0)) {
      last = fingerprint;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) return;
  }
  throw new Error(`the consumers did not drain in ${timeoutMs / 1000} s`);
}
