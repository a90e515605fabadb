import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { RETRY_POLICY, isTransientError, retriesSpent } from '../../core/retry/retryPolicy';
import { SYSTEM_CLOCK, RetrySchedule, type RetryClock } from '../../core/retry/RetrySchedule';
import { retryStats } from '../aws/RetryStats';

/** What happened to one entry: acknowledged by Kinesis, or not written. */
export type PutOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/**
 * How records Kinesis reports as failed are retried: the retry policy's
 * backoff and time budget (core/retry/retryPolicy.ts), with fewer attempts,
 * because a producer waits for the answer and re-sends what is reported failed.
 */
export interface PutRetryOptions {
  /**
   * Attempts per record, the first included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Base of the exponential backoff between attempts; full jitter is applied.
   * @default RETRY_POLICY.baseDelayMs (50)
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of one backoff.
   * @default RETRY_POLICY.maxDelayMs (2000)
   */
  readonly maxDelayMs?: number;
  /** Injectable sleep, for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injectable time and jitter, for tests. */
  readonly clock?: RetryClock;
}

/** PutRecords limits: 500 records and 5 MiB (data + partition keys) per call. */
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes entries to a stream, retrying only the records PutRecords reports as
 * failed, with the policy's backoff (full jitter) and time budget. A call that
 * fails as a whole was already retried by a client that follows the policy
 * (`createKinesisClient`); it is sent again here only when it is transient and
 * the client did not retry it. Returns one outcome per entry, in input order:
 * an entry is `ok` only once Kinesis acknowledged it.
 */
export async function putRecordsWithRetry(
  client: KinesisClient,
  streamName: string,
  entries: readonly PutRecordsRequestEntry[],
  options: PutRetryOptions = {},
): Promise<PutOutcome[]> {
  const schedule = new RetrySchedule(
    {
      ...RETRY_POLICY,
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? RETRY_POLICY.maxDelayMs,
    },
    options.clock ?? SYSTEM_CLOCK,
  );
  const sleep = options.sleep ?? defaultSleep;

  const outcomes: (PutOutcome | undefined)[] = new Array(entries.length).fill(undefined);
  let pending = entries.map((_, index) => index);

  while (pending.length > 0) {
    const failedThisAttempt: number[] = [];
    for (const chunk of chunkByLimits(pending, entries)) {
      const failed = await putChunk(client, streamName, chunk, entries, outcomes);
      failedThisAttempt.push(...failed);
    }
    pending = failedThisAttempt;
    if (pending.length === 0) break;
    const delayMs = schedule.nextDelayMs();
    if (delayMs === undefined) break;
    retryStats.record({ what: `PutRecords ${streamName}`, reason: `${pending.length} failed`, attempt: schedule.attempts, delayMs });
    await sleep(delayMs);
  }
  return outcomes.map((outcome) => outcome ?? { ok: false, errorCode: 'Unknown', errorMessage: 'not attempted' });
}

/** Sends one chunk; records outcomes and returns the indexes worth retrying. */
async function putChunk(
  client: KinesisClient,
  streamName: string,
  chunk: readonly number[],
  entries: readonly PutRecordsRequestEntry[],
  outcomes: (PutOutcome | undefined)[],
): Promise<number[]> {
  try {
    const response = await client.send(
      new PutRecordsCommand({ StreamName: streamName, Records: chunk.map((index) => entries[index]!) }),
    );
    const records = response.Records ?? [];
    const retry: number[] = [];
    chunk.forEach((entryIndex, position) => {
      const record = records[position];
      if (record?.SequenceNumber && record.ShardId && !record.ErrorCode) {
        outcomes[entryIndex] = { ok: true, shardId: record.ShardId, sequenceNumber: record.SequenceNumber };
      } else {
        outcomes[entryIndex] = {
          ok: false,
          errorCode: record?.ErrorCode ?? 'MissingResult',
          errorMessage: record?.ErrorMessage ?? 'PutRecords returned no result for this record',
        };
        retry.push(entryIndex);
      }
    });
    return retry;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const retryable = isTransientError(error) && !retriesSpent(error);
    for (const entryIndex of chunk) {
      outcomes[entryIndex] = { ok: false, errorCode: name, errorMessage: (error as Error).message };
    }
    return retryable ? [...chunk] : [];
  }
}

/** Groups entry indexes into PutRecords calls that respect the record and byte limits. */
function chunkByLimits(indexes: readonly number[], entries: readonly PutRecordsRequestEntry[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const index of indexes) {
    const entry = entries[index]!;
    const bytes = (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '');
    if (current.length === MAX_RECORDS_PER_CALL || (current.length > 0 && currentBytes + bytes > MAX_BYTES_PER_CALL)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
