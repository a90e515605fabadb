import { computeStatistic } from './computeStatistic';
import { alarmMetricLabel, alarmSeverity } from './describeAlarm';
import { EXTRA_RANGE_PERIODS, evaluateAlarm, type PeriodValue } from './evaluateAlarm';
import type { LocalAlarm, LocalMetric, LocalMetricQuery } from './LocalAlarm';
import type { LocalAlarmState, LocalAlarmStatus } from './LocalAlarmStatus';
import { evaluateMetricExpression, parseMetricExpression, type ExpressionNode } from './MetricExpression';
import { MetricStore, metricKey } from './MetricStore';

/** One state change, as an alarm notification and alarms.log tell it. */
export interface AlarmStateChange {
  readonly alarm: LocalAlarm;
  readonly oldState: LocalAlarmState;
  readonly newState: LocalAlarmState;
  readonly reason: string;
  readonly atMs: number;
  readonly offlinePeriodSeconds: number;
}

interface AlarmRuntime {
  state: LocalAlarmState;
  reason: string;
  lastValue?: number;
  stateChangedAtMs?: number;
}

/**
 * The template's alarms evaluated over the datapoints the offline pipeline
 * produces: each evaluation computes every period of an alarm's evaluation
 * range (statistic, then metric math), then the M-of-N rule with
 * TreatMissingData (evaluateAlarm). Periods are the template's divided by the
 * time scale and aligned to it, as CloudWatch aligns periods to the clock.
 * Only complete periods are evaluated: a period still running has not all its
 * datapoints yet.
 */
export class LocalAlarmEvaluator {
  private readonly store: MetricStore;
  private readonly runtime = new Map<string, AlarmRuntime>();
  private readonly expressions = new Map<string, ExpressionNode>();

  public constructor(
    public readonly alarms: readonly LocalAlarm[],
    public readonly timeScale: number,
  ) {
    const evaluated = alarms.filter((alarm) => alarm.notEvaluatedReason === undefined);
    const wanted = new Set(evaluated.flatMap((alarm) => alarm.queries.flatMap((query) => ('metric' in query ? [metricKey(query.metric)] : []))));
    const longestRangeMs = Math.max(0, ...evaluated.map((alarm) => this.periodMs(alarm) * (alarm.evaluationPeriods + EXTRA_RANGE_PERIODS + 1)));
    this.store = new MetricStore(wanted, longestRangeMs);
    for (const alarm of alarms) {
      this.runtime.set(
        alarm.logicalId,
        alarm.notEvaluatedReason === undefined ? { state: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation' } : { state: 'NOT_EVALUATED', reason: alarm.notEvaluatedReason },
      );
      for (const query of alarm.queries) if ('expression' in query && alarm.notEvaluatedReason === undefined) this.expressions.set(query.expression, parseMetricExpression(query.expression));
    }
  }

  /** Whether some evaluated alarm reads this metric (the host records only those). */
  public wants(metric: LocalMetric): boolean {
    return this.store.wants(metric);
  }

  /** A datapoint of a metric: its values, measured at `timestampMs`. */
  public record(metric: LocalMetric, values: readonly number[], timestampMs: number): void {
    this.store.put(metric, values, timestampMs);
  }

  /** Evaluates every alarm at `nowMs`; returns the state changes. */
  public evaluate(nowMs: number): AlarmStateChange[] {
    const changes: AlarmStateChange[] = [];
    for (const alarm of this.alarms) {
      const runtime = this.runtime.get(alarm.logicalId)!;
      if (alarm.notEvaluatedReason !== undefined) continue;
      const range = this.range(alarm, nowMs);
      const evaluation = evaluateAlarm(range, alarm, runtime.state);
      const lastValue = range.at(-1)?.value;
      if (lastValue === undefined) delete runtime.lastValue;
      else runtime.lastValue = lastValue;
      runtime.reason = evaluation.reason;
      if (evaluation.state === runtime.state) continue;
      changes.push({ alarm, oldState: runtime.state, newState: evaluation.state, reason: evaluation.reason, atMs: nowMs, offlinePeriodSeconds: this.periodMs(alarm) / 1_000 });
      runtime.state = evaluation.state;
      runtime.stateChangedAtMs = nowMs;
    }
    this.store.prune(nowMs);
    return changes;
  }

  /** Every alarm as it stands now. */
  public statuses(): LocalAlarmStatus[] {
    return this.alarms.map((alarm) => {
      const runtime = this.runtime.get(alarm.logicalId)!;
      return {
        logicalId: alarm.logicalId,
        alarmName: alarm.alarmName,
        description: alarm.description,
        severity: alarmSeverity(alarm.alarmName),
        metricLabel: alarmMetricLabel(alarm),
        comparison: alarm.comparison,
        threshold: alarm.threshold,
        periodSeconds: alarm.periodSeconds,
        offlinePeriodSeconds: this.periodMs(alarm) / 1_000,
        evaluationPeriods: alarm.evaluationPeriods,
        datapointsToAlarm: alarm.datapointsToAlarm,
        state: runtime.state,
        reason: runtime.reason,
        ...(runtime.lastValue === undefined ? {} : { lastValue: runtime.lastValue }),
        ...(runtime.stateChangedAtMs === undefined ? {} : { stateChangedAtMs: runtime.stateChangedAtMs }),
      };
    });
  }

  private periodMs(alarm: LocalAlarm): number {
    return (alarm.periodSeconds * 1_000) / this.timeScale;
  }

  /** The evaluation range ending with the last complete period, oldest first. */
  private range(alarm: LocalAlarm, nowMs: number): PeriodValue[] {
    const periodMs = this.periodMs(alarm);
    const lastEndMs = Math.floor(nowMs / periodMs) * periodMs;
    const count = alarm.evaluationPeriods + EXTRA_RANGE_PERIODS;
    const returned = alarm.queries.find((query) => query.returnData)!;
    const periods: PeriodValue[] = [];
    for (let index = count; index >= 1; index--) {
      const startMs = lastEndMs - index * periodMs;
      periods.push({ startMs, value: this.valueOf(alarm, returned, startMs, startMs + periodMs, new Set()) });
    }
    return periods;
  }

  /** A query's value for one period: its statistic over the period's values, or its expression over the other queries. */
  private valueOf(alarm: LocalAlarm, query: LocalMetricQuery, startMs: number, endMs: number, visiting: Set<string>): number | undefined {
    if ('metric' in query) return computeStatistic(query.statistic, this.store.valuesIn(query.metric, startMs, endMs));
    // An expression that reads itself, directly or not, has no value (CloudWatch rejects it at PutMetricAlarm).
    if (visiting.has(query.id)) return undefined;
    const inner = new Set(visiting).add(query.id);
    return evaluateMetricExpression(this.expressions.get(query.expression)!, (id) => {
      const other = alarm.queries.find((candidate) => candidate.id === id);
      return other === undefined ? undefined : this.valueOf(alarm, other, startMs, endMs, inner);
    });
  }
}
