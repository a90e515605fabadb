import { randomUUID } from 'node:crypto';
import type { EsmSettings } from './EsmSettings';
import type { StreamRecord } from './StreamRecord';

/** Where the batch description goes in the record: Kinesis or DynamoDB Streams. */
export type BatchInfoKey = 'KinesisBatchInfo' | 'DDBStreamBatchInfo';

/** Why a batch was discarded, in the words Lambda uses in `requestContext.condition`. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The invocation record Lambda sends to an SQS/SNS on-failure destination for a
 * Kinesis (or DynamoDB Streams) batch. It points at the records (shard and sequence range) but does
 * not contain them: a redrive re-reads them from the stream.
 */
export function buildOnFailureRecord(
  records: readonly StreamRecord[],
  settings: EsmSettings,
  condition: DiscardCondition,
  approximateInvokeCount: number,
  functionError: string | undefined,
  nowMs: number,
  batchInfoKey: BatchInfoKey = 'KinesisBatchInfo',
): Record<string, unknown> {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  return {
    requestContext: { requestId: randomUUID(), functionArn: settings.functionArn, condition, approximateInvokeCount },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(functionError ? { functionError } : {}),
    },
    version: '1.0',
    timestamp: new Date(nowMs).toISOString(),
    [batchInfoKey]: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: settings.streamArn,
    },
  };
}
