import type { LocalThrottle } from '../assembly/LocalPlan';

/**
 * API Gateway's throttle: a bucket of `burstLimit` tokens refilled at
 * `rateLimitPerSecond`; a request takes one, and with none left it is refused
 * (429). Starts full. The clock is the caller's, so tests step it.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  public constructor(
    private readonly throttle: LocalThrottle,
    nowMs: number,
  ) {
    this.tokens = throttle.burstLimit;
    this.updatedMs = nowMs;
  }

  /** Takes a token if one is left at `nowMs`; false when the request is over the limit. */
  public tryTake(nowMs: number): boolean {
    // A clock stepped back (NTP) refills nothing rather than draining.
    const elapsedMs = Math.max(0, nowMs - this.updatedMs);
    this.tokens = Math.min(this.throttle.burstLimit, this.tokens + (elapsedMs / 1000) * this.throttle.rateLimitPerSecond);
    this.updatedMs = Math.max(this.updatedMs, nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
