import { RetriesExhaustedError } from '../../core/errors';
import { RETRY_POLICY, isTransientError, markRetriesSpent, retriesSpent, type RetryPolicy } from '../../core/retry/retryPolicy';
import { SYSTEM_CLOCK, RetrySchedule, type RetryClock } from '../../core/retry/RetrySchedule';
import { retryStats, type RetryStats } from './RetryStats';

/** What `withRetries` retries, and how its waits and counts are observed. */
export interface WithRetriesOptions<T> {
  /** Names the operation in the retry log and in errors: "BatchGetItem AggregatesTable". */
  readonly what: string;
  /**
   * For answers that can leave part of the work undone (BatchGetItem's
   * UnprocessedKeys, BatchWriteItem's UnprocessedItems): how much this one
   * left. More than 0 runs the operation again, which sends only the rest.
   * @default every answer is complete
   */
  readonly leftOver?: (result: T) => number;
  /** @default RETRY_POLICY */
  readonly policy?: RetryPolicy;
  readonly clock?: RetryClock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly stats?: RetryStats;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation` under the retry policy: again after a transient error
 * (unless a client that follows the policy already spent its retries on it),
 * or while its answer leaves work undone; never after a permanent error,
 * which is rethrown at once. Out of attempts or time, it rethrows the last
 * error, or throws `RetriesExhaustedError` when work is still left.
 *
 * @example
 * let keys = requested;
 * await withRetries(async () => {
 *   const page = await client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
 *   keys = page.UnprocessedKeys?.[table]?.Keys ?? [];
 *   return keys.length;
 * }, { what: `BatchGetItem ${table}`, leftOver: (left) => left });
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: WithRetriesOptions<T>): Promise<T> {
  const schedule = new RetrySchedule(options.policy ?? RETRY_POLICY, options.clock ?? SYSTEM_CLOCK);
  const sleep = options.sleep ?? defaultSleep;
  const stats = options.stats ?? retryStats;
  for (;;) {
    let failure: { readonly error: unknown } | { readonly left: number };
    try {
      const result = await operation(schedule.attempts);
      const left = options.leftOver?.(result) ?? 0;
      if (left <= 0) return result;
      failure = { left };
    } catch (error) {
      if (!isTransientError(error) || retriesSpent(error)) throw error;
      failure = { error };
    }
    const delayMs = schedule.nextDelayMs();
    if (delayMs === undefined) {
      if ('left' in failure) throw new RetriesExhaustedError(options.what, schedule.attempts, failure.left, schedule.elapsedMs);
      markRetriesSpent(failure.error);
      throw failure.error;
    }
    const reason = 'left' in failure ? `${failure.left} unprocessed` : (failure.error as Error).name;
    stats.record({ what: options.what, reason, attempt: schedule.attempts, delayMs });
    await sleep(delayMs);
  }
}
