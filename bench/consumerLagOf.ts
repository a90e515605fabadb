import { readFileSync } from 'node:fs';
import { percentile } from './percentile';

/** Event-time lag as the consumers measured it over a time span: their `ConsumerLagMs` values. */
export interface ConsumerLag {
  /** ConsumerLagMs values (one per sampled counted event) emitted in the span. */
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Batches (BatchDurationMs values) in the span, and their p95. */
  readonly batches: number;
  readonly batchP95Ms: number;
}

/**
 * Reads the pipeline-wide ConsumerLagMs and BatchDurationMs values the
 * aggregator emitted (EMF lines in the host's functions.log, each prefixed
 * with `[<function>] `) between `fromMs` and `toMs`: the same figures the
 * consumer-lag objective's alarm is computed from. Lines with a `Metric`
 * dimension repeat the values per metric definition and are skipped.
 */
export function consumerLagOf(functionsLogPath: string, fromMs: number, toMs: number): ConsumerLag {
  const lag: number[] = [];
  const batches: number[] = [];
  for (const line of readFileSync(functionsLogPath, 'utf8').split('\n')) {
    if (!line.includes('"_aws"')) continue;
    let document: Record<string, unknown> & { _aws?: { Timestamp?: number } };
    try {
      document = JSON.parse(line.slice(line.indexOf('{')));
    } catch {
      continue;
    }
    const at = document._aws?.Timestamp ?? 0;
    if (at < fromMs || at > toMs || document.Metric !== undefined) continue;
    collect(lag, document.ConsumerLagMs);
    collect(batches, document.BatchDurationMs);
  }
  return {
    samples: lag.length,
    p50Ms: percentile(lag, 50),
    p95Ms: percentile(lag, 95),
    p99Ms: percentile(lag, 99),
    batches: batches.length,
    batchP95Ms: percentile(batches, 95),
  };
}

function collect(into: number[], value: unknown): void {
  if (Array.isArray(value)) for (const item of value) if (typeof item === 'number') into.push(item);
  if (typeof value === 'number') into.push(value);
}
