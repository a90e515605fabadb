// The aggregator's hot path and its ceiling, as one module: bench/aggregate.ts
// bundles it the way the functions deploy (infra/constructs/FUNCTION_BUNDLE.ts)
// and times the bundle, so the figure is the deployed code's, not tsx's (whose
// module getters cost a few per cent on every cross-module call).
import { base64Text } from '../core/envelope/base64Text';
import { decodeEnvelope } from '../core/envelope/decodeEnvelope';
import type { CompiledMetric } from '../core/metrics/compileMetric';
import { placeEvents, type SourcedEvent } from '../core/windowing/placeEvents';
import { LateCollector } from '../core/windowing/LateCollector';
import { planFixedWindows } from '../core/windowing/planFixedWindows';

export { compileMetric } from '../core/metrics/compileMetric';

const SHARD = 'shardId-000000000000';
const EMPTY_SNAPSHOT = { shards: new Map(), watermarkMs: {}, version: 0 };

/** The practical ceiling: base64 decode and JSON.parse of every record, nothing else. */
export function decodeOnly(records: readonly { data: string }[]): number {
  let checksum = 0;
  for (const record of records) checksum += (JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) as { time: number }).time & 1;
  return checksum;
}

/**
 * The same with the hot path's own decode (core/envelope/base64Text.ts, faster
 * than Buffer's for ASCII records): what the hot path spends beyond decoding
 * and parsing, without the credit its faster decode earns against the ceiling.
 */
export function ownDecodeOnly(records: readonly { data: string }[]): number {
  let checksum = 0;
  for (const record of records) checksum += (JSON.parse(base64Text(record.data)) as { time: number }).time & 1;
  return checksum;
}

/** The hot path with storage stubbed: decode, validate, filter, watermark, window assignment, pre-aggregation. */
export function hotPath(records: readonly { data: string; sequenceNumber: string }[], metrics: readonly CompiledMetric[]): number {
  const events: SourcedEvent[] = records.map((record) => ({ event: decodeEnvelope(record.data, record.sequenceNumber), sequenceNumber: record.sequenceNumber }));
  const placement = placeEvents(metrics, SHARD, events, EMPTY_SNAPSHOT, new Map([[SHARD, 0]]), 0);
  const late = new LateCollector(SHARD);
  let windows = 0;
  metrics.forEach((metric, i) => {
    if (metric.window.kind === 'session') windows += new Set(placement.placed[i]!.map((p) => p.group)).size;
    else windows += planFixedWindows(metric, metric.window, placement.placed[i]!, late).units.length;
  });
  return windows;
}
