// npm run chaos: the soak variant of the chaos test — more events, more faults, more crashes.
// CHAOS_SEED, CHAOS_EVENTS, CHAOS_FAULT_RATE, CHAOS_CRASHES, CHAOS_STORM_MS override the defaults.
// Passes when every expectation in local/chaos/unmetExpectations.ts holds.
import { formatChaosSummary, runChaos } from '../local/chaos/runChaos';
import { unmetExpectations } from '../local/chaos/unmetExpectations';
import { endProgress, progressLine } from '../local/cli/progressLine';

async function main(): Promise<void> {
  const summary = await runChaos({
    seed: Number(process.env.CHAOS_SEED ?? '20261122'),
    events: Number(process.env.CHAOS_EVENTS ?? '20000'),
    keys: 2_000,
    resendShare: 0.03,
    faultRate: Number(process.env.CHAOS_FAULT_RATE ?? '0.08'),
    crashes: Number(process.env.CHAOS_CRASHES ?? '6'),
    // At most: the storm ends once the aggregator DLQ receives a message.
    stormMs: Number(process.env.CHAOS_STORM_MS ?? '90000'),
    onProgress: progressLine,
  });
  endProgress();
  console.log(formatChaosSummary(summary));
  for (const mismatch of summary.mismatches.slice(0, 20)) console.log(`  mismatch: ${mismatch}`);
  const unmet = unmetExpectations(summary);
  for (const line of unmet) console.log(`  unmet: ${line}`);
  if (unmet.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
