import { describe, expect, it } from 'vitest';
import { businessMetricDocument } from '../../../core/alerts/businessMetricDocument';
import type { FinalWindow } from '../../../core/alerts/FinalWindow';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';

const T = Date.UTC(2026, 10, 22, 12, 0);
const metric: MetricDefinition = {
  name: 'orders-per-region',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: { kind: 'tumbling', sizeMs: 60_000 },
  aggregations: { orders: { kind: 'count' }, averageOrder: { kind: 'avg', field: 'data.amount' }, amount: { kind: 'quantiles', field: 'data.amount', quantiles: [0.99] } },
  publish: { aggregations: ['orders', 'averageOrder', 'amount.p99'], groups: ['eu-west'] },
};
const windowOf = (group: string, values: FinalWindow['values']): FinalWindow => ({ metric: metric.name, group, startMs: T, endMs: T + 60_000, eventCount: 3, values, finalAtMs: T + 66_000 });

describe('Function: businessMetricDocument', () => {
  it('publishes the chosen values of a published group as one EMF document at the window start', () => {
    expect(businessMetricDocument(metric, windowOf('eu-west', { orders: 3, averageOrder: 12.5, amount: { p99: 30 } }))).toEqual({
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [
          {
            Namespace: 'Tributary/Business',
            Dimensions: [['Metric', 'Group']],
            Metrics: [
              { Name: 'orders', Unit: 'None' },
              { Name: 'averageOrder', Unit: 'None' },
              { Name: 'amount.p99', Unit: 'None' },
            ],
          },
        ],
      },
      orders: 3,
      averageOrder: 12.5,
      'amount.p99': 30,
      Metric: 'orders-per-region',
      Group: 'eu-west',
      windowEnd: T + 60_000,
    });
  });

  it('leaves out a value with no data (null is not 0), and publishes nothing for another group, a metric without publish or nothing to say', () => {
    expect(businessMetricDocument(metric, windowOf('eu-west', { orders: 0, averageOrder: null, amount: { p99: null } }))?._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'Tributary/Business', Dimensions: [['Metric', 'Group']], Metrics: [{ Name: 'orders', Unit: 'None' }] },
    ]);
    expect(businessMetricDocument(metric, windowOf('us-east', { orders: 3 }))).toBeUndefined();
    expect(businessMetricDocument({ ...metric, publish: undefined }, windowOf('eu-west', { orders: 3 }))).toBeUndefined();
    expect(businessMetricDocument({ ...metric, publish: { aggregations: ['averageOrder'], groups: ['eu-west'] } }, windowOf('eu-west', { averageOrder: null }))).toBeUndefined();
  });
});
