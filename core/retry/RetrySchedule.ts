import { RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retryPolicy';

/** Time and chance, injectable so tests can pin the waits and the budget. */
export interface RetryClock {
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export const SYSTEM_CLOCK: RetryClock = { now: () => Date.now(), random: () => Math.random() };

/**
 * The retry policy applied to one call: counts its attempts from the moment
 * it is created and says how long to wait before the next one, or that the
 * call is out of attempts or out of time. Whether an error deserves a retry
 * at all is `isTransientError`'s question, asked before this one.
 */
export class RetrySchedule {
  private retries = 0;
  private readonly startedAtMs: number;

  public constructor(
    private readonly policy: RetryPolicy = RETRY_POLICY,
    private readonly clock: RetryClock = SYSTEM_CLOCK,
  ) {
    this.startedAtMs = clock.now();
  }

  /** Attempts made or under way, the first included. */
  public get attempts(): number {
    return this.retries + 1;
  }

  /** Time since the first attempt began. */
  public get elapsedMs(): number {
    return this.clock.now() - this.startedAtMs;
  }

  /**
   * Books the next attempt and returns the wait before it; undefined when the
   * call has made its last attempt or the wait would end past the time budget.
   */
  public nextDelayMs(): number | undefined {
    if (this.attempts >= this.policy.maxAttempts) return undefined;
    const delayMs = retryDelayMs(this.retries + 1, this.policy, () => this.clock.random());
    if (this.elapsedMs + delayMs > this.policy.budgetMs) return undefined;
    this.retries += 1;
    return delayMs;
  }
}
