import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import { ConfigError } from '../../core/errors';
import { compileMetric } from '../../core/metrics/compileMetric';
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
      dedupeHorizonHours: 24,
      parallelizationFactor: 1,
      enhancedFanOut: false,
      progressCacheMs: 5_000,
    });
    expect(config.storage).toEqual({ aggregateRetentionDays: 90, lateEventRetentionDays: 30, eventRetentionDays: 30, removalPolicy: 'retain' });
  });

  it('names every invalid setting with its allowed range', () => {
    expect(
      problemsOf({
        metrics: [ordersPerRegion],
        stream: { shardCount: 0, retentionHours: 12 },
        aggregator: { batchSize: 20_000, maxBatchingWindowSeconds: 301, maxRetryAttempts: -1, maxRecordAgeSeconds: 30, dedupeHorizonHours: 0, progressCacheMs: 60_001 },
      }),
    ).toEqual([
      'stream.shardCount must be an integer from 1 to 500 (got 0)',
      'stream.retentionHours must be an integer from 24 to 8760 (got 12)',
      'aggregator.batchSize must be an integer from 1 to 10000 (got 20000)',
      'aggregator.maxBatchingWindowSeconds must be an integer from 0 to 300 (got 301)',
      'aggregator.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad record block a shard (got -1)',
      'aggregator.maxRecordAgeSeconds must be an integer from 60 to 604800 (got 30)',
      'aggregator.dedupeHorizonHours must be an integer from 1 to 8760 (got 0)',
      'aggregator.progressCacheMs must be an integer from 0 to 60000 (got 60001)',
    ]);
  });

  it('refuses a record age longer than the stream keeps records', () => {
    expect(problemsOf({ metrics: [ordersPerRegion], aggregator: { maxRecordAgeSeconds: 100_000 } })).toEqual([
      'aggregator.maxRecordAgeSeconds (100000) must not exceed the stream retention (86400 s)',
    ]);
  });

  it('gives the archive and change consumers their own sections, whose unset mapping settings follow the aggregator', () => {
    const defaults = resolveConfig({ metrics: [ordersPerRegion] });
    expect(defaults.archive).toEqual({ batchSize: 500, maxBatchingWindowSeconds: 0, maxRetryAttempts: 5, maxRecordAgeSeconds: 3_600, parallelizationFactor: 1, memorySizeMb: 256, timeoutSeconds: 60 });
    expect(defaults.changes).toEqual({ batchSize: 100, maxRetryAttempts: 5, maxRecordAgeSeconds: 3_600, memorySizeMb: 256, timeoutSeconds: 30 });

    const tuned = resolveConfig({
      metrics: [ordersPerRegion],
      aggregator: { batchSize: 250, maxBatchingWindowSeconds: 2, maxRetryAttempts: 3, maxRecordAgeSeconds: 600, timeoutSeconds: 120 },
      archive: { batchSize: 1_000, parallelizationFactor: 4 },
      changes: { maxRetryAttempts: 8, timeoutSeconds: 10 },
    });
    expect(tuned.archive).toEqual({ batchSize: 1_000, maxBatchingWindowSeconds: 2, maxRetryAttempts: 3, maxRecordAgeSeconds: 600, parallelizationFactor: 4, memorySizeMb: 256, timeoutSeconds: 120 });
    expect(tuned.changes).toEqual({ batchSize: 100, maxRetryAttempts: 8, maxRecordAgeSeconds: 600, memorySizeMb: 256, timeoutSeconds: 10 });
  });

  it.each([
    [{ archive: { batchSize: 0 } }, 'archive.batchSize must be an integer from 1 to 10000 (got 0)'],
    [{ archive: { maxBatchingWindowSeconds: 301 } }, 'archive.maxBatchingWindowSeconds must be an integer from 0 to 300 (got 301)'],
    [{ archive: { maxRetryAttempts: -1 } }, 'archive.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad record block a shard (got -1)'],
    [{ archive: { maxRecordAgeSeconds: 59 } }, 'archive.maxRecordAgeSeconds must be an integer from 60 to 604800 (got 59)'],
    [{ archive: { maxRecordAgeSeconds: 100_000 } }, 'archive.maxRecordAgeSeconds (100000) must not exceed the stream retention (86400 s)'],
    [{ archive: { parallelizationFactor: 11 } }, 'archive.parallelizationFactor must be an integer from 1 to 10 (got 11)'],
    [{ archive: { memorySizeMb: 64 } }, 'archive.memorySizeMb must be an integer from 128 to 10240 (got 64)'],
    [{ archive: { timeoutSeconds: 901 } }, 'archive.timeoutSeconds must be an integer from 1 to 900 (got 901)'],
    [{ changes: { batchSize: 10_001 } }, 'changes.batchSize must be an integer from 1 to 10000 (got 10001)'],
    [{ changes: { maxRetryAttempts: -1 } }, 'changes.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad change block a shard (got -1)'],
    [{ changes: { maxRecordAgeSeconds: 604_801 } }, 'changes.maxRecordAgeSeconds must be an integer from 60 to 604800 (got 604801)'],
    [{ changes: { memorySizeMb: 10_241 } }, 'changes.memorySizeMb must be an integer from 128 to 10240 (got 10241)'],
    [{ changes: { timeoutSeconds: 0 } }, 'changes.timeoutSeconds must be an integer from 1 to 900 (got 0)'],
  ])('checks the consumer setting %j with its exact message', (section, problem) => {
    expect(problemsOf({ metrics: [ordersPerRegion], ...section })).toEqual([problem]);
  });

  it('refuses an aggregator parallelizationFactor other than 1, saying why and to add shards instead', () => {
    // A JavaScript config (or a cast) gets past the type `1`; synth must not.
    expect(problemsOf({ metrics: [ordersPerRegion], aggregator: { parallelizationFactor: 4 as 1 } })).toEqual([
      "aggregator.parallelizationFactor must be 1 (got 4): its per-shard marks need each shard's batches one at a time, in order, or events are skipped as already applied; for more throughput raise stream.shardCount (every shard is one more batch in parallel)",
    ]);
    expect(resolveConfig({ metrics: [ordersPerRegion] }).aggregator.parallelizationFactor).toBe(1);
  });

  it('takes enhancedFanOut as a boolean, off by default', () => {
    expect(resolveConfig({ metrics: [ordersPerRegion] }).aggregator.enhancedFanOut).toBe(false);
    expect(resolveConfig({ metrics: [ordersPerRegion], aggregator: { enhancedFanOut: true } }).aggregator.enhancedFanOut).toBe(true);
    expect(problemsOf({ metrics: [ordersPerRegion], aggregator: { enhancedFanOut: 'yes' as unknown as boolean } })).toEqual(['aggregator.enhancedFanOut must be true or false (got "yes")']);
  });

  it('reports an invalid aggregator setting once, not again in the sections that follow it', () => {
    expect(problemsOf({ metrics: [ordersPerRegion], aggregator: { maxRetryAttempts: -1, batchSize: 0 } })).toEqual([
      'aggregator.batchSize must be an integer from 1 to 10000 (got 0)',
      'aggregator.maxRetryAttempts must be an integer from 0 to 10000; unbounded retries (-1) would let one bad record block a shard (got -1)',
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
      'metrics[2].window.kind must be one of tumbling, hopping, session (got "sliding")',
      'metrics[2].aggregations.total.field must be a path "data.<field>" (got "amount")',
      'metrics[2].aggregations.p99.kind must be one of count, sum, min, max, avg, countIf, ratio, distinct, quantiles (got "median")',
      'metrics[3].window.sizeMs must be an integer from 1 to 2678400000 (got 0)',
      'metrics[3].aggregations must declare at least one aggregation',
    ]);
  });

  it('checks windows, watermarks, conditions and the new aggregations with exact messages', () => {
    const base = { filter: { types: ['t'] }, aggregations: { n: { kind: 'count' as const } } };
    expect(
      problemsOf({
        metrics: [
          { ...base, name: 'hop', window: { kind: 'hopping', sizeMs: 60_000, slideMs: 120_000 } },
          { ...base, name: 'fanout', window: { kind: 'hopping', sizeMs: 60_000, slideMs: 100 } },
          { ...base, name: 'sess', window: { kind: 'session', gapMs: 0 }, watermark: { maxDelayMs: -1, idleTimeoutMs: 0, allowedLatenessMs: 1.5 } },
          {
            name: 'conds',
            filter: { types: ['t'], where: [{ field: 'data.x', equals: 1, in: [1] } as never, { field: 'region' as 'key', exists: true }] },
            eventTime: 'receivedAt' as 'time',
            window: { kind: 'tumbling', sizeMs: 1_000 },
            aggregations: {
              errors: { kind: 'ratio', where: [] },
              slow: { kind: 'countIf', where: [{ field: 'data.ms', range: { above: 3 } as never }] },
              p: { kind: 'quantiles', field: 'data.ms', quantiles: [0.5, 1] },
              users: { kind: 'distinct', field: 'user' as 'key' },
              low: { kind: 'min', field: 'key' as 'data.x' },
            },
          },
        ],
      }),
    ).toEqual([
      'metrics[0].window.slideMs (120000) must not exceed sizeMs (60000): events between windows would be counted nowhere',
      'metrics[1].window: sizeMs / slideMs must be at most 100 (each event updates that many windows; got 600)',
      'metrics[2].window.gapMs must be an integer from 1 to 2678400000 (got 0)',
      'metrics[2].watermark.maxDelayMs must be an integer from 0 to 604800000 (got -1)',
      'metrics[2].watermark.idleTimeoutMs must be an integer from 1 to 604800000 (got 0)',
      'metrics[2].watermark.allowedLatenessMs must be an integer from 0 to 604800000 (got 1.5)',
      'metrics[3].filter.where[0] must have exactly one of equals, in, exists, range (got equals, in)',
      'metrics[3].filter.where[1].field must be "key", "type" or a path "data.<field>" (got "region")',
      'metrics[3].eventTime must be "time" or a path "data.<field>" (got "receivedAt")',
      'metrics[3].aggregations.errors.where must be a non-empty list of conditions',
      'metrics[3].aggregations.slow.where[0].range must have at least one of gt, gte, lt, lte, each a finite number',
      'metrics[3].aggregations.p.quantiles must be a non-empty list of numbers between 0 and 1, exclusive (got [0.5,1])',
      'metrics[3].aggregations.users.field must be "key", "type" or a path "data.<field>" (got "user")',
      'metrics[3].aggregations.low.field must be a path "data.<field>" (got "key")',
    ]);
  });

  it('checks idle finalisation (watermark.advanceWhenIdleMs) with exact messages, and leaves it off by default', () => {
    const base = { filter: { types: ['t'] }, window: { kind: 'tumbling' as const, sizeMs: 60_000 }, aggregations: { n: { kind: 'count' as const } } };
    expect(
      problemsOf({
        metrics: [
          { ...base, name: 'zero', watermark: { advanceWhenIdleMs: 0 } },
          { ...base, name: 'fraction', watermark: { advanceWhenIdleMs: 1.5 } },
          { ...base, name: 'text', watermark: { advanceWhenIdleMs: '60000' as unknown as number } },
          { ...base, name: 'week', watermark: { advanceWhenIdleMs: 604_800_001 } },
          { ...base, name: 'fine', watermark: { advanceWhenIdleMs: 60_000 } },
        ],
      }),
    ).toEqual([
      'metrics[0].watermark.advanceWhenIdleMs must be an integer from 1 to 604800000 (got 0)',
      'metrics[1].watermark.advanceWhenIdleMs must be an integer from 1 to 604800000 (got 1.5)',
      'metrics[2].watermark.advanceWhenIdleMs must be an integer from 1 to 604800000 (got "60000")',
      'metrics[3].watermark.advanceWhenIdleMs must be an integer from 1 to 604800000 (got 604800001)',
    ]);
    expect(compileMetric(ordersPerRegion).advanceWhenIdleMs).toBeUndefined();
    expect(compileMetric({ ...ordersPerRegion, watermark: { advanceWhenIdleMs: 60_000 } })).toMatchObject({ advanceWhenIdleMs: 60_000, maxDelayMs: 5_000 });
  });

  it('keeps a window item under the 400 KB limit by bounding sketches per metric', () => {
    const sketches = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`d${i}`, { kind: 'distinct' as const, field: 'key' as const }]));
    expect(problemsOf({ metrics: [{ ...ordersPerRegion, aggregations: sketches }] })).toEqual([
      "metrics[0].aggregations has 9 distinct/quantiles aggregations; at most 8 keep a window under DynamoDB's 400 KB item limit",
    ]);
  });

  it('turns KPL aggregation at ingest on by default at 25,000 bytes, and checks its settings with exact messages', () => {
    expect(resolveConfig({ metrics: [ordersPerRegion] }).ingest).toEqual({ aggregation: { enabled: true, maxRecordBytes: 25_000 } });
    expect(resolveConfig({ metrics: [ordersPerRegion], ingest: { aggregation: { enabled: false } } }).ingest).toEqual({ aggregation: { enabled: false, maxRecordBytes: 25_000 } });
    expect(problemsOf({ metrics: [ordersPerRegion], ingest: { aggregation: { enabled: 'yes' as unknown as boolean, maxRecordBytes: 2_000_000 } } })).toEqual([
      'ingest.aggregation.enabled must be true or false (got "yes")',
      "ingest.aggregation.maxRecordBytes must be an integer from 1024 to 1048576 (Kinesis's 1 MiB record limit) (got 2000000)",
    ]);
    expect(problemsOf({ metrics: [ordersPerRegion], ingest: { aggregation: { maxRecordBytes: 1_000.5 } } })).toEqual([
      "ingest.aggregation.maxRecordBytes must be an integer from 1024 to 1048576 (Kinesis's 1 MiB record limit) (got 1000.5)",
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
