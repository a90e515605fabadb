import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { ConfigError } from '../../core/errors';
import { ordersPerRegion } from '../support/factories';

const problemsOf = (config: Omit<TributaryConfig, 'metrics'>): readonly string[] => {
  try {
    resolveConfig({ metrics: [ordersPerRegion], ...config });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('Function: resolveConfig (api, observability, encryption)', () => {
  it('authenticates with IAM, logs for 30 days and traces by default; the stage limit follows the shards', () => {
    const config = resolveConfig({ metrics: [ordersPerRegion] });
    expect(config.api).toEqual({
      authorization: 'iam',
      rateLimitPerSecond: 2_000,
      burstLimit: 2_000,
      producers: [],
      corsOrigins: [],
      wafRateLimitPer5Minutes: 0,
      ingestReservedConcurrency: 100,
      queryReservedConcurrency: 10,
    });
    expect(config.observability).toEqual({ logRetentionDays: 30, tracing: true, alarmEmails: [], alarmHttpsEndpoints: [] });
    expect(config.encryption).toEqual({ customerManagedKey: false });
    expect(config.target).toBe('aws');
  });

  it('derives the stage limits from the shard count, within API Gateway and Lambda limits, unless they are given', () => {
    expect(resolveConfig({ metrics: [ordersPerRegion], stream: { shardCount: 4 } }).api).toMatchObject({ rateLimitPerSecond: 4_000, burstLimit: 4_000, ingestReservedConcurrency: 200 });
    expect(resolveConfig({ metrics: [ordersPerRegion], stream: { shardCount: 64 } }).api).toMatchObject({ rateLimitPerSecond: 10_000, burstLimit: 5_000, ingestReservedConcurrency: 500 });
    expect(resolveConfig({ metrics: [ordersPerRegion], api: { rateLimitPerSecond: 300 } }).api).toMatchObject({ rateLimitPerSecond: 300, burstLimit: 300, ingestReservedConcurrency: 15 });
    expect(resolveConfig({ metrics: [ordersPerRegion], api: { ingestReservedConcurrency: false, burstLimit: 50 } }).api).toMatchObject({ burstLimit: 50, ingestReservedConcurrency: false });
  });

  it('leaves out DAX, WAF and X-Ray for LocalStack, whose free tier has none of them', () => {
    const config = resolveConfig({ metrics: [ordersPerRegion], api: { wafRateLimitPer5Minutes: 1_000 } }, { target: 'localstack' });
    expect(config.target).toBe('localstack');
    expect(config.cache.dax).toBe(false);
    expect(config.api.wafRateLimitPer5Minutes).toBe(0);
    expect(config.observability.tracing).toBe(false);
  });

  it('names every invalid api setting with what it takes', () => {
    expect(
      problemsOf({
        api: {
          authorization: 'open' as 'none',
          rateLimitPerSecond: 20_000,
          burstLimit: 0,
          corsOrigins: ['*', 'https://ok.example.com', 'https://dash.example.com/', 'ftp://x'],
          wafRateLimitPer5Minutes: 5,
          ingestReservedConcurrency: 0,
          queryReservedConcurrency: 1.5,
        },
      }),
    ).toEqual([
      'api.authorization must be "iam" or "none" (got "open")',
      "api.rateLimitPerSecond must be an integer from 1 to 10000 (API Gateway's default account limit) (got 20000)",
      "api.burstLimit must be an integer from 1 to 5000 (API Gateway's default account burst) (got 0)",
      'api.corsOrigins[0] is "*": list the dashboards\' origins instead, so no other site can read with a visitor\'s credentials',
      'api.corsOrigins[2] must be an origin such as "https://dashboard.example.com" (https, or http://localhost for development; no path) (got "https://dash.example.com/")',
      'api.corsOrigins[3] must be an origin such as "https://dashboard.example.com" (https, or http://localhost for development; no path) (got "ftp://x")',
      'api.wafRateLimitPer5Minutes must be an integer from 10 to 2000000000, or 0 for no WAF (got 5)',
      'api.ingestReservedConcurrency must be an integer from 1 to 1000, or false for none (got 0)',
      'api.queryReservedConcurrency must be an integer from 1 to 1000, or false for none (got 1.5)',
    ]);
  });

  it('keeps each producer within the stage limits, with a unique name', () => {
    expect(
      problemsOf({
        api: {
          rateLimitPerSecond: 100,
          burstLimit: 50,
          producers: [
            { name: 'checkout', rateLimitPerSecond: 50, burstLimit: 20, quotaPerDay: 1_000 },
            { name: 'checkout', rateLimitPerSecond: 101, burstLimit: 51 },
            { name: 'has space', rateLimitPerSecond: 1, burstLimit: 1, quotaPerDay: 0 },
          ],
        },
      }),
    ).toEqual([
      'api.producers[1].name "checkout" is used by another producer; names must be unique',
      'api.producers[1].rateLimitPerSecond must be an integer from 1 to 100 (api.rateLimitPerSecond) (got 101)',
      'api.producers[1].burstLimit must be an integer from 1 to 50 (api.burstLimit) (got 51)',
      'api.producers[2].name must be 1 to 64 letters, digits, "_" or "-" (got "has space")',
      'api.producers[2].quotaPerDay must be an integer from 1 to 1000000000 (got 0)',
    ]);
  });

  it('refuses producer names whose key-id outputs would collide (outputs take letters and digits only)', () => {
    expect(
      problemsOf({
        api: {
          producers: [
            { name: 'checkout-eu', rateLimitPerSecond: 10, burstLimit: 10 },
            { name: 'checkout_eu', rateLimitPerSecond: 10, burstLimit: 10 },
            { name: 'CheckoutEu', rateLimitPerSecond: 10, burstLimit: 10 },
            { name: 'checkout-us', rateLimitPerSecond: 10, burstLimit: 10 },
          ],
        },
      }),
    ).toEqual([
      'api.producers[1].name "checkout_eu" gives the same stack output as "checkout-eu" (ProducerApiKeyIdCheckoutEu); names must differ in more than case, "-" and "_"',
      'api.producers[2].name "CheckoutEu" gives the same stack output as "checkout-eu" (ProducerApiKeyIdCheckoutEu); names must differ in more than case, "-" and "_"',
    ]);
  });

  it('takes only CloudWatch retention values and booleans for the switches', () => {
    expect(problemsOf({ observability: { logRetentionDays: 10, tracing: 'yes' as unknown as boolean }, encryption: { customerManagedKey: 1 as unknown as boolean } })).toEqual([
      "observability.logRetentionDays must be one of CloudWatch's values 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
      'observability.tracing must be true or false (got "yes")',
      'encryption.customerManagedKey must be true or false (got 1)',
    ]);
  });

  it('refuses a target it does not know', () => {
    expect(() => resolveConfig({ metrics: [ordersPerRegion] }, { target: 'azure' as 'aws' })).toThrow('target must be "aws" or "localstack" (got "azure"); pass it as -c target=localstack');
  });
});
