import type { LocalAlarmState } from './LocalAlarmStatus';
import type { TreatMissingData } from './LocalAlarm';

/** One period of the evaluation range: its start and its value (undefined: no datapoint). */
export interface PeriodValue {
  readonly startMs: number;
  readonly value: number | undefined;
}

/** What an alarm evaluates with, apart from its datapoints. */
export interface AlarmRule {
  readonly comparison: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/** The state an evaluation arrives at, with CloudWatch's StateReason for it. */
export interface AlarmEvaluation {
  readonly state: Exclude<LocalAlarmState, 'NOT_EVALUATED'>;
  readonly reason: string;
}

/** How many periods back CloudWatch looks beyond the evaluation periods (its documented example: 5 for 3). */
export const EXTRA_RANGE_PERIODS = 2;

const COMPARISON_WORDS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** Whether a value breaches the threshold under the comparison. */
export function breaches(comparison: string, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new Error(`comparison ${comparison} is not evaluated offline`);
  }
}

/**
 * The M-out-of-N rule with TreatMissingData, as CloudWatch documents it
 * ("Configuring how CloudWatch alarms treat missing data"), over an evaluation
 * range of N + EXTRA_RANGE_PERIODS periods, oldest first:
 *
 *   - N or more real datapoints in the range: the most recent N real ones are
 *     evaluated, missing ones skipped; TreatMissingData plays no part.
 *   - none at all: missing → INSUFFICIENT_DATA, ignore → the current state,
 *     breaching → ALARM, notBreaching → OK.
 *   - some, fewer than N: every real one counts, and missing ones fill up to N
 *     (as few as possible): breaching ones as breaching, notBreaching ones as
 *     not; `missing` evaluates the real ones alone (M capped at their count);
 *     `ignore` lets each missing one side with the current state (breaching
 *     while in ALARM), which keeps ALARM and OK as they are on partial data.
 *
 * So with `missing`, one breaching datapoint after a gap fires a 3-of-3 alarm,
 * as on CloudWatch. test/local/alarms/evaluateAlarm.test.ts walks the five
 * range patterns of the documentation's 3-of-3 example through these rules.
 */
export function evaluateAlarm(range: readonly PeriodValue[], rule: AlarmRule, currentState: LocalAlarmState): AlarmEvaluation {
  const real = range.filter((period): period is { startMs: number; value: number } => period.value !== undefined);
  const n = rule.evaluationPeriods;
  const isBreaching = (value: number): boolean => breaches(rule.comparison, value, rule.threshold);

  if (real.length === 0) {
    switch (rule.treatMissingData) {
      case 'missing':
        return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.` };
      case 'ignore':
        return { state: currentState === 'NOT_EVALUATED' ? 'INSUFFICIENT_DATA' : currentState, reason: `No datapoints in the last ${range.length} periods: the state is kept (TreatMissingData ignore).` };
      case 'breaching':
        return { state: 'ALARM', reason: `Threshold Crossed: no datapoints were received for ${n} period${n === 1 ? '' : 's'} and ${n} missing datapoint${n === 1 ? ' was' : 's were'} treated as [Breaching].` };
      case 'notBreaching':
        return { state: 'OK', reason: `Threshold Crossed: no datapoints were received for ${n} period${n === 1 ? '' : 's'} and ${n} missing datapoint${n === 1 ? ' was' : 's were'} treated as [NonBreaching].` };
    }
  }

  const evaluated = real.slice(-n);
  const fills = Math.max(0, n - evaluated.length);
  const fillsBreach =
    rule.treatMissingData === 'breaching' || (rule.treatMissingData === 'ignore' && currentState === 'ALARM');
  const counted = rule.treatMissingData === 'missing' ? evaluated.length : n;
  const m = Math.min(rule.datapointsToAlarm, counted);
  const breachingCount = evaluated.filter((period) => isBreaching(period.value)).length + (fills > 0 && rule.treatMissingData !== 'missing' && fillsBreach ? fills : 0);
  const state = breachingCount >= m ? 'ALARM' : 'OK';
  return { state, reason: stateReason(state, evaluated, breachingCount, counted, m, rule, fills) };
}

/** `Threshold Crossed: 3 out of the last 3 datapoints [4.1 (03/12/26 10:01:20), …] were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).` */
function stateReason(state: 'ALARM' | 'OK', evaluated: readonly { startMs: number; value: number }[], breachingCount: number, counted: number, m: number, rule: AlarmRule, fills: number): string {
  const words = COMPARISON_WORDS[rule.comparison] ?? rule.comparison;
  const shown = [...evaluated].reverse().map((period) => `${formatNumber(period.value)} (${formatTime(period.startMs)})`).join(', ');
  const filled = fills > 0 && rule.treatMissingData !== 'missing' ? ` and ${fills} missing datapoint${fills === 1 ? ' was' : 's were'} treated as [${rule.treatMissingData === 'notBreaching' || (rule.treatMissingData === 'ignore' && breachingCount < m) ? 'NonBreaching' : 'Breaching'}]` : '';
  if (state === 'ALARM') {
    return `Threshold Crossed: ${breachingCount} out of the last ${counted} datapoints [${shown}]${filled} ${breachingCount === 1 ? 'was' : 'were'} ${words} the threshold (${formatNumber(rule.threshold)}) (minimum ${m} datapoint${m === 1 ? '' : 's'} for OK -> ALARM transition).`;
  }
  const good = counted - breachingCount;
  const minimumForOk = counted - m + 1;
  return `Threshold Crossed: ${good} out of the last ${counted} datapoints [${shown}]${filled} ${good === 1 ? 'was' : 'were'} not ${words} the threshold (${formatNumber(rule.threshold)}) (minimum ${minimumForOk} datapoint${minimumForOk === 1 ? '' : 's'} for ALARM -> OK transition).`;
}

/** CloudWatch prints thresholds and values with at least one decimal (`1.0`, `0.01`). */
const formatNumber = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(Number(value.toPrecision(6))));

/** `dd/MM/yy HH:mm:ss` in UTC, as in CloudWatch's StateReason. */
function formatTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${two(date.getUTCFullYear() % 100)} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}
