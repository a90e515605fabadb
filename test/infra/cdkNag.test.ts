import { describe, expect, it } from 'vitest';
import { tributaryConfig } from '../../infra/tributary.config';
import { nagFindings } from './nagFindings';

/**
 * The synthesized app against cdk-nag's AwsSolutions and Serverless packs: no
 * finding may stand unacknowledged, and every acknowledgement sits next to its
 * resource with the reason (Validations.of(construct).acknowledge).
 */
describe('cdk-nag: AwsSolutions and Serverless packs', () => {
  it('finds nothing unacknowledged in the stack as configured (DAX on)', () => {
    expect(nagFindings({ ...tributaryConfig, cache: { ...tributaryConfig.cache, dax: true } })).toEqual([]);
  }, 120_000);

  it('finds nothing unacknowledged without DAX, with a customer-managed key, producers, CORS and WAF', () => {
    expect(
      nagFindings({
        ...tributaryConfig,
        cache: { dax: false },
        encryption: { customerManagedKey: true },
        api: { producers: [{ name: 'checkout', rateLimitPerSecond: 100, burstLimit: 50, quotaPerDay: 1_000_000 }], corsOrigins: ['https://dashboard.example.com'], wafRateLimitPer5Minutes: 2_000 },
      }),
    ).toEqual([]);
  }, 120_000);

  it('finds nothing unacknowledged in the LocalStack profile', () => {
    expect(nagFindings(tributaryConfig, { target: 'localstack' })).toEqual([]);
  }, 120_000);
});
