import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeRecords, shardIdOf } from './decodeRecords';
import { isValidationError } from '../aws/isValidationError';
import { WindowItemTooLargeError } from '../../core/errors';
import type { RejectedRecord, RejectedRecordSink } from '../../core/ports/LateEventSink';
import type { BatchMode, BatchSummary, WindowedAggregator } from '../../core/aggregator/WindowedAggregator';

/** What one batch did, for logs and tests. */
export interface AggregateOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly applied: number;
  readonly summary?: BatchSummary;
  /** Records that can never be processed, now in the rejected-records output. */
  readonly rejected: readonly RejectedRecord[];
}

/**
 * Applies a Kinesis batch (one shard's records, in order) to the windows.
 *
 * Errors are classified. Permanent ones — a record that is not an event
 * envelope — go to the rejected-records output with their payload and the
 * reason, and the shard moves on: no retry can fix them, and blocking the
 * shard on them would delay every event behind. Transient ones (throttling,
 * timeouts, lost races beyond the retry budget) throw: the ESM retries with
 * bisection and finally sends the range to the DLQ, and the windows' marks make
 * every retry, half and redrive apply each event exactly once. A write DynamoDB
 * refuses as invalid is permanent too, once bisection has isolated its record.
 */
export async function aggregateRecords(
  records: readonly KinesisStreamRecord[],
  aggregator: WindowedAggregator,
  rejects: RejectedRecordSink,
  nowMs: number,
  mode?: BatchMode,
): Promise<AggregateOutcome> {
  if (records.length === 0) return { response: { batchItemFailures: [] }, applied: 0, rejected: [] };
  const shardId = shardIdOf(records[0]!);
  const { events, rejected } = decodeRecords(records);
  if (rejected.length > 0) await rejects.reject(rejected, nowMs);
  const range = { shardId, first: records[0]!.kinesis.sequenceNumber, last: records[records.length - 1]!.kinesis.sequenceNumber };
  try {
    const summary = await aggregator.processBatch(shardId, events, nowMs, mode ?? { kind: 'live', range });
    return { response: { batchItemFailures: [] }, applied: events.length, summary, rejected };
  } catch (error) {
    // DynamoDB refused a write as invalid: the same batch fails the same way on every retry.
    // Thrown while the batch holds several records, so the ESM bisects down to the
    // one that causes it; alone, it goes to the rejected output and the shard moves on.
    // A KPL aggregated record is as far as bisection goes: its user records go to the
    // rejected output one by one, each naming the aggregate and its index.
    if (!isValidationError(error) || records.length !== 1 || events.length === 0) throw error;
    const record = records[0]!;
    const arrivedAtMs = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
    // A window too large even compacted is refused before DynamoDB would refuse it: say which window and how large.
    const because = error instanceof WindowItemTooLargeError ? `a window it belongs to cannot grow (${error.message})` : `DynamoDB refused a write for it (${(error as Error).message})`;
    const refused: RejectedRecord[] = events.map((sourced) =>
      sourced.subSequence === undefined
        ? { shardId, sequenceNumber: sourced.sequenceNumber, reason: `Record ${sourced.sequenceNumber} cannot be aggregated: ${because}`, dataBase64: record.kinesis.data, arrivedAtMs }
        : {
            shardId,
            sequenceNumber: sourced.sequenceNumber,
            subSequence: sourced.subSequence,
            reason: `Record ${sourced.sequenceNumber} sub-record ${sourced.subSequence} cannot be aggregated: ${because} for its KPL aggregate, which no retry can split`,
            dataBase64: Buffer.from(sourced.json ?? JSON.stringify(sourced.event), 'utf8').toString('base64'),
            arrivedAtMs,
          },
    );
    await rejects.reject(refused, nowMs);
    return { response: { batchItemFailures: [] }, applied: 0, rejected: [...rejected, ...refused] };
  }
}
