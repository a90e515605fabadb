import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { SequenceRange } from '../core/delivery/sequenceNumbers';
import type { WindowedAggregator } from '../core/aggregator/WindowedAggregator';
import type { RejectedRecordSink } from '../core/ports/LateEventSink';
import { aggregateRecords } from '../adapters/kinesis/aggregateRecords';
import { decodeRecords } from '../adapters/kinesis/decodeRecords';
import { readRecordRange } from '../adapters/kinesis/readRecordRange';
import type { DeadLetterConsumer } from './DeadLetterConsumer';
import { kinesisRangeOf } from './kinesisRangeOf';

export interface AggregatorDeadLetterOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly aggregator: WindowedAggregator;
  readonly rejects: RejectedRecordSink;
}

/**
 * The aggregator's DLQ: Kinesis ranges re-read from the stream and applied in
 * redrive mode, where each window takes only the records its marks lack — a
 * range applied before it failed, or redriven twice, counts nothing again.
 */
export function aggregatorDeadLetters(options: AggregatorDeadLetterOptions): DeadLetterConsumer<SequenceRange, KinesisStreamRecord> {
  return {
    messageKind: 'Kinesis on-failure records',
    rangeOf: kinesisRangeOf,
    read: (range) => readRecordRange(options.kinesis, options.streamName, range),
    apply: async (records, range, nowMs) => (await aggregateRecords(records, options.aggregator, options.rejects, nowMs, { kind: 'redrive', range })).rejected.length,
    eventsIn: (records) => decodeRecords(records).events.length,
  };
}
