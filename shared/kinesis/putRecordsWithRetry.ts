import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

/** What happened to one entry: acknowledged by Kinesis, or not written. */
export type PutOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/** Retry policy for records Kinesis reports as failed. */
export interface PutRetryOptions {
  /**
   * Attempts per record, the first included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Base of the exponential backoff between attempts; full jitter is applied.
   * @default 50
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of one backoff.
   * @default 1000
   */
  readonly maxDelayMs?: number;
  /** Injectable sleep, for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** PutRecords limits: 500 records and 5 MiB (data + partition keys) per call. */
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;

/** Errors of a whole PutRecords call worth retrying: throttling and server faults. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailure',
  'ServiceUnavailable',
  'KMSThrottlingException',
  'TimeoutError',
]);

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes entries to a stream, retrying only the records PutRecords reports as
 * failed, with exponential backoff and full jitter. Returns one outcome per
 * entry, in input order: an entry is `ok` only once Kinesis acknowledged it.
 */
export async function putRecordsWithRetry(
  client: KinesisClient,
  streamName: string,
  entries: readonly PutRecordsRequestEntry[],
  options: PutRetryOptions = {},
): Promise<PutOutcome[]> {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;

  const outcomes: (PutOutcome | undefined)[] = new Array(entries.length).fill(undefined);
  let pending = entries.map((_, index) => index);

  for (let attempt = 1; pending.length > 0; attempt++) {
    const failedThisAttempt: number[] = [];
    for (const chunk of chunkByLimits(pending, entries)) {
      const failed = await putChunk(client, streamName, chunk, entries, outcomes);
      failedThisAttempt.push(...failed);
    }
    pending = failedThisAttempt;
    if (pending.length === 0 || attempt >= maxAttempts) break;
    await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
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
    const retryable = RETRYABLE_CALL_ERRORS.has(name) || (error as { $retryable?: unknown }).$retryable !== undefined;
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
