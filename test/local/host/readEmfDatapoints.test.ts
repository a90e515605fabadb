import { describe, expect, it } from 'vitest';
import { RecentMetricValues } from '../../../local/host/RecentMetricValues';
import { readEmfDatapoints } from '../../../local/host/readEmfDatapoints';
import { recentMetricKey } from '../../../local/host/recentMetricKey';

/** What Powertools Metrics prints for the aggregator's per-metric lag (a list of values) and a count. */
const perMetricLine = JSON.stringify({
  _aws: {
    Timestamp: 1_796_292_090_123,
    CloudWatchMetrics: [{ Namespace: 'Tributary', Dimensions: [['service', 'Metric']], Metrics: [{ Name: 'ConsumerLagMs', Unit: 'Milliseconds' }, { Name: 'WatermarkDelayMs', Unit: 'Milliseconds' }] }],
  },
  service: 'tributary-aggregator',
  Metric: 'orders-per-region',
  ConsumerLagMs: [120, 340, 95],
  WatermarkDelayMs: 5_000,
});

describe('Function: readEmfDatapoints', () => {
  it('keeps namespace, name, unit, dimension values, every value and the timestamp', () => {
    expect(readEmfDatapoints(perMetricLine, 0)).toEqual([
      { namespace: 'Tributary', metricName: 'ConsumerLagMs', unit: 'Milliseconds', dimensionSets: [{ service: 'tributary-aggregator', Metric: 'orders-per-region' }], values: [120, 340, 95], timestampMs: 1_796_292_090_123 },
      { namespace: 'Tributary', metricName: 'WatermarkDelayMs', unit: 'Milliseconds', dimensionSets: [{ service: 'tributary-aggregator', Metric: 'orders-per-region' }], values: [5_000], timestampMs: 1_796_292_090_123 },
    ]);
  });

  it('gives every dimension set of a directive, and a line without Dimensions one empty set', () => {
    const line = JSON.stringify({ _aws: { CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['a'], ['a', 'b']], Metrics: [{ Name: 'M' }] }] }, a: 'x', b: 'y', M: 1 });
    expect(readEmfDatapoints(line, 42)).toEqual([{ namespace: 'N', metricName: 'M', dimensionSets: [{ a: 'x' }, { a: 'x', b: 'y' }], values: [1], timestampMs: 42 }]);
    const bare = JSON.stringify({ _aws: { CloudWatchMetrics: [{ Namespace: 'N', Metrics: [{ Name: 'M' }] }] }, M: 2 });
    expect(readEmfDatapoints(bare, 42)?.[0]?.dimensionSets).toEqual([{}]);
  });

  it('drops values CloudWatch would reject and lines that are not EMF', () => {
    const line = JSON.stringify({ _aws: { Timestamp: 5, CloudWatchMetrics: [{ Namespace: 'N', Metrics: [{ Name: 'M' }, { Name: 'Gone' }] }] }, M: [1, 'x', null, 2], Gone: 'n/a' });
    expect(readEmfDatapoints(line, 0)).toEqual([{ namespace: 'N', metricName: 'M', dimensionSets: [{}], values: [1, 2], timestampMs: 5 }]);
    expect(readEmfDatapoints('{"level":"INFO","message":"batch applied"}', 0)).toBeUndefined();
    expect(readEmfDatapoints('{"_aws": broken', 0)).toBeUndefined();
    expect(readEmfDatapoints('plain text', 0)).toBeUndefined();
  });
});

describe('Class: RecentMetricValues', () => {
  it('keys values by metric and non-service dimensions, and starts over on take()', () => {
    // Prepare
    const recent = new RecentMetricValues();
    const pipelineWide = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Tributary', Dimensions: [['service']], Metrics: [{ Name: 'ConsumerLagMs' }] }] }, service: 'tributary-aggregator', ConsumerLagMs: [10, 20] });

    // Act
    recent.add(readEmfDatapoints(pipelineWide, 0)!);
    recent.add(readEmfDatapoints(perMetricLine, 0)!);
    recent.add(readEmfDatapoints(pipelineWide, 0)!);
    const first = recent.take();

    // Assess: the pipeline-wide series holds its own values only, not the per-metric ones as well.
    expect(first).toEqual({ ConsumerLagMs: [10, 20, 10, 20], 'ConsumerLagMs|Metric=orders-per-region': [120, 340, 95], 'WatermarkDelayMs|Metric=orders-per-region': [5_000] });
    expect(recent.take()).toEqual({});
  });

  it('sorts several dimensions by name', () => {
    expect(recentMetricKey('M', { service: 's', b: '2', a: '1' })).toBe('M|a=1|b=2');
  });
});
