import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../shared/config/resolveConfig';
import { ConfigError } from '../../shared/errors';
import { ordersPerRegion } from '../support/factories';

const problemsOf = (config: Parameters<typeof resolveConfig>[0]): readonly string[] => {
  try {
    resolveConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('Function: resolveConfig', () => {
  it('applies the defaults, letting the caller override them', () => {
    const config = resolveConfig({ metrics: [ordersPerRegion], aggregator: { batchSize: 50 } });

    expect(config.stream).toEqual({ shardCount: 2, retentionHours: 24 });
    expect(config.aggregator).toEqual({
      batchSize: 50,
      maxBatchingWindowSeconds: 0,
      maxRetryAttempts: 5,
      maxRecordAgeSeconds: 3_600,
      memorySizeMb: 512,
      timeoutSeconds: 60,
    });
    expect(config.storage).toEqual({ aggregateRetentionDays: 90, removalPolicy: 'retain' });
  });

  it('names every invalid setting with its allowed range', () => {
    expect(
      problemsOf({
        metrics: [ordersPerRegion],
        stream: { shardCount: 0, retentionHours: 12 },
        aggregator: { batchSize: 20_000, maxBatchingWindowSeconds: 301, maxRetryAttempts: -1, maxRecordAgeSeconds: 30 },
      }),
    ).toEqual([
      'stream.shardCount must be an integer from 1 to 500 (got 0)',
      'stream.retentionHours must be an integer from 24 to 8760 (got 12)',
      'aggregator.batchSize must be an integer from 1 to 10000 (got 20000)',
      'aggregator.maxBatchingWindowSeconds must be an integer from 0 to 300 (got 301)',
      'aggregator.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad record block a shard (got -1)',
      'aggregator.maxRecordAgeSeconds must be an integer from 60 to 604800 (got 30)',
    ]);
  });

  it('refuses a record age longer than the stream keeps records', () => {
    expect(problemsOf({ metrics: [ordersPerRegion], aggregator: { maxRecordAgeSeconds: 100_000 } })).toEqual([
      'aggregator.maxRecordAgeSeconds (100000) must not exceed the stream retention (86400 s)',
    ]);
  });

  it('checks metric definitions field by field', () => {
    expect(
      problemsOf({
        metrics: [
          ordersPerRegion,
          { ...ordersPerRegion },
          {
            name: 'Bad#Name',
            filter: { types: [] },
            groupBy: ['region' as 'key'],
            window: { kind: 'sliding' as 'tumbling', sizeMs: 1 },
            aggregations: { total: { kind: 'sum', field: 'amount' as 'data.amount' }, p99: { kind: 'median' as 'count' } },
          },
          { name: 'empty', filter: { types: ['t'] }, window: { kind: 'tumbling', sizeMs: 0 }, aggregations: {} },
        ],
      }),
    ).toEqual([
      'metrics[1].name "orders-per-region" is declared more than once',
      'metrics[2].name must match ^[a-z][a-z0-9_.-]{0,63}$ (got "Bad#Name")',
      'metrics[2].filter.types must be a non-empty list of event types',
      'metrics[2].groupBy[0] must be "key", "type" or a path "data.<field>" (got "region")',
      'metrics[2].window.kind must be one of tumbling (got "sliding")',
      'metrics[2].aggregations.total.field must be a path "data.<field>" (got "amount")',
      'metrics[2].aggregations.p99.kind must be one of count, sum (got "median")',
      'metrics[3].window.sizeMs must be an integer from 1 to 2678400000 (got 0)',
      'metrics[3].aggregations must declare at least one aggregation',
    ]);
  });

  it('requires at least one metric', () => {
    expect(problemsOf({ metrics: [] })).toEqual(['metrics must declare at least one metric']);
  });

  it('puts every problem in the error message', () => {
    expect(() => resolveConfig({ metrics: [], stream: { shardCount: 0 } })).toThrow(
      'Invalid Tributary configuration:\n  - stream.shardCount must be an integer from 1 to 500 (got 0)\n  - metrics must declare at least one metric',
    );
  });
});
