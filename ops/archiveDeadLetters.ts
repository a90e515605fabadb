import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { SequenceRange } from '../core/delivery/sequenceNumbers';
import type { RejectedRecordSink } from '../core/ports/LateEventSink';
import type { DynamoEventStore } from '../adapters/dynamodb/DynamoEventStore';
import { decodeRecords } from '../adapters/kinesis/decodeRecords';
import { readRecordRange } from '../adapters/kinesis/readRecordRange';
import { archiveRecords } from '../functions/archive/archiveRecords';
import type { DeadLetterConsumer } from './DeadLetterConsumer';
import { kinesisRangeOf } from './kinesisRangeOf';

export interface ArchiveDeadLetterOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly store: Pick<DynamoEventStore, 'putEvents'>;
  readonly rejects: RejectedRecordSink;
}

/**
 * The archiver's DLQ: Kinesis ranges re-read from the stream and archived by
 * the function's own archiveRecords. Its writes are puts keyed on each event's
 * key, time and id, so an event archived before the failure, or redriven
 * twice, is written again as the same item: nothing is stored twice.
 */
export function archiveDeadLetters(options: ArchiveDeadLetterOptions): DeadLetterConsumer<SequenceRange, KinesisStreamRecord> {
  return {
    messageKind: 'Kinesis on-failure records',
    rangeOf: kinesisRangeOf,
    read: (range) => readRecordRange(options.kinesis, options.streamName, range),
    apply: async (records, _range, nowMs) => (await archiveRecords(records, options.store, options.rejects, nowMs)).rejected.length,
    eventsIn: (records) => decodeRecords(records).events.length,
  };
}
