import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SequenceRange } from '../core/delivery/sequenceNumbers';
import { RecordsExpiredError } from '../core/errors';
import type { DeadLetterConsumer } from './DeadLetterConsumer';

/** What a redrive did. */
export interface RedriveReport {
  readonly messages: number;
  readonly redriven: number;
  readonly records: number;
  /** The events those records hold (KPL aggregates hold many), when the consumer's records are events. */
  readonly events?: number;
  /** Messages kept: their records left the stream. */
  readonly expired: readonly RecordsExpiredError[];
  /** Records of redriven ranges set aside in the rejected-records output (what no retry can fix), as the function does. */
  readonly rejected?: number;
  /** Messages that are not the consumer's on-failure records, kept. */
  readonly unreadable: number;
  /** What the consumer's messages are (`Kinesis on-failure records`), for naming the unreadable ones. */
  readonly messageKind?: string;
  /** Messages whose range could not be applied (the reason says why), kept for a later run. */
  readonly failed: readonly RedriveFailure[];
}

/** A DLQ message the redrive could not apply. */
export interface RedriveFailure {
  readonly messageId: string;
  readonly range: SequenceRange;
  readonly reason: string;
}

export interface RedriveOptions<P extends SequenceRange = SequenceRange, R = unknown> {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Whose DLQ it is: how its messages are read and applied (aggregatorDeadLetters, archiveDeadLetters, changesDeadLetters). */
  readonly consumer: DeadLetterConsumer<P, R>;
  /** List what would be redriven; apply and delete nothing. */
  readonly dryRun: boolean;
  readonly onProgress?: (done: number, range: SequenceRange, records: number) => void;
  readonly nowMs?: () => number;
}

/**
 * Drains a consumer's DLQ: each on-failure message names a shard and a
 * sequence range; its records are re-read from the stream and applied
 * through the consumer's own code (see its DeadLetterConsumer for why that
 * is effectively once), and the message is deleted only after that
 * succeeded. Messages whose records expired, or whose range fails to apply,
 * are kept and reported, and the redrive goes on with the rest. Safe to run
 * twice or to interrupt.
 */
export async function redriveDeadLetters<P extends SequenceRange, R>(options: RedriveOptions<P, R>): Promise<RedriveReport> {
  const now = options.nowMs ?? Date.now;
  const { consumer } = options;
  const seen = new Set<string>();
  const kept: string[] = [];
  const expired: RecordsExpiredError[] = [];
  const failed: RedriveFailure[] = [];
  let messages = 0;
  let redriven = 0;
  let records = 0;
  let events = 0;
  let unreadable = 0;
  let rejected = 0;
  for (;;) {
    const { Messages } = await options.sqs.send(new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
    const fresh = (Messages ?? []).filter((message) => !seen.has(message.MessageId!));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      messages += 1;
      const range = consumer.rangeOf(message.Body);
      if (!range) {
        unreadable += 1;
        kept.push(message.ReceiptHandle!);
        continue;
      }
      try {
        const batch = await consumer.read(range);
        records += batch.length;
        events += consumer.eventsIn?.(batch) ?? 0;
        if (!options.dryRun) {
          rejected += await consumer.apply(batch, range, now());
          await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          redriven += 1;
        } else {
          kept.push(message.ReceiptHandle!);
        }
        options.onProgress?.(messages, range, batch.length);
      } catch (error) {
        // One message that cannot be applied is reported and kept; the others still go through.
        if (error instanceof RecordsExpiredError) expired.push(error);
        else failed.push({ messageId: message.MessageId!, range: { shardId: range.shardId, first: range.first, last: range.last }, reason: (error as Error).message });
        kept.push(message.ReceiptHandle!);
      }
    }
  }
  // Kept messages (dry run, expired, unreadable) become visible again right away.
  for (const receiptHandle of kept) {
    await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  }
  return { messages, redriven, records, ...(consumer.eventsIn ? { events } : {}), rejected, expired, unreadable, messageKind: consumer.messageKind, failed };
}
