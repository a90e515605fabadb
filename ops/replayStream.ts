import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { RejectedRecordSink } from '../core/ports/LateEventSink';
import type { WindowedAggregator } from '../core/aggregator/WindowedAggregator';
import { aggregateRecords } from '../adapters/kinesis/aggregateRecords';
import { toStreamRecord } from '../adapters/kinesis/toStreamRecord';

/** Where a replay got to, per shard: the last sequence number applied, and whether the shard is done. */
export interface ReplayPosition {
  readonly after?: string;
  readonly done: boolean;
  readonly records: number;
  /** Events those records held and the aggregator applied (a KPL record holds many); absent in a checkpoint from before it was counted. */
  readonly events?: number;
}

/** Saved after every applied page, so an interrupted replay resumes where it stopped. */
export interface ReplayCheckpoint {
  load(): Readonly<Record<string, ReplayPosition>>;
  save(positions: Readonly<Record<string, ReplayPosition>>): void;
}

export interface ReplayOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** Records that arrived at or after this time are re-read (AT_TIMESTAMP). */
  readonly fromMs: number;
  /** Records that arrived after this are left to the live consumer. */
  readonly toMs: number;
  /** Built with only the metrics to rebuild. */
  readonly aggregator: WindowedAggregator;
  readonly rejects: RejectedRecordSink;
  readonly checkpoint: ReplayCheckpoint;
  /** Called after every page: per shard, how far it got (0..1 of the time range) and its records. */
  readonly onProgress?: (positions: Readonly<Record<string, ReplayPosition & { fraction: number }>>) => void;
  /** Records per GetRecords. @default 1000 */
  readonly pageRecords?: number;
}

export interface ReplayReport {
  readonly shards: number;
  readonly records: number;
  /** The events those records held that the aggregator applied. */
  readonly events: number;
  /** Window applications skipped because the window already held the record: what makes a replay safe to repeat. */
  readonly alreadyHeld: number;
  /** Windows (or session groups) that took records they lacked. */
  readonly windowsWritten: number;
  readonly resumed: boolean;
}

/**
 * Re-reads every shard from `fromMs` (AT_TIMESTAMP, or just after the
 * checkpoint) to `toMs` and applies the records in replay mode: never late,
 * progress and watermarks untouched, and whatever a window already holds is
 * skipped by its marks — so a replay rebuilds missing windows (a new metric,
 * restored or deleted items) without counting anything twice, and repeating
 * it changes nothing.
 */
export async function replayStream(options: ReplayOptions): Promise<ReplayReport> {
  const positions: Record<string, ReplayPosition> = { ...options.checkpoint.load() };
  const resumed = Object.keys(positions).length > 0;
  const shardIds: string[] = [];
  let token: string | undefined;
  do {
    const page = await options.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: options.streamName }));
    shardIds.push(...(page.Shards ?? []).map((shard) => shard.ShardId!));
    token = page.NextToken;
  } while (token);

  const fractions: Record<string, number> = {};
  const report = () => options.onProgress?.(Object.fromEntries(shardIds.map((id) => [id, { ...(positions[id] ?? { done: false, records: 0 }), fraction: fractions[id] ?? 0 }])));
  let alreadyHeld = 0;
  let windowsWritten = 0;
  for (const shardId of shardIds) {
    let position = positions[shardId] ?? { done: false, records: 0 };
    if (position.done) {
      fractions[shardId] = 1;
      continue;
    }
    let iterator = (
      await options.kinesis.send(
        new GetShardIteratorCommand(
          position.after
            ? { StreamName: options.streamName, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: position.after }
            : { StreamName: options.streamName, ShardId: shardId, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(options.fromMs) },
        ),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await options.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.pageRecords ?? 1_000 }));
      iterator = page.NextShardIterator;
      const inRange = (page.Records ?? []).filter((record) => (record.ApproximateArrivalTimestamp?.getTime() ?? 0) <= options.toMs);
      const reachedEnd = inRange.length < (page.Records ?? []).length || ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) || !iterator;
      if (inRange.length > 0) {
        const outcome = await aggregateRecords(inRange.map((record) => toStreamRecord(shardId, record)), options.aggregator, options.rejects, Date.now(), { kind: 'replay' });
        alreadyHeld += outcome.summary?.redeliveriesSkipped ?? 0;
        windowsWritten += outcome.summary?.windowsWritten ?? 0;
        const lastArrivalMs = inRange[inRange.length - 1]!.ApproximateArrivalTimestamp?.getTime() ?? options.fromMs;
        fractions[shardId] = Math.min(1, Math.max(0, (lastArrivalMs - options.fromMs) / Math.max(1, options.toMs - options.fromMs)));
        position = { after: inRange[inRange.length - 1]!.SequenceNumber!, done: false, records: position.records + inRange.length, events: (position.events ?? 0) + outcome.applied };
      }
      if (reachedEnd) position = { ...position, done: true };
      positions[shardId] = position;
      if (inRange.length > 0 || reachedEnd) options.checkpoint.save(positions);
      if (reachedEnd) {
        fractions[shardId] = 1;
        report();
        break;
      }
      report();
    }
  }
  const records = Object.values(positions).reduce((sum, p) => sum + p.records, 0);
  const events = Object.values(positions).reduce((sum, p) => sum + (p.events ?? 0), 0);
  return { shards: shardIds.length, records, events, alreadyHeld, windowsWritten, resumed };
}
