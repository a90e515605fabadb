import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import { alertableValues } from '../../config/validateAlerts';
import { ConfigError } from '../../core/errors';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';

const problemsOf = (metrics: readonly MetricDefinition[]): readonly string[] => {
  try {
    resolveConfig({ metrics });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

const checkout: MetricDefinition = {
  name: 'checkout-errors',
  filter: { types: ['checkout.completed', 'checkout.failed'] },
  window: { kind: 'hopping', sizeMs: 300_000, slideMs: 60_000 },
  aggregations: {
    attempts: { kind: 'count' },
    errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] },
    latencyMs: { kind: 'quantiles', field: 'data.latencyMs', quantiles: [0.5, 0.999] },
  },
};

describe('Function: validateAlerts (through resolveConfig)', () => {
  it('accepts alerts on plain values and on quantile labels, and published series within the bounds', () => {
    // Act
    const problems = problemsOf([
      {
        ...checkout,
        alerts: {
          highErrorRate: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05, consecutiveWindows: 2, minEventCount: 20 },
          slowTail: { aggregation: 'latencyMs.p99.9', comparison: 'above', threshold: 1_000 },
          noTraffic: { aggregation: 'attempts', comparison: 'below', threshold: 1 },
        },
        publish: { aggregations: ['attempts', 'latencyMs.p50'], groups: ['(all)'] },
      },
    ]);

    // Assess
    expect(problems).toEqual([]);
  });

  it('names the values an alert may watch: aggregations, and quantiles by label (defaults when none are listed)', () => {
    expect(alertableValues(checkout)).toEqual(['attempts', 'errorRate', 'latencyMs.p50', 'latencyMs.p99.9']);
    expect(alertableValues({ aggregations: { latency: { kind: 'quantiles', field: 'data.ms' } } })).toEqual(['latency.p50', 'latency.p90', 'latency.p99']);
  });

  it('rejects an unknown aggregation, a bare quantiles name, a bad comparison, a threshold of the wrong type or non-finite, and bad counts, with exact messages', () => {
    // Act
    const problems = problemsOf([
      {
        ...checkout,
        alerts: {
          unknown: { aggregation: 'errors', comparison: 'above', threshold: 1 },
          bareQuantiles: { aggregation: 'latencyMs', comparison: 'above', threshold: 1 },
          comparison: { aggregation: 'errorRate', comparison: 'greaterThan' as 'above', threshold: 1 },
          text: { aggregation: 'errorRate', comparison: 'above', threshold: '5%' as unknown as number },
          infinite: { aggregation: 'errorRate', comparison: 'above', threshold: Number.POSITIVE_INFINITY },
          counts: { aggregation: 'errorRate', comparison: 'below', threshold: 0, consecutiveWindows: 0, minEventCount: 1.5 },
          'bad-name': { aggregation: 'errorRate', comparison: 'above', threshold: 0.1, consecutiveWindows: 101 },
        },
      },
    ]);

    // Assess
    const values = 'attempts, errorRate, latencyMs.p50, latencyMs.p99.9';
    expect(problems).toEqual([
      `metrics[0].alerts.unknown.aggregation must name one of the metric's values: ${values} (got "errors")`,
      `metrics[0].alerts.bareQuantiles.aggregation must name one of the metric's values: ${values} (got "latencyMs")`,
      'metrics[0].alerts.comparison.comparison must be one of above, below (got "greaterThan")',
      'metrics[0].alerts.text.threshold must be a finite number (got "5%")',
      'metrics[0].alerts.infinite.threshold must be a finite number (got null)',
      'metrics[0].alerts.counts.consecutiveWindows must be an integer from 1 to 100 (got 0)',
      'metrics[0].alerts.counts.minEventCount must be an integer from 1 to 1000000000 (got 1.5)',
      'metrics[0].alerts name "bad-name" must match ^[a-zA-Z][a-zA-Z0-9_]{0,63}$',
      'metrics[0].alerts.bad-name.consecutiveWindows must be an integer from 1 to 100 (got 101)',
    ]);
  });

  it('refuses alerts and published series on session metrics, saying why', () => {
    // Prepare
    const sessions: MetricDefinition = { name: 'sessions', filter: { types: ['page.viewed'] }, groupBy: ['key'], window: { kind: 'session', gapMs: 60_000 }, aggregations: { views: { kind: 'count' } } };

    // Act
    const problems = problemsOf([{ ...sessions, alerts: { quiet: { aggregation: 'views', comparison: 'below', threshold: 2 } }, publish: { aggregations: ['views'], groups: ['u1'] } }]);

    // Assess
    expect(problems).toEqual([
      'metrics[0].alerts: session metrics take no alerts (a session has no next window to be consecutive with); use a tumbling or hopping window',
      'metrics[0].publish: session metrics cannot be published (a session has no fixed period to be a data point of); use a tumbling or hopping window',
    ]);
  });

  it('bounds published series: at most 10 groups per metric and 50 series in all, each value and group named once', () => {
    // Prepare: 11 groups × 2 values here, and 3 more metrics of 10 groups × 1 value: 52 series.
    const groups = (count: number) => Array.from({ length: count }, (_, index) => `region-${index}`);
    const others = [1, 2, 3].map((n): MetricDefinition => ({ ...checkout, name: `copy-${n}`, publish: { aggregations: ['attempts'], groups: groups(10) } }));

    // Act
    const problems = problemsOf([
      { ...checkout, publish: { aggregations: ['attempts', 'errorRate'], groups: groups(11) } },
      ...others,
      { ...checkout, name: 'dupes', publish: { aggregations: ['attempts', 'attempts', 'nope'], groups: ['a', 'a', ''] } },
      { ...checkout, name: 'empty', publish: { aggregations: [], groups: [] } },
    ]);

    // Assess
    expect(problems).toEqual([
      'metrics[0].publish.groups names 11 groups; at most 10 per metric (each is a CloudWatch metric per aggregation)',
      `metrics[4].publish.aggregations[2] must name one of the metric's values: attempts, errorRate, latencyMs.p50, latencyMs.p99.9 (got "nope")`,
      'metrics[4].publish.groups[2] must be a group value of 1 to 1024 characters (got "")',
      'metrics[4].publish.groups names a group more than once',
      'metrics[4].publish.aggregations names a value more than once',
      'metrics[5].publish.aggregations must name at least one value',
      'metrics[5].publish.groups must name at least one group',
      'metrics publish 61 series (aggregations × groups, summed over metrics); at most 50',
    ]);
  });
});
