import type { LocalRestApi, LocalUsagePlan } from '../assembly/LocalPlan';
import { GatewayResponseError } from './GatewayResponseError';
import { quotaPeriodStart } from './quotaPeriodStart';
import { TokenBucket } from './TokenBucket';

/** One API key's meters in its usage plan. */
interface KeyMeter {
  readonly plan: LocalUsagePlan;
  readonly bucket?: TokenBucket;
  periodStartMs: number;
  used: number;
}

/**
 * The stage's and the usage plans' limits of one API, in API Gateway's order:
 * the key's quota (429 `Limit Exceeded`), the key's rate and burst, then the
 * stage's (429 `Too Many Requests`). A producer over its own limits is refused
 * before it takes any of the stage's tokens, so it cannot starve the others.
 */
export class RequestThrottle {
  private readonly stage?: TokenBucket;
  private readonly keys = new Map<string, KeyMeter>();

  public constructor(
    api: Pick<LocalRestApi, 'stageThrottle' | 'usagePlans'>,
    private readonly clock: () => number = Date.now,
  ) {
    const nowMs = clock();
    if (api.stageThrottle) this.stage = new TokenBucket(api.stageThrottle, nowMs);
    for (const plan of api.usagePlans) {
      for (const key of plan.apiKeys) {
        this.keys.set(key.id, {
          plan,
          ...(plan.throttle ? { bucket: new TokenBucket(plan.throttle, nowMs) } : {}),
          periodStartMs: plan.quota ? quotaPeriodStart(plan.quota.period, nowMs) : 0,
          used: 0,
        });
      }
    }
  }

  /** Counts a request, with the id of the API key it came with; throws the 429 API Gateway would answer. */
  public admit(apiKeyId?: string): void {
    const nowMs = this.clock();
    const meter = apiKeyId === undefined ? undefined : this.keys.get(apiKeyId);
    const quota = meter?.plan.quota;
    if (meter && quota) {
      const periodStartMs = quotaPeriodStart(quota.period, nowMs);
      if (periodStartMs !== meter.periodStartMs) {
        meter.periodStartMs = periodStartMs;
        meter.used = 0;
      }
      if (meter.used >= quota.limit) throw new GatewayResponseError('QUOTA_EXCEEDED', { message: 'Limit Exceeded' });
    }
    if (meter?.bucket && !meter.bucket.tryTake(nowMs)) throw tooMany();
    if (this.stage && !this.stage.tryTake(nowMs)) throw tooMany();
    if (meter && quota) meter.used += 1;
  }
}

const tooMany = (): GatewayResponseError => new GatewayResponseError('THROTTLED', { message: 'Too Many Requests' });
