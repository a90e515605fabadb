import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UnitCounts } from '../../../core/planning/UnitCounts';
import { UNITS_FILE } from '../../../local/cli/planCommand';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'tributary.js');
const UNITS = JSON.parse(readFileSync(UNITS_FILE, 'utf8')) as UnitCounts;

/** The real CLI, as a user runs it. */
function tributary(args: readonly string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, TRIBUTARY_DEBUG: '' }, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Shards for 10,000 events/s of 300 bytes at the committed units: records or bytes per second over a shard's limits at 80 %. */
function expectedShards(): number {
  const ingest = [...UNITS.ingest.runs].filter((run) => run.eventsPerRequest === 100).sort((a, b) => b.shards - a.shards)[0]!;
  const records = 10_000 * ingest.recordsPerEvent;
  const bytes = 10_000 * (300 + ingest.overheadBytesPerEvent);
  return Math.ceil(Math.max(records / 1_000, bytes / 1_048_576) / 0.8);
}

describe('tributary plan', () => {
  it('prints the shards 10,000 events/s of 300 bytes need, and the source of its units: the commit units.json was measured at', () => {
    const { status, stdout, stderr } = tributary(['plan', '--rate', '10000', '--event-bytes', '300']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('tributary plan: 10,000 events/s of 300 bytes, 100 per request');
    expect(stdout).toMatch(new RegExp(`^Kinesis\\s+${expectedShards()} shards: `, 'm'));
    expect(stdout).toContain(`units: bench/results/units.json, ${UNITS.source.bench} @ ${UNITS.source.commit}, ${UNITS.source.measuredAt.slice(0, 10)}`);
    expect(stdout).toMatch(/^ {2}total\s+\$[\d,]+\s+\$[\d,]+$/m);
  });

  it('answers --json with the plan, the dated prices and the units source', () => {
    const { status, stdout } = tributary(['plan', '--rate', '10000', '--json', '--shards', '4']);
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout) as { plan: { kinesis: { shards: number } }; prices: { asOf: string }; units: { source: { commit: string } } };
    expect(parsed.plan.kinesis.shards).toBe(4);
    expect(parsed.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parsed.units.source.commit).toBe(UNITS.source.commit);
  });

  it('refuses a plan without --rate, or a rate that is not a whole number, with exit code 2 and what to type', () => {
    const missing = tributary(['plan']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('tributary: plan needs --rate <events/s>, e.g. tributary plan --rate 10000');
    const fraction = tributary(['plan', '--rate', '2.5']);
    expect(fraction.status).toBe(2);
    expect(fraction.stderr.trim()).toBe('tributary: --rate must be a whole number from 1 to 10000000 (got 2.5)');
  });
});
