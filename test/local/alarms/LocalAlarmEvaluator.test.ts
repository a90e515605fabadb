import { describe, expect, it } from 'vitest';
import type { LocalAlarm, LocalMetric } from '../../../local/alarms/LocalAlarm';
import { LocalAlarmEvaluator } from '../../../local/alarms/LocalAlarmEvaluator';
import { MetricStore, metricKey } from '../../../local/alarms/MetricStore';

const late: LocalMetric = { namespace: 'Tributary', metricName: 'LateEvents', dimensions: { service: 'tributary-aggregator' } };
const counted: LocalMetric = { namespace: 'Tributary', metricName: 'EventsCounted', dimensions: { service: 'tributary-aggregator' } };

/** The late-event objective as planAlarms reads it from the template. */
const lateEventRate: LocalAlarm = {
  logicalId: 'LateEventRateAlarm',
  alarmName: 'Tributary-Objectives-LateEventRate-Warning',
  description: 'Threshold of 1 has been breached.',
  queries: [
    { id: 'expr_1', label: 'late ÷ (late + counted) %', returnData: true, expression: 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)' },
    { id: 'part', returnData: false, metric: late, statistic: 'Sum', periodSeconds: 300 },
    { id: 'rest', returnData: false, metric: counted, statistic: 'Sum', periodSeconds: 300 },
  ],
  periodSeconds: 300,
  comparison: 'GreaterThanThreshold',
  threshold: 1,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  treatMissingData: 'missing',
  actionsEnabled: true,
  alarmActions: ['AlarmsTopic'],
  okActions: ['AlarmsTopic'],
  insufficientDataActions: [],
};

const lag: LocalMetric = { namespace: 'Tributary', metricName: 'ConsumerLagMs', dimensions: { service: 'tributary-aggregator' } };
const lagP95: LocalAlarm = {
  ...lateEventRate,
  logicalId: 'LagAlarm',
  alarmName: 'Tributary-Objectives-ConsumerLagP95-Warning',
  queries: [{ id: 'm1', returnData: true, metric: lag, statistic: 'p95', periodSeconds: 300 }],
  threshold: 5_000,
};

const throttles: LocalAlarm = { ...lagP95, logicalId: 'ThrottleAlarm', alarmName: 'Tributary-Aggregates-Write-Throttled-Events-Warning', notEvaluatedReason: 'AWS/DynamoDB WriteThrottleEvents: DynamoDB Local never throttles' };

// Offline periods of 10 s (300 s ÷ 30), aligned to the clock.
const T = Date.UTC(2026, 11, 3, 10, 0, 0);
const second = 1_000;

