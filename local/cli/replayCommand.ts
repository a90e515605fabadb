import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tributaryConfig } from '../../infra/tributary.config';
import { replayStream, type ReplayPosition, type ReplayReport } from '../../ops/replayStream';
import { connectToPipeline } from './connectToPipeline';
import { resolvePipelineTarget } from './resolvePipelineTarget';
import { endProgress, progressBar, progressLine } from './progressLine';
import { UsageError } from './UsageError';

export interface ReplayCommandOptions {
  readonly fromMs: number;
  /** Default: when this replay first started (later records are the live consumer's). */
  readonly toMs?: number;
  /** Default: every metric. */
  readonly metric?: string;
  readonly stateDir?: string;
  /** A deployed stack instead of the offline pipeline. */
  readonly stack?: string;
  readonly region?: string;
}

interface SavedReplay {
  readonly fromMs: number;
  readonly toMs: number;
  readonly metric: string | null;
  readonly positions: Record<string, ReplayPosition>;
}

/**
 * `tributary replay --from <time> [--to <time>] [--metric <name>] [--stack <name>]`:
 * re-reads the stream of the running offline pipeline, or of a deployed stack, from a point in time and rebuilds what the
 * windows lack, with a progress bar. Interrupted, it resumes from
 * `<state dir>/replay-checkpoint.json` when run again with the same --from and
 * --metric; finished, it removes that file.
 */
export async function replayCommand(options: ReplayCommandOptions): Promise<ReplayReport> {
  const metrics = options.metric === undefined ? tributaryConfig.metrics : tributaryConfig.metrics.filter((m) => m.name === options.metric);
  if (metrics.length === 0) throw new UsageError(`--metric ${options.metric} is not a metric of this pipeline; known: ${tributaryConfig.metrics.map((m) => m.name).join(', ')}`);
  const stateDir = options.stateDir ?? process.env.TRIBUTARY_STATE_DIR ?? '.tributary';
  // One checkpoint per pipeline: a replay of a stack never resumes from the offline pipeline's.
  const checkpointFile = path.resolve(stateDir, options.stack === undefined ? 'replay-checkpoint.json' : `replay-checkpoint.${options.stack}.json`);
  const saved = existsSync(checkpointFile) ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as SavedReplay) : undefined;
  const sameReplay = saved !== undefined && saved.fromMs === options.fromMs && saved.metric === (options.metric ?? null) && (options.toMs === undefined || saved.toMs === options.toMs);
  if (saved && !sameReplay) console.error(`an unfinished replay from ${new Date(saved.fromMs).toISOString()} is discarded: this one has other bounds`);
  const toMs = sameReplay ? saved.toMs : options.toMs ?? Date.now();
  if (toMs <= options.fromMs) throw new UsageError(`--to (${new Date(toMs).toISOString()}) must be after --from (${new Date(options.fromMs).toISOString()})`);

  // With --stack nothing else may have made the state dir (offline, `npm start` did).
  mkdirSync(stateDir, { recursive: true });
  const pipeline = connectToPipeline(
    await resolvePipelineTarget({ stateDir, ...(options.stack !== undefined ? { stack: options.stack } : {}), ...(options.region !== undefined ? { region: options.region } : {}) }),
  );
  const started = Date.now();
  const report = await replayStream({
    kinesis: pipeline.clients.kinesis,
    streamName: pipeline.streamName,
    fromMs: options.fromMs,
    toMs,
    aggregator: pipeline.aggregator(metrics),
    rejects: pipeline.sideOutput,
    checkpoint: {
      load: () => (sameReplay ? saved.positions : {}),
      save: (positions) => writeFileSync(checkpointFile, JSON.stringify({ fromMs: options.fromMs, toMs, metric: options.metric ?? null, positions } satisfies SavedReplay)),
    },
    onProgress: (positions) => {
      const shards = Object.values(positions);
      // A shard still being read counts at most 99 %: its time fraction reaches 1 before its last records are read, and 100 % must mean done.
      const fraction = shards.reduce((sum, p) => sum + (p.done ? 1 : Math.min(p.fraction, 0.99)), 0) / Math.max(1, shards.length);
      const records = shards.reduce((sum, p) => sum + p.records, 0);
      progressLine(`replay ${progressBar(fraction)} ${Math.round(fraction * 100)}% · ${records.toLocaleString('en-US')} record(s) · ${shards.filter((p) => p.done).length}/${shards.length} shard(s) done`);
    },
  });
  endProgress();
  rmSync(checkpointFile, { force: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `replayed ${report.records.toLocaleString('en-US')} record(s) (${report.events.toLocaleString('en-US')} event(s)) of ${report.shards} shard(s) from ${new Date(options.fromMs).toISOString()} to ${new Date(toMs).toISOString()}` +
      ` into ${metrics.map((m) => m.name).join(', ')}: ${report.windowsWritten.toLocaleString('en-US')} window(s) took what they lacked, ${report.alreadyHeld.toLocaleString('en-US')} record application(s) already held${report.resumed ? ' (resumed)' : ''} (${seconds} s)`,
  );
  return report;
}

/** A CLI time: ISO-8601 with a timezone, or epoch milliseconds. */
export function parseCliTime(flag: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--${flag} must be an ISO-8601 time with a timezone (e.g. 2026-11-22T08:00:00Z) or epoch milliseconds (got ${value})`);
  return ms;
}
