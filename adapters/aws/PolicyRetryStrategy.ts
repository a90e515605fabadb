import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { RETRY_POLICY, isTransientError, markRetriesSpent, type RetryPolicy } from '../../core/retry/retryPolicy';
import { SYSTEM_CLOCK, RetrySchedule, type RetryClock } from '../../core/retry/RetrySchedule';
import { retryStats, type RetryStats } from './RetryStats';

/** The SDK's retry strategy interface (smithy's RetryStrategyV2), as every v3 client's `retryStrategy` accepts it. */
type RetryStrategyV2 = Extract<NonNullable<DynamoDBClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

/** One call's token: its schedule, and what the SDK's retry loop reads (retries so far, the wait before the next). */
class PolicyRetryToken implements RetryToken {
  public constructor(
    public readonly schedule: RetrySchedule,
    private readonly retryCount: number,
    private readonly retryDelayMs: number,
  ) {}

  public getRetryCount(): number {
    return this.retryCount;
  }

  public getRetryDelay(): number {
    return this.retryDelayMs;
  }
}

/**
 * Tributary's retry policy as the SDK's retry strategy: the SDK's retry loop
 * (which re-signs each attempt) asks it, per failed attempt, whether and when
 * to try again. It replaces the SDK's standard strategy, token bucket and all,
 * so AWS_MAX_ATTEMPTS and AWS_RETRY_MODE do not change it.
 */
export class PolicyRetryStrategy implements RetryStrategyV2 {
  /** The client options that install the policy; spread them into a client's configuration. */
  public static clientConfig(service: string): { readonly retryStrategy: PolicyRetryStrategy; readonly maxAttempts: number } {
    // maxAttempts only fills the amz-sdk-request header once a strategy is given; stated so it tells the truth.
    return { retryStrategy: new PolicyRetryStrategy(service), maxAttempts: RETRY_POLICY.maxAttempts };
  }

  public constructor(
    /** Names the client in the retry log. */
    private readonly service: string,
    private readonly policy: RetryPolicy = RETRY_POLICY,
    private readonly clock: RetryClock = SYSTEM_CLOCK,
    private readonly stats: RetryStats = retryStats,
  ) {}

  public async acquireInitialRetryToken(_retryTokenScope: string): Promise<RetryToken> {
    return new PolicyRetryToken(new RetrySchedule(this.policy, this.clock), 0, 0);
  }

  public async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const error: unknown = errorInfo.error;
    // Throwing ends the SDK's loop: it rethrows the attempt's own error.
    if (!(token instanceof PolicyRetryToken) || !isTransientError(error)) throw error;
    const delayMs = token.schedule.nextDelayMs();
    if (delayMs === undefined) {
      markRetriesSpent(error);
      throw error;
    }
    this.stats.record({ what: this.service, reason: (error as Error).name, attempt: token.schedule.attempts, delayMs });
    return new PolicyRetryToken(token.schedule, token.schedule.attempts - 1, delayMs);
  }

  public recordSuccess(_token: RetryToken): void {
    // No token bucket: the time budget bounds each call, and the event source mapping bounds the rest.
  }
}
