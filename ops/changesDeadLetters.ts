import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { readChangeRange, type ChangeRange } from '../adapters/dynamodb/readChangeRange';
import type { ChangePublisher } from '../functions/changes/createChangePublisher';
import type { DeadLetterConsumer } from './DeadLetterConsumer';

export interface ChangesDeadLetterOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly publisher: ChangePublisher;
  /**
   * How long a change another invocation holds (INPROGRESS) is waited for;
   * also how long a lock this redrive leaves by crashing lasts.
   * @default 60_000
   */
  readonly lockWaitMs?: number;
}

/**
 * The change publisher's DLQ: DynamoDB Streams ranges of the aggregates
 * table (DDBStreamBatchInfo, with the stream's ARN), re-read and published
 * record by record through the function's own publisher. Its idempotency
 * records are keyed on each change's sequence number and kept as long as the
 * stream keeps the change, so a change published before the failure, or
 * redriven twice, is not sent again.
 */
export function changesDeadLetters(options: ChangesDeadLetterOptions): DeadLetterConsumer<ChangeRange, DynamoDBRecord> {
  const lockWaitMs = options.lockWaitMs ?? 60_000;
  return {
    messageKind: 'DynamoDB Streams on-failure records',
    rangeOf: changeRangeOf,
    read: (range) => readChangeRange(options.streams, range),
    apply: async (records, _range, nowMs) => {
      let rejected = 0;
      for (const record of records) {
        // A deadline of our own per record, as each invocation has: a lock waited out must expire within it.
        const deadlineMs = Date.now() + lockWaitMs;
        const remainingMs = () => deadlineMs - Date.now();
        options.publisher.registerContext({ getRemainingTimeInMillis: remainingMs });
        if ((await options.publisher.publishRecord(record, remainingMs, nowMs)) === 'rejected') rejected += 1;
      }
      return rejected;
    },
  };
}

/** The range a DynamoDB Streams mapping's on-failure message (DDBStreamBatchInfo) points at, or undefined when it is something else. */
export function changeRangeOf(body: string | undefined): ChangeRange | undefined {
  try {
    const info = (JSON.parse(body ?? '') as { DDBStreamBatchInfo?: { shardId?: unknown; startSequenceNumber?: unknown; endSequenceNumber?: unknown; streamArn?: unknown } }).DDBStreamBatchInfo;
    if (!info || typeof info.shardId !== 'string' || typeof info.startSequenceNumber !== 'string' || typeof info.endSequenceNumber !== 'string' || typeof info.streamArn !== 'string') return undefined;
    return { shardId: info.shardId, first: info.startSequenceNumber, last: info.endSequenceNumber, streamArn: info.streamArn };
  } catch {
    return undefined;
  }
}
