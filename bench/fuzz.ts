import { formatFuzzSummary, runFuzz } from '../local/fuzz/runFuzz';

/**
 * `npm run fuzz`: the fuzz test's run at soak size. `--seed N` and
 * `--requests N` override; exits 1 on any 5xx, host restart, event not
 * archived as sent, window mismatch or DLQ message.
 */
async function main(): Promise<void> {
  const argument = (name: string, fallback: number): number => {
    const index = process.argv.indexOf(`--${name}`);
    const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number (got ${process.argv[index + 1]})`);
    return value;
  };
  if (process.argv.includes('--help')) {
    console.log('Usage: npm run fuzz [-- --seed <n> --requests <n>]   (default seed: today as YYYYMMDD, 10,000 requests)');
    return;
  }
  const today = Number(new Date().toISOString().slice(0, 10).replaceAll('-', ''));
  const summary = await runFuzz({ seed: argument('seed', today), requests: argument('requests', 10_000), onProgress: (line) => console.log(`  … ${line}`) });
  console.log(formatFuzzSummary(summary));
  for (const line of [...summary.serverErrors, ...summary.notArchived, ...summary.mismatches].slice(0, 20)) console.log(`  ✗ ${line}`);
  const failed = summary.serverErrors.length + summary.notArchived.length + summary.mismatches.length + summary.dlqMessages + summary.hostRestarts > 0;
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(`fuzz: ${(error as Error).message}`);
  process.exitCode = 1;
});
