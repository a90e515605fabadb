import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { ENVELOPE_LIMITS, type EventEnvelope } from '../../core/envelope/EventEnvelope';
import { envelopeJson } from '../../core/envelope/envelopeJson';
import { newEventId } from '../../core/envelope/newEventId';
import { validateEvent, type FieldError } from '../../core/envelope/validateEvent';
import { putRecordsWithRetry, type PutRetryOptions } from '../../adapters/kinesis/putRecordsWithRetry';
import type { ShardMapSource } from '../../adapters/kinesis/KinesisShardMap';
import type { ShardHashRanges } from '../../adapters/kinesis/kpl/ShardHashRanges';
import { packUserRecords, type PackedRecord } from '../../adapters/kinesis/kpl/packUserRecords';

/** The answer for one event of a request, in request order. */
export type EventResult =
  | { readonly index: number; readonly status: 'accepted'; readonly id: string }
  | { readonly index: number; readonly status: 'rejected'; readonly errors: readonly FieldError[] }
  | { readonly index: number; readonly status: 'failed'; readonly id: string; readonly error: string; readonly retryable: true };

/** The answer for a whole request. */
export interface IngestResult {
  /** 200 all accepted · 207 mixed · 400 all rejected · 503 none written for a server-side reason. */
  readonly statusCode: 200 | 207 | 400 | 503;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly results: readonly EventResult[];
  /** Kinesis records the accepted and failed events were put in (fewer than events when aggregated): not part of the answer. */
  readonly recordsWritten: number;
  /** Why the shard map could not be read, when it could not (events were then packed per key): for the log, not part of the answer. */
  readonly shardMapError?: string;
}

/** KPL-format aggregation of a request's events (see packUserRecords). */
export interface IngestAggregation {
  /** Largest aggregated record, data plus partition key. */
  readonly maxRecordBytes: number;
  readonly shardMap: ShardMapSource;
}

export interface IngestDependencies {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly retry?: PutRetryOptions;
  readonly now?: () => number;
  /** Absent: one Kinesis record per event. */
  readonly aggregation?: IngestAggregation;
}

/**
 * Validates raw events, stamps id and receivedAt, and writes the valid ones to
 * Kinesis partitioned by `key`. An event counts as accepted only once Kinesis
 * acknowledged it; invalid events are rejected with reasons; events Kinesis
 * would not take after retries are reported failed (retryable), never dropped.
 * With aggregation the valid events share KPL aggregated records per shard;
 * an event is accepted exactly when its record is, so a record Kinesis would
 * not take reports every event in it failed.
 */
export async function ingestEvents(
  rawEvents: readonly unknown[],
  batch: boolean,
  deps: IngestDependencies,
  dataTexts: readonly (string | undefined)[] = [],
): Promise<IngestResult> {
  const now = deps.now ?? Date.now;
  const results: EventResult[] = new Array(rawEvents.length);
  const entries: PutRecordsRequestEntry[] = [];
  const entryOwners: { index: number; id: string }[] = [];

  rawEvents.forEach((raw, index) => {
    const fieldPrefix = batch ? `events[${index}]` : '';
    const validation = validateEvent(raw, fieldPrefix);
    if (!validation.ok) {
      results[index] = { index, status: 'rejected', errors: validation.errors };
      return;
    }
    const receivedAt = now();
    const envelope: EventEnvelope = { ...validation.envelope, id: validation.envelope.id ?? newEventId(receivedAt), receivedAt };
    const data = Buffer.from(envelopeJson(envelope, dataTexts[index]), 'utf8');
    // Measured in UTF-8 bytes, as every store measures it: 140,000 CJK characters are 420,000 bytes.
    if (data.byteLength > ENVELOPE_LIMITS.maxEventBytes) {
      results[index] = {
        index,
        status: 'rejected',
        errors: [{ field: fieldPrefix ? `${fieldPrefix}.data` : 'data', message: `makes the event ${data.byteLength} bytes as stored (UTF-8 JSON of the envelope); at most ${ENVELOPE_LIMITS.maxEventBytes} bytes (256 KiB)` }],
      };
      return;
    }
    entries.push({ Data: data, PartitionKey: envelope.key });
    entryOwners.push({ index, id: envelope.id });
  });

  let recordsWritten = 0;
  let shardMapError: string | undefined;
  if (entries.length > 0) {
    let packed: PackedRecord[];
    if (deps.aggregation) {
      const ranges = await readShardMap(deps.aggregation.shardMap, now());
      if (typeof ranges === 'string') shardMapError = ranges;
      packed = packUserRecords(
        entries.map((entry) => ({ partitionKey: entry.PartitionKey!, data: entry.Data! })),
        typeof ranges === 'string' ? undefined : ranges,
        deps.aggregation.maxRecordBytes,
      );
    } else {
      packed = entries.map((entry, position) => ({ entry, members: [position] }));
    }
    recordsWritten = packed.length;
    const outcomes = await putRecordsWithRetry(
      deps.kinesis,
      deps.streamName,
      packed.map((record) => record.entry),
      deps.retry,
    );
    outcomes.forEach((outcome, position) => {
      const record = packed[position]!;
      // A shard the map did not predict: it is stale (a reshard); the next request lists the shards again.
      if (outcome.ok && record.expectedShardId !== undefined && outcome.shardId !== record.expectedShardId) deps.aggregation?.shardMap.invalidate();
      for (const member of record.members) {
        const { index, id } = entryOwners[member]!;
        results[index] = outcome.ok
          ? { index, status: 'accepted', id }
          : { index, status: 'failed', id, error: `${outcome.errorCode}: ${outcome.errorMessage}`, retryable: true };
      }
    });
  }

  const accepted = results.filter((result) => result.status === 'accepted').length;
  const rejected = results.filter((result) => result.status === 'rejected').length;
  const failed = results.length - accepted - rejected;
  const statusCode = accepted === results.length ? 200 : accepted > 0 ? 207 : failed > 0 ? 503 : 400;
  return { statusCode, accepted, rejected, failed, results, recordsWritten, ...(shardMapError !== undefined ? { shardMapError } : {}) };
}

/**
 * The shard map, or why it could not be read. Without one the events are
 * packed per key, which needs no map: fewer events per record, never
 * misrouted, and no request fails for a map it can do without.
 */
async function readShardMap(source: ShardMapSource, nowMs: number): Promise<ShardHashRanges | string> {
  try {
    return await source.rangesAt(nowMs);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
