import type { DynamoDBRecord } from 'aws-lambda';
import { isTransientError } from '../../core/retry/retryPolicy';
import type { RejectedRecord } from '../../core/ports/LateEventSink';

/**
 * Whether a change that failed to publish can never publish: anything but a
 * transient AWS or network error (see retryPolicy) and Powertools'
 * idempotency errors, which mean another invocation holds or held the change
 * (it completes, or expires with that invocation's deadline) — retry those.
 * A change that cannot become a message (an item no event can describe, a
 * message SNS refuses as invalid) fails the same way on every retry.
 */
export function isPermanentChangeFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name.startsWith('Idempotency')) return false;
  return !isTransientError(error);
}

/**
 * The rejected-records entry of a change no retry can publish: the stream
 * record's change as JSON (base64), under the aggregates stream's shard, so
 * the shard moves on and the change stays inspectable with its reason.
 */
export function changeRejection(record: DynamoDBRecord, error: unknown): RejectedRecord {
  const arn = record.eventSourceARN ?? '';
  return {
    shardId: `changes:${arn.slice(arn.lastIndexOf('/') + 1) || 'stream'}`,
    sequenceNumber: record.dynamodb?.SequenceNumber ?? record.eventID ?? 'unknown',
    reason: `Change ${record.dynamodb?.SequenceNumber ?? record.eventID} cannot be published: ${(error as Error)?.message ?? String(error)}`,
    dataBase64: Buffer.from(JSON.stringify(record.dynamodb ?? {})).toString('base64'),
    arrivedAtMs: Math.round((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
  };
}
