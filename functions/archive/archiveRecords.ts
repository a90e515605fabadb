import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeRecords, shardIdOf } from '../../adapters/kinesis/decodeRecords';
import { ENVELOPE_LIMITS } from '../../core/envelope/EventEnvelope';
import type { DynamoEventStore } from '../../adapters/dynamodb/DynamoEventStore';
import type { RejectedRecord, RejectedRecordSink } from '../../core/ports/LateEventSink';
import type { SourcedEvent } from '../../core/windowing/placeEvents';

/** What one batch did. */
export interface ArchiveOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly archived: number;
  /** Records that can never be archived, now in the rejected-records output. */
  readonly rejected: readonly RejectedRecord[];
}

/**
 * Archives a Kinesis batch into the raw events table, each event as the JSON
 * text of its record: a row under its key, and in its record's page of its
 * type. Writes are idempotent (a row's key is the event's key, time and id, a
 * page's its record, type and second), so a retried or redelivered batch
 * writes the same items.
 *
 * Failures are classified. Permanent ones go to the rejected-records output,
 * as in the aggregator, and the shard moves on, since no retry can fix them: a
 * record that is not an event envelope, an event larger than the store holds
 * (only a producer writing to the stream directly can make one: the API
 * refuses them), and an item DynamoDB refuses as invalid. Storage failures
 * throw, never swallowed: the ESM retries them.
 */
export async function archiveRecords(records: readonly KinesisStreamRecord[], store: Pick<DynamoEventStore, 'putEvents'>, rejects: RejectedRecordSink, nowMs: number): Promise<ArchiveOutcome> {
  const decoded = decodeRecords(records);
  const rejected = [...decoded.rejected];
  const storable: SourcedEvent[] = [];
  for (const sourced of decoded.events) {
    const bytes = Buffer.byteLength(sourced.json ?? JSON.stringify(sourced.event));
    if (bytes <= ENVELOPE_LIMITS.maxEventBytes) storable.push(sourced);
    else rejected.push(rejectionOf(records, sourced, `event is ${bytes} bytes; the raw events store holds events of at most ${ENVELOPE_LIMITS.maxEventBytes} bytes`));
  }
  const refused = await store.putEvents(
    storable.map((sourced) => sourced.event),
    storable.map((sourced) => sourced.json),
    // The record's sequence number names its type pages: a redelivered record rewrites the same pages.
    storable.map((sourced) => sourced.sequenceNumber),
  );
  for (const { index, reason } of refused) rejected.push(rejectionOf(records, storable[index]!, reason));
  // After the events: a refused event is only known once the store has answered.
  if (rejected.length > 0) await rejects.reject(rejected, nowMs);
  return { response: { batchItemFailures: [] }, archived: storable.length - refused.length, rejected };
}

/**
 * The rejected-output entry of one event. Several events share a record when
 * it is a KPL aggregate (issue 15): the entry then names the user record by
 * its index and keeps that user record's data, not the whole aggregate's.
 */
function rejectionOf(records: readonly KinesisStreamRecord[], sourced: SourcedEvent, reason: string): RejectedRecord {
  const record = records.find((candidate) => candidate.kinesis.sequenceNumber === sourced.sequenceNumber)!;
  const common = { shardId: shardIdOf(record), sequenceNumber: sourced.sequenceNumber, arrivedAtMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000) };
  if (sourced.subSequence === undefined) return { ...common, reason: `Record ${sourced.sequenceNumber} cannot be archived: ${reason}`, dataBase64: record.kinesis.data };
  return {
    ...common,
    subSequence: sourced.subSequence,
    reason: `Record ${sourced.sequenceNumber} sub-record ${sourced.subSequence} cannot be archived: ${reason}`,
    dataBase64: Buffer.from(sourced.json ?? JSON.stringify(sourced.event), 'utf8').toString('base64'),
  };
}