describe('Class: LocalAlarmEvaluator', () => {
  it('reads OK at rest, then ALARM once three 10 s periods in a row have more than 1 % late events', () => {
    // Prepare
    const evaluator = new LocalAlarmEvaluator([lateEventRate], 30);
    expect(evaluator.statuses()[0]).toMatchObject({ state: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', offlinePeriodSeconds: 10, periodSeconds: 300 });

    // Act: nothing yet — FILL makes the rate 0, so OK.
    const atRest = evaluator.evaluate(T);
    // Three periods of 2 late in 100, each datapoint inside its period.
    for (const period of [0, 1, 2]) {
      evaluator.record(late, [1, 1], T + period * 10 * second + 2 * second);
      evaluator.record(counted, [98], T + period * 10 * second + 3 * second);
    }
    const afterTwo = evaluator.evaluate(T + 20 * second);
    const afterThree = evaluator.evaluate(T + 30 * second);

    // Assess
    expect(atRest).toMatchObject([{ oldState: 'INSUFFICIENT_DATA', newState: 'OK' }]);
    expect(afterTwo).toEqual([]);
    expect(afterThree).toMatchObject([{ oldState: 'OK', newState: 'ALARM', atMs: T + 30 * second, offlinePeriodSeconds: 10 }]);
    expect(evaluator.statuses()[0]).toMatchObject({
      state: 'ALARM',
      lastValue: 2,
      stateChangedAtMs: T + 30 * second,
      severity: 'warning',
      metricLabel: 'Tributary LateEvents, EventsCounted: late ÷ (late + counted) %',
      reason: 'Threshold Crossed: 3 out of the last 3 datapoints [2.0 (03/12/26 10:00:20), 2.0 (03/12/26 10:00:10), 2.0 (03/12/26 10:00:00)] were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).',
    });
  });

  it('evaluates complete periods only: a breaching period still running does not count yet', () => {
    const evaluator = new LocalAlarmEvaluator([{ ...lateEventRate, evaluationPeriods: 1, datapointsToAlarm: 1 }], 30);
    evaluator.record(late, [5], T + 1 * second);
    expect(evaluator.evaluate(T + 9 * second).map((change) => change.newState)).toEqual(['OK']);
    expect(evaluator.evaluate(T + 10 * second).map((change) => change.newState)).toEqual(['ALARM']);
  });

  it('takes p95 over every value of the period, not the sum nor the mean of the lines', () => {
    const evaluator = new LocalAlarmEvaluator([{ ...lagP95, evaluationPeriods: 1, datapointsToAlarm: 1 }], 30);
    // 94 fast values and 6 slow ones in one line: p95 is slow, the mean (≈ 600) is not.
    evaluator.record(lag, [...Array.from({ length: 94 }, () => 100), ...Array.from({ length: 6 }, () => 9_000)], T + second);
    evaluator.evaluate(T + 10 * second);
    expect(evaluator.statuses()[0]).toMatchObject({ state: 'ALARM', lastValue: 9_000 });
  });

  it('tells metrics apart by their dimensions: the per-metric lag series does not feed the pipeline-wide alarm', () => {
    const evaluator = new LocalAlarmEvaluator([{ ...lagP95, evaluationPeriods: 1, datapointsToAlarm: 1 }], 30);
    const perMetric: LocalMetric = { namespace: 'Tributary', metricName: 'ConsumerLagMs', dimensions: { service: 'tributary-aggregator', Metric: 'orders-per-region' } };
    expect(evaluator.wants(perMetric)).toBe(false);
    evaluator.record(perMetric, [60_000], T + second);
    evaluator.evaluate(T + 10 * second);
    expect(evaluator.statuses()[0]).toMatchObject({ state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 1 datapoint was unknown.' });
  });

  it('scales periods by the time scale, never thresholds', () => {
    const evaluator = new LocalAlarmEvaluator([lagP95], 300);
    expect(evaluator.statuses()[0]).toMatchObject({ periodSeconds: 300, offlinePeriodSeconds: 1, threshold: 5_000 });
  });

  it('reports an alarm it cannot evaluate as NOT_EVALUATED with the reason, and never changes it', () => {
    const evaluator = new LocalAlarmEvaluator([throttles], 30);
    expect(evaluator.evaluate(T + 60 * second)).toEqual([]);
    expect(evaluator.statuses()[0]).toMatchObject({ state: 'NOT_EVALUATED', reason: 'AWS/DynamoDB WriteThrottleEvents: DynamoDB Local never throttles', severity: 'warning' });
  });

});

describe('Class: MetricStore', () => {
  it('keeps values by metric and dimensions, returns those of [start, end), and forgets those older than its retention', () => {
    const store = new MetricStore(new Set([metricKey(late)]), 50 * second);
    store.put(late, [1, 2], T);
    store.put(late, [3], T + 10 * second);
    store.put(counted, [99], T);
    expect(store.valuesIn(late, T, T + 10 * second)).toEqual([1, 2]);
    expect(store.valuesIn(late, T, T + 11 * second)).toEqual([1, 2, 3]);
    expect(store.valuesIn(counted, T, T + 10 * second)).toEqual([]);
    store.prune(T + 55 * second);
    expect(store.valuesIn(late, T, T + 11 * second)).toEqual([3]);
  });
});
