import type { KinesisStreamRecord } from 'aws-lambda';
import { AggregatedRecordFormatError, PoisonRecordError } from '../../core/errors';
import type { RejectedRecord } from '../../core/ports/LateEventSink';
import type { SourcedEvent } from '../../core/windowing/placeEvents';
import { decodeEnvelopeJson, decodeEnvelopeText } from '../../core/envelope/decodeEnvelope';
import { decodeAggregatedRecord } from './kpl/decodeAggregatedRecord';
import type { UserRecord } from './kpl/UserRecord';
import { KPL_FORMAT } from './kpl/KPL_FORMAT';

/** The base64 text of the magic's first three bytes: every aggregated record's data starts with it. */
const KPL_BASE64_PREFIX = KPL_FORMAT.magic.subarray(0, 3).toString('base64');

/**
 * A batch's records split into the events they carry and the records that can
 * never be processed (not an event envelope), with their payload and the
 * reason, for the rejected-records output. Anything else throws.
 *
 * Every record is deaggregated first (issue 15): a KPL aggregated record, from
 * our ingest or any KPL-format producer, yields one event per user record,
 * numbered by its index (`subSequence`). A user record that is not an event
 * envelope is rejected alone, named by the aggregate's sequence number and its
 * index; its siblings are applied. An aggregate whose checksum matches but
 * whose protobuf is broken is rejected whole: none of its user records can be
 * read.
 */
export function decodeRecords(records: readonly KinesisStreamRecord[]): { events: SourcedEvent[]; rejected: RejectedRecord[] } {
  const events: SourcedEvent[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of records) {
    const { sequenceNumber } = record.kinesis;
    const arrivedAtMs = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
    const reject = (reason: string, dataBase64: string, subSequence?: number): void => {
      rejected.push({ shardId: shardIdOf(record), sequenceNumber, ...(subSequence === undefined ? {} : { subSequence }), reason, dataBase64, arrivedAtMs });
    };
    let userRecords: UserRecord[] | undefined;
    try {
      // Only a record whose base64 starts as the magic's does (F3 89 9A → "84ma") is decoded twice: JSON starts "ey".
      userRecords = record.kinesis.data.startsWith(KPL_BASE64_PREFIX) ? decodeAggregatedRecord(Buffer.from(record.kinesis.data, 'base64')) : undefined;
    } catch (error) {
      if (!(error instanceof AggregatedRecordFormatError)) throw error;
      reject(`Record ${sequenceNumber} cannot be processed: ${error.message}`, record.kinesis.data);
      continue;
    }
    if (userRecords === undefined) {
      try {
        const { event, json } = decodeEnvelopeJson(record.kinesis.data, sequenceNumber);
        events.push({ event, json, sequenceNumber, arrivedAtMs });
      } catch (error) {
        if (!(error instanceof PoisonRecordError)) throw error;
        reject(error.message, record.kinesis.data);
      }
      continue;
    }
    userRecords.forEach((user, subSequence) => {
      const data = Buffer.from(user.data.buffer, user.data.byteOffset, user.data.byteLength);
      try {
        const { event, json } = decodeEnvelopeText(data.toString('utf8'), sequenceNumber, subSequence);
        events.push({ event, json, sequenceNumber, subSequence, arrivedAtMs });
      } catch (error) {
        if (!(error instanceof PoisonRecordError)) throw error;
        reject(error.message, data.toString('base64'), subSequence);
      }
    });
  }
  return { events, rejected };
}

/** The shard a record came from: the ESM's eventID is `<shardId>:<sequenceNumber>`. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.slice(0, record.eventID.indexOf(':'));
}
