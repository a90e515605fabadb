// Entry of the function host child process: `node --import tsx local/host/hostMain.ts <plan.json>`.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalPlan } from '../assembly/LocalPlan';
import { FunctionHost } from './FunctionHost';

async function main(): Promise<void> {
  const planPath = process.argv[2];
  if (!planPath) throw new Error('usage: hostMain <plan.json>');
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as LocalPlan;
  const host = new FunctionHost(plan, {
    apiPort: Number(process.env.TRIBUTARY_API_PORT ?? '3000'),
    logDir: process.env.TRIBUTARY_LOG_DIR ?? '.tributary/logs',
    timing: {
      idlePollIntervalMs: Number(process.env.TRIBUTARY_POLL_INTERVAL_MS ?? '1000'),
      retryBaseDelayMs: Number(process.env.TRIBUTARY_RETRY_BASE_MS ?? '100'),
    },
  });
  await host.start();
  if (process.env.TRIBUTARY_STATE_DIR) writeFileSync(path.join(process.env.TRIBUTARY_STATE_DIR, 'host.pid'), String(process.pid));
  process.send?.({ type: 'ready', apiUrls: host.apiUrls });
  const timer = setInterval(() => process.send?.({ type: 'stats', stats: host.stats() }), 1_000);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    void host.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The supervisor went away: do not linger as an orphan.
  process.on('disconnect', shutdown);
}

main().catch((error: unknown) => {
  console.error(`function host failed to start: ${(error as Error).stack ?? String(error)}`);
  process.send?.({ type: 'failed', message: (error as Error).message });
  process.exit(1);
});
