import type { TributaryConfig } from '../shared/config/TributaryConfig';

/**
 * This deployment's configuration. Every field but `metrics` has a default
 * (see shared/config/TributaryConfig.ts); `cdk synth` and `npm start` check it.
 */
export const tributaryConfig: TributaryConfig = {
  stream: { shardCount: 2, retentionHours: 24 },
  aggregator: { batchSize: 500, maxBatchingWindowSeconds: 0, maxRetryAttempts: 5, maxRecordAgeSeconds: 3_600 },
  metrics: [
    {
      name: 'orders-per-region',
      filter: { types: ['order.created'] },
      groupBy: ['data.region'],
      window: { kind: 'tumbling', sizeMs: 60_000 },
      aggregations: { orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } },
    },
  ],
};
