import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeRecords } from '../../shared/envelope/decodeRecords';
import type { DynamoEventStore } from '../../shared/storage/DynamoEventStore';
import type { RejectedRecord, RejectedRecordSink } from '../../shared/storage/LateEventSink';

/** What one batch did. */
export interface ArchiveOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly archived: number;
  /** Records that can never be processed, now in the rejected-records output. */
  readonly rejected: readonly RejectedRecord[];
}

/**
 * Archives a Kinesis batch into the raw events table. Writes are idempotent
 * (an event's item key is its key, time and id), so a retried or redelivered
 * batch writes the same items. A record that is not an event envelope goes to
 * the rejected-records output, as in the aggregator, and the shard moves on:
 * no retry can fix it. Storage failures throw, never swallowed.
 */
export async function archiveRecords(records: readonly KinesisStreamRecord[], store: Pick<DynamoEventStore, 'putEvents'>, rejects: RejectedRecordSink, nowMs: number): Promise<ArchiveOutcome> {
  const { events, rejected } = decodeRecords(records);
  if (rejected.length > 0) await rejects.reject(rejected, nowMs);
  await store.putEvents(events.map((sourced) => sourced.event));
  return { response: { batchItemFailures: [] }, archived: events.length, rejected };
}
