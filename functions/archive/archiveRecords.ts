import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeEnvelope } from '../../shared/envelope/decodeEnvelope';
import type { EventEnvelope } from '../../shared/envelope/EventEnvelope';
import { PoisonRecordError } from '../../shared/errors';
import type { DynamoEventStore } from '../../shared/storage/DynamoEventStore';

/** What one batch did. */
export interface ArchiveOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly archived: number;
  readonly poison?: PoisonRecordError;
}

/**
 * Archives a Kinesis batch into the raw events table. Writes are idempotent
 * (an event's item key is its key, time and id), so a retried or redelivered
 * batch writes the same items. A record that can never be decoded is isolated
 * as in the aggregator: the records before it are written and it is reported;
 * first in the batch, the function throws so the mapping bisects it out.
 */
export async function archiveRecords(records: readonly KinesisStreamRecord[], store: Pick<DynamoEventStore, 'putEvents'>): Promise<ArchiveOutcome> {
  const events: EventEnvelope[] = [];
  let poison: PoisonRecordError | undefined;
  for (const record of records) {
    try {
      events.push(decodeEnvelope(record.kinesis.data, record.kinesis.sequenceNumber));
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      poison = error;
      break;
    }
  }
  if (poison && events.length === 0) throw poison;
  await store.putEvents(events);
  return {
    response: { batchItemFailures: poison ? [{ itemIdentifier: poison.sequenceNumber }] : [] },
    archived: events.length,
    ...(poison ? { poison } : {}),
  };
}
