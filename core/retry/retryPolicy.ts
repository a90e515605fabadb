/**
 * Tributary's one retry policy for AWS requests, stated here and applied
 * everywhere: by the SDK clients (`PolicyRetryStrategy`, installed by
 * `createDynamoDbClient`, `createKinesisClient` and the change publisher's SNS
 * client) and by the loops that retry what a successful answer left undone
 * (`withRetries`: UnprocessedKeys/UnprocessedItems; `putRecordsWithRetry`:
 * the records PutRecords failed).
 *
 * What is retried (transient: the same request can succeed a moment later):
 * - throttling: ProvisionedThroughputExceededException, ThrottlingException,
 *   RequestLimitExceeded, TooManyRequestsException, KMSThrottlingException,
 *   LimitExceededException (matched by exact name: Kinesis answers it for
 *   control-plane rates such as ListShards; DynamoDB only for control-plane
 *   operations the functions never call; ItemCollectionSizeLimitExceeded is
 *   another name and permanent);
 * - conflicts with a transaction in flight: TransactionConflictException, and a
 *   TransactionCanceledException whose only reasons are conflicts or throttling;
 * - server faults: any 5xx (InternalServerError, InternalFailure,
 *   ServiceUnavailable) and 429;
 * - the network: ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT, ECONNABORTED,
 *   EAI_AGAIN, "socket hang up", TimeoutError (the request timed out). The
 *   request may have landed: every write Tributary sends is idempotent or
 *   conditional, and `recognizeLandedPut` tells a conditional put that finds
 *   its own item apart from a lost race.
 *
 * What is never retried here (permanent, or the caller's logic):
 * ConditionalCheckFailedException (a lost race: the caller re-reads),
 * ValidationException, ResourceNotFoundException, SerializationException,
 * AccessDenied, ExpiredIteratorException, any other 4xx, and every error that
 * is not an AWS or network error.
 *
 * How: at most 8 attempts per call, the first included; before retry n a wait
 * drawn uniformly from [0, min(2 s, 50 ms × 2^(n−1))) (full jitter, so
 * throttled callers spread out instead of retrying in step); and no wait that
 * would end more than 10 s after the call began. Expected total wait at the
 * cap ≈ 2.6 s, at most ≈ 5.2 s; a call gives up well inside any Lambda
 * timeout (the stream consumers have 60 s, the API 29 s), so a fault that
 * outlasts it fails the invocation and the event source mapping takes over.
 *
 * Retries never multiply: an error the policy gave up on is marked
 * (`markRetriesSpent`), and an outer loop that follows the policy too
 * (`withRetries` around a client that has it) passes it on instead of
 * retrying it again.
 *
 * The policy does not read AWS_MAX_ATTEMPTS or AWS_RETRY_MODE: clients built
 * with it replace the SDK's retry strategy, so the chaos run can switch the
 * SDK's own retries off without switching ours off.
 */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** Cap of the first retry's wait; doubles per retry. */
  readonly baseDelayMs: number;
  /** Upper bound of one wait. */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the call's first attempt. */
  readonly budgetMs: number;
}

/** The policy every Tributary AWS request follows (see the file's TSDoc). */
export const RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000, budgetMs: 10_000 } as const;

/**
 * The policy of every lost write race, applied by `retryOnConflict`. A lost
 * race is not an AWS fault: a conditional write (a window, a session group, a
 * late count, the pipeline watermark) found that another shard's consumer
 * wrote the item since it was read, so the caller re-reads, merges again and
 * writes again. At most 12 attempts, the first included; before retry n a
 * wait drawn uniformly from [0, min(1 s, 10 ms × 2^(n−1))) (full jitter, so
 * consumers colliding on a hot window spread out instead of colliding again);
 * no time budget of its own (the 11 waits total ≈ 2.6 s on average, at most
 * ≈ 5.3 s). Its waits start shorter than RETRY_POLICY's: a race is settled as
 * soon as the winner's write lands, not when a throttle lifts. Out of attempts,
 * the caller throws `WriteConflictsExhaustedError` and the batch is retried.
 * The aggregator's `maxWriteAttempts` and `retryBaseMs` override the first two.
 */
export const WRITE_RACE_POLICY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 1_000, budgetMs: Number.POSITIVE_INFINITY } as const;

/** Errors the policy names as permanent, whatever else they carry. */
const PERMANENT_NAMES = new Set([
  'ConditionalCheckFailedException',
  'ValidationException',
  'ResourceNotFoundException',
  'SerializationException',
  'AccessDeniedException',
  'ItemCollectionSizeLimitExceededException',
  'ExpiredIteratorException',
  'InvalidArgumentException',
]);

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'KMSThrottlingException',
  'LimitExceededException',
  'TransactionConflictException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

/** Cancellation reasons of a transaction that a retry can clear ('None' marks the items that were fine). */
const TRANSIENT_CANCELLATIONS = new Set(['None', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** True when the policy retries this error (see the file's TSDoc for the lists). */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { name } = error;
  if (PERMANENT_NAMES.has(name)) return false;
  if (name === 'TransactionCanceledException') {
    const codes = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    return codes.some((code) => code !== 'None') && codes.every((code) => TRANSIENT_CANCELLATIONS.has(code));
  }
  if (TRANSIENT_NAMES.has(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || error.message.includes('socket hang up');
}

/**
 * The wait before retry `retry` (1 for the first retry): full jitter over an
 * exponentially growing, capped window. `random` is in [0, 1).
 */
export function retryDelayMs(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = RETRY_POLICY, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

const RETRIES_SPENT = Symbol('tributary.retriesSpent');

/** Marks an error the policy stopped retrying (out of attempts or time), so that no outer loop retries it again. */
export function markRetriesSpent(error: unknown): void {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) Object.defineProperty(error, RETRIES_SPENT, { value: true });
}

/** True for an error the policy already retried as far as it allows. */
export function retriesSpent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [RETRIES_SPENT]?: boolean })[RETRIES_SPENT] === true;
}
