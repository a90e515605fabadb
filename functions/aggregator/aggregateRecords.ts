import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { preAggregate } from '../../shared/aggregation/preAggregate';
import { decodeEnvelope } from '../../shared/envelope/decodeEnvelope';
import type { EventEnvelope } from '../../shared/envelope/EventEnvelope';
import { PoisonRecordError } from '../../shared/errors';
import type { CompiledMetric } from '../../shared/metrics/compileMetric';
import type { AggregateStore } from '../../shared/storage/AggregateStore';

/** What one batch did, for logs and tests. */
export interface AggregateOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly applied: number;
  readonly windowsWritten: number;
  readonly poison?: PoisonRecordError;
}

/**
 * Applies a Kinesis batch to the aggregates, in shard order.
 *
 * A record that can never be decoded is isolated without blocking the shard or
 * re-applying good records:
 *
 *   [ok ok ok P ok ok]  apply the 3 before P, report P as the batch item failure
 *                       → the ESM retries from P
 *   [P ok ok]           P first: nothing applied, throw → the ESM bisects
 *   [P] [ok ok]         halves; [ok ok] succeeds, [P] alone exhausts its
 *                       retries and goes to the DLQ by itself
 *
 * Nothing is written before every earlier record decoded, so a retry never
 * re-applies what a failed attempt wrote on the poison path. A failed storage
 * write throws (the whole batch is retried: at-least-once until idempotency lands).
 */
export async function aggregateRecords(
  records: readonly KinesisStreamRecord[],
  metrics: readonly CompiledMetric[],
  store: AggregateStore,
): Promise<AggregateOutcome> {
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

  const deltas = preAggregate(events, metrics);
  await store.applyDeltas(deltas);
  return {
    response: { batchItemFailures: poison ? [{ itemIdentifier: poison.sequenceNumber }] : [] },
    applied: events.length,
    windowsWritten: deltas.length,
    ...(poison ? { poison } : {}),
  };
}
