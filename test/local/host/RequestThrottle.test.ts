import { describe, expect, it } from 'vitest';
import type { LocalUsagePlan } from '../../../local/assembly/LocalPlan';
import { GatewayResponseError } from '../../../local/host/GatewayResponseError';
import { quotaPeriodStart } from '../../../local/host/quotaPeriodStart';
import { RequestThrottle } from '../../../local/host/RequestThrottle';
import { TokenBucket } from '../../../local/host/TokenBucket';

const plan = (name: string, overrides: Partial<LocalUsagePlan> = {}): LocalUsagePlan => ({
  name,
  apiKeys: [{ id: `${name}-id`, name, producer: name, enabled: true }],
  ...overrides,
});

/** What admit answers: 'ok', or the message of the 429. */
const outcome = (throttle: RequestThrottle, apiKeyId?: string): string => {
  try {
    throttle.admit(apiKeyId);
    return 'ok';
  } catch (error) {
    if (!(error instanceof GatewayResponseError)) throw error;
    return `${error.statusCode} ${error.message}`;
  }
};

describe('Class: TokenBucket', () => {
  it('starts full, refuses once empty, and refills at the rate up to the burst', () => {
    // Prepare
    const bucket = new TokenBucket({ rateLimitPerSecond: 2, burstLimit: 3 }, 0);

    // Act
    const burst = [0, 0, 0, 0].map((nowMs) => bucket.tryTake(nowMs));
    const afterHalfSecond = [bucket.tryTake(500), bucket.tryTake(500)];
    const afterTenSeconds = [10_500, 10_500, 10_500, 10_500].map((nowMs) => bucket.tryTake(nowMs));

    // Assess
    expect(burst).toEqual([true, true, true, false]);
    expect(afterHalfSecond).toEqual([true, false]);
    expect(afterTenSeconds).toEqual([true, true, true, false]);
  });

  it('refills nothing when the clock steps back', () => {
    // Prepare
    const bucket = new TokenBucket({ rateLimitPerSecond: 1, burstLimit: 1 }, 10_000);
    bucket.tryTake(10_000);

    // Act
    const steppedBack = bucket.tryTake(5_000);
    const later = bucket.tryTake(11_000);

    // Assess
    expect([steppedBack, later]).toEqual([false, true]);
  });
});

describe('Class: RequestThrottle', () => {
  it("answers 429 Too Many Requests to a key over its plan's burst while another key passes", () => {
    // Prepare
    let nowMs = 0;
    const throttle = new RequestThrottle({ usagePlans: [plan('shop', { throttle: { rateLimitPerSecond: 1, burstLimit: 2 } }), plan('pos')] }, () => nowMs);

    // Act
    const shop = [outcome(throttle, 'shop-id'), outcome(throttle, 'shop-id'), outcome(throttle, 'shop-id')];
    const pos = outcome(throttle, 'pos-id');
    nowMs = 1_000;
    const shopAfterASecond = outcome(throttle, 'shop-id');

    // Assess
    expect(shop).toEqual(['ok', 'ok', '429 Too Many Requests']);
    expect(pos).toBe('ok');
    expect(shopAfterASecond).toBe('ok');
  });

  it('answers 429 Limit Exceeded past the daily quota until the next UTC day', () => {
    // Prepare
    let nowMs = Date.UTC(2026, 11, 1, 23, 59, 0);
    const throttle = new RequestThrottle({ usagePlans: [plan('batch', { quota: { limit: 2, period: 'DAY' } })] }, () => nowMs);

    // Act
    const today = [outcome(throttle, 'batch-id'), outcome(throttle, 'batch-id'), outcome(throttle, 'batch-id')];
    nowMs = Date.UTC(2026, 11, 2, 0, 0, 0);
    const tomorrow = outcome(throttle, 'batch-id');

    // Assess
    expect(today).toEqual(['ok', 'ok', '429 Limit Exceeded']);
    expect(tomorrow).toBe('ok');
  });

  it("shares the stage's bucket among all callers, and a key refused by its own plan takes none of it", () => {
    // Prepare
    const throttle = new RequestThrottle(
      { stageThrottle: { rateLimitPerSecond: 1, burstLimit: 2 }, usagePlans: [plan('shop', { throttle: { rateLimitPerSecond: 1, burstLimit: 1 } })] },
      () => 0,
    );

    // Act
    const outcomes = [outcome(throttle, 'shop-id'), outcome(throttle, 'shop-id'), outcome(throttle, 'shop-id'), outcome(throttle), outcome(throttle)];

    // Assess: shop's own limit refuses its 2nd and 3rd; the stage's second token is still there for the unkeyed request.
    expect(outcomes).toEqual(['ok', '429 Too Many Requests', '429 Too Many Requests', 'ok', '429 Too Many Requests']);
  });
});

describe('Function: quotaPeriodStart', () => {
  it('starts the day at UTC midnight, the week on Monday and the month on the 1st', () => {
    // Prepare: Thursday 2026-12-03 15:30 UTC.
    const nowMs = Date.UTC(2026, 11, 3, 15, 30);

    // Act
    const starts = (['DAY', 'WEEK', 'MONTH'] as const).map((period) => new Date(quotaPeriodStart(period, nowMs)).toISOString());

    // Assess
    expect(starts).toEqual(['2026-12-03T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });
});
