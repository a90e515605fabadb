import type { KinesisStreamRecord } from 'aws-lambda';
import { PoisonRecordError } from '../../core/errors';
import type { RejectedRecord } from '../../core/ports/LateEventSink';
import type { SourcedEvent } from '../../core/windowing/placeEvents';
import { decodeEnvelopeJson } from '../../core/envelope/decodeEnvelope';

/**
 * A batch's records split into the events they carry and the records that can
 * never be processed (not an event envelope), with their payload and the
 * reason, for the rejected-records output. Anything else throws.
 */
export function decodeRecords(records: readonly KinesisStreamRecord[]): { events: SourcedEvent[]; rejected: RejectedRecord[] } {
  const events: SourcedEvent[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of records) {
    try {
      const { event, json } = decodeEnvelopeJson(record.kinesis.data, record.kinesis.sequenceNumber);
      events.push({ event, json, sequenceNumber: record.kinesis.sequenceNumber, arrivedAtMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000) });
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      rejected.push({
        shardId: shardIdOf(record),
        sequenceNumber: record.kinesis.sequenceNumber,
        reason: error.message,
        dataBase64: record.kinesis.data,
        arrivedAtMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
      });
    }
  }
  return { events, rejected };
}

/** The shard a record came from: the ESM's eventID is `<shardId>:<sequenceNumber>`. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.slice(0, record.eventID.indexOf(':'));
}
