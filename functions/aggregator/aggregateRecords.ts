import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeEnvelope } from '../../shared/envelope/decodeEnvelope';
import { PoisonRecordError } from '../../shared/errors';
import type { SourcedEvent } from '../../shared/windowing/placeEvents';
import type { BatchSummary, WindowedAggregator } from '../../shared/windowing/WindowedAggregator';

/** What one batch did, for logs and tests. */
export interface AggregateOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly applied: number;
  readonly summary?: BatchSummary;
  readonly poison?: PoisonRecordError;
}

/**
 * Applies a Kinesis batch (one shard's records, in order) to the windows.
 *
 * A record that can never be decoded is isolated without blocking the shard or
 * re-applying good records:
 *
 *   [ok ok ok P ok ok]  apply the 3 before P, report P as the batch item failure
 *                       → the ESM retries from P
 *   [P ok ok]           P first: nothing applied, throw → the ESM bisects
 *   [P] [ok ok]         halves; [ok ok] succeeds, [P] alone exhausts its
 *                       retries and goes to the DLQ by itself
 *
 * Nothing is written before every earlier record decoded. A failed storage
 * write throws: the whole batch is retried (at-least-once until idempotency lands).
 */
export async function aggregateRecords(records: readonly KinesisStreamRecord[], aggregator: WindowedAggregator, nowMs: number): Promise<AggregateOutcome> {
  const events: SourcedEvent[] = [];
  let poison: PoisonRecordError | undefined;
  for (const record of records) {
    try {
      events.push({ event: decodeEnvelope(record.kinesis.data, record.kinesis.sequenceNumber), sequenceNumber: record.kinesis.sequenceNumber });
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      poison = error;
      break;
    }
  }
  if (poison && events.length === 0) throw poison;
  if (records.length === 0) return { response: { batchItemFailures: [] }, applied: 0 };

  const summary = await aggregator.processBatch(shardIdOf(records[0]!), events, nowMs);
  return {
    response: { batchItemFailures: poison ? [{ itemIdentifier: poison.sequenceNumber }] : [] },
    applied: events.length,
    summary,
    ...(poison ? { poison } : {}),
  };
}

/** The shard a record came from: the ESM's eventID is `<shardId>:<sequenceNumber>`. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.slice(0, record.eventID.indexOf(':'));
}
