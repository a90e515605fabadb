import type { TributaryConfig } from '../config/TributaryConfig';

/**
 * This deployment's configuration. Every field but `metrics` has a default
 * (see config/TributaryConfig.ts); `cdk synth` and `npm start` check it.
 * One example metric per window kind.
 */
export const tributaryConfig: TributaryConfig = {
  stream: { shardCount: 2, retentionHours: 24 },
  aggregator: { batchSize: 500, maxBatchingWindowSeconds: 0, maxRetryAttempts: 5, maxRecordAgeSeconds: 3_600 },
  metrics: [
    {
      // Tumbling: orders and revenue per region per minute.
      name: 'orders-per-region',
      filter: { types: ['order.created'] },
      groupBy: ['data.region'],
      window: { kind: 'tumbling', sizeMs: 60_000 },
      watermark: { maxDelayMs: 5_000, idleTimeoutMs: 10_000, allowedLatenessMs: 60_000 },
      aggregations: {
        orders: { kind: 'count' },
        revenue: { kind: 'sum', field: 'data.amount' },
        largestOrder: { kind: 'max', field: 'data.amount' },
        averageOrder: { kind: 'avg', field: 'data.amount' },
        customers: { kind: 'distinct', field: 'key' },
        amount: { kind: 'quantiles', field: 'data.amount', quantiles: [0.5, 0.9, 0.99] },
      },
      // Orders and revenue per region per minute on the CloudWatch dashboard (namespace Tributary/Business).
      publish: { aggregations: ['orders', 'revenue'], groups: ['eu-west', 'us-east', 'ap-south'] },
    },
    {
      // Hopping ("sliding"): the checkout error rate over the last 5 minutes, every minute.
      // Idle finalisation: a minute after the last checkout, the watermark follows the clock, so the last
      // windows (and an alert on them) settle without further traffic; a checkout arriving later than
      // that with an older event time is late.
      name: 'checkout-errors-5m',
      filter: { types: ['checkout.completed', 'checkout.failed'] },
      window: { kind: 'hopping', sizeMs: 300_000, slideMs: 60_000 },
      watermark: { maxDelayMs: 5_000, idleTimeoutMs: 10_000, advanceWhenIdleMs: 60_000 },
      aggregations: {
        attempts: { kind: 'count' },
        failures: { kind: 'countIf', where: [{ field: 'type', equals: 'checkout.failed' }] },
        errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] },
        slowCheckouts: { kind: 'countIf', where: [{ field: 'data.latencyMs', range: { gte: 1_000 } }] },
        latencyMs: { kind: 'quantiles', field: 'data.latencyMs' },
      },
      alerts: {
        // The seed's alert: more than 5 % of checkouts failing over 5 minutes, in two windows in a row
        // (two minutes), and only windows of at least 20 checkouts (one failure in two does not page).
        // Try it offline: `npx tributary send --type checkout --error-rate 0.3 --rate 20 --duration 180`.
        highErrorRate: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05, consecutiveWindows: 2, minEventCount: 20 },
      },
    },
    {
      // Session: each user's browsing sessions, closed after 30 minutes without a page view;
      // page views up to an hour late (offline devices) still join their session.
      name: 'user-sessions',
      filter: { types: ['page.viewed'] },
      groupBy: ['key'],
      window: { kind: 'session', gapMs: 1_800_000 },
      watermark: { maxDelayMs: 5_000, idleTimeoutMs: 10_000, allowedLatenessMs: 3_600_000 },
      aggregations: {
        pageViews: { kind: 'count' },
        distinctPages: { kind: 'distinct', field: 'data.page' },
        firstView: { kind: 'min', field: 'data.position' },
      },
    },
  ],
};
