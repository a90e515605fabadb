import { describe, expect, it } from 'vitest';
import { emptyResults } from '../../../core/aggregation/emptyResults';
import { WindowAccumulator } from '../../../core/aggregation/WindowAccumulator';
import { compileMetric } from '../../../core/metrics/compileMetric';
import { ordersPerRegion } from '../../support/factories';

// Every kind of aggregation, quantiles with the default list and with labels that need care (p99.9, p100).
const metric = compileMetric({
  ...ordersPerRegion,
  aggregations: {
    orders: { kind: 'count' },
    revenue: { kind: 'sum', field: 'data.amount' },
    smallest: { kind: 'min', field: 'data.amount' },
    largest: { kind: 'max', field: 'data.amount' },
    mean: { kind: 'avg', field: 'data.amount' },
    big: { kind: 'countIf', where: [{ field: 'data.amount', range: { gte: 500 } }] },
    failureRate: { kind: 'ratio', where: [{ field: 'data.status', equals: 'failed' }] },
    customers: { kind: 'distinct', field: 'data.user' },
    latency: { kind: 'quantiles', field: 'data.amount' },
    tail: { kind: 'quantiles', field: 'data.amount', quantiles: [0.999, 1] },
  },
});

describe('Function: emptyResults', () => {
  it('answers what an accumulator that saw no event answers, without the sketches', () => {
    // Act
    const results = emptyResults(metric.aggregations);

    // Assess: the same values, in the same (declaration) order.
    const accumulated = new WindowAccumulator(metric.aggregations).results();
    expect(results).toEqual(accumulated);
    expect(Object.keys(results)).toEqual(Object.keys(accumulated));
    expect(results).toEqual({
      orders: 0,
      revenue: 0,
      smallest: null,
      largest: null,
      mean: null,
      big: 0,
      failureRate: null,
      customers: 0,
      latency: { p50: null, p90: null, p99: null },
      tail: { 'p99.9': null, p100: null },
    });
  });
});
