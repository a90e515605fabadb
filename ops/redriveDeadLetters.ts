import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SequenceRange } from '../core/delivery/sequenceNumbers';
import { RecordsExpiredError } from '../core/errors';
import type { RejectedRecordSink } from '../core/ports/LateEventSink';
import type { WindowedAggregator } from '../core/aggregator/WindowedAggregator';
import { aggregateRecords } from '../adapters/kinesis/aggregateRecords';
import { readRecordRange } from '../adapters/kinesis/readRecordRange';

/** What a redrive did. */
export interface RedriveReport {
  readonly messages: number;
  readonly redriven: number;
  readonly records: number;
  /** Messages kept: their records left the stream. */
  readonly expired: readonly RecordsExpiredError[];
  /** Messages that are not Kinesis on-failure records, kept. */
  readonly unreadable: number;
  /** Messages whose range could not be applied (the reason says why), kept for a later run. */
  readonly failed: readonly RedriveFailure[];
}

/** A DLQ message the redrive could not apply. */
export interface RedriveFailure {
  readonly messageId: string;
  readonly range: SequenceRange;
  readonly reason: string;
}

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly queueUrl: string;
  readonly streamName: string;
  readonly aggregator: WindowedAggregator;
  readonly rejects: RejectedRecordSink;
  /** List what would be redriven; apply and delete nothing. */
  readonly dryRun: boolean;
  readonly onProgress?: (done: number, range: SequenceRange, records: number) => void;
  readonly nowMs?: () => number;
}

/**
 * Drains the aggregator's DLQ: each on-failure message names a shard and a
 * sequence range; its records are re-read from the stream and applied through
 * the aggregation path in redrive mode (exactly what each window lacks), and
 * the message is deleted only after that succeeded. Messages whose records
 * expired, or whose range fails to apply, are kept and reported, and the
 * redrive goes on with the rest. Safe to run twice or to interrupt: a range
 * already redriven is skipped by the windows' marks.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveReport> {
  const now = options.nowMs ?? Date.now;
  const seen = new Set<string>();
  const kept: string[] = [];
  const expired: RecordsExpiredError[] = [];
  const failed: RedriveFailure[] = [];
  let messages = 0;
  let redriven = 0;
  let records = 0;
  let unreadable = 0;
  for (;;) {
    const { Messages } = await options.sqs.send(new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
    const fresh = (Messages ?? []).filter((message) => !seen.has(message.MessageId!));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      messages += 1;
      const range = rangeOf(message.Body);
      if (!range) {
        unreadable += 1;
        kept.push(message.ReceiptHandle!);
        continue;
      }
      try {
        const batch = await readRecordRange(options.kinesis, options.streamName, range);
        records += batch.length;
        if (!options.dryRun) {
          await aggregateRecords(batch, options.aggregator, options.rejects, now(), { kind: 'redrive', range });
          await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          redriven += 1;
        } else {
          kept.push(message.ReceiptHandle!);
        }
        options.onProgress?.(messages, range, batch.length);
      } catch (error) {
        // One message that cannot be applied is reported and kept; the others still go through.
        if (error instanceof RecordsExpiredError) expired.push(error);
        else failed.push({ messageId: message.MessageId!, range, reason: (error as Error).message });
        kept.push(message.ReceiptHandle!);
      }
    }
  }
  // Kept messages (dry run, expired, unreadable) become visible again right away.
  for (const receiptHandle of kept) {
    await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  }
  return { messages, redriven, records, expired, unreadable, failed };
}

/** The range an on-failure message points at, or undefined when it is something else. */
export function rangeOf(body: string | undefined): SequenceRange | undefined {
  try {
    const info = (JSON.parse(body ?? '') as { KinesisBatchInfo?: { shardId?: unknown; startSequenceNumber?: unknown; endSequenceNumber?: unknown } }).KinesisBatchInfo;
    if (!info || typeof info.shardId !== 'string' || typeof info.startSequenceNumber !== 'string' || typeof info.endSequenceNumber !== 'string') return undefined;
    return { shardId: info.shardId, first: info.startSequenceNumber, last: info.endSequenceNumber };
  } catch {
    return undefined;
  }
}
