import { describe, expect, it } from 'vitest';
import type { TreatMissingData } from '../../../local/alarms/LocalAlarm';
import type { LocalAlarmState } from '../../../local/alarms/LocalAlarmStatus';
import { evaluateAlarm, type AlarmRule } from '../../../local/alarms/evaluateAlarm';

const T = Date.UTC(2026, 11, 3, 10, 0, 0);
const periodMs = 10_000;
/** `0 - X - X` (oldest first): 0 not breaching, X breaching, - missing; a threshold of 1 above which it breaches. */
const range = (pattern: string) =>
  pattern.split(' ').map((cell, index) => ({ startMs: T + index * periodMs, value: cell === '-' ? undefined : cell === 'X' ? 5 : 0 }));
const rule = (treatMissingData: TreatMissingData, datapointsToAlarm = 3, evaluationPeriods = 3): AlarmRule => ({
  comparison: 'GreaterThanThreshold',
  threshold: 1,
  evaluationPeriods,
  datapointsToAlarm,
  treatMissingData,
});
const stateOf = (pattern: string, treat: TreatMissingData, current: LocalAlarmState = 'OK'): LocalAlarmState => evaluateAlarm(range(pattern), rule(treat), current).state;

describe('Function: evaluateAlarm, the documented missing-data rules for 3 of 3 (evaluation range of 5)', () => {
  // Columns: MISSING, IGNORE, BREACHING, NOT BREACHING ("retain" = the current state).
  const table: [string, LocalAlarmState, LocalAlarmState | 'retain', LocalAlarmState, LocalAlarmState][] = [
    ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
    ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - -', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
    ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['- - X - -', 'ALARM', 'retain', 'ALARM', 'OK'],
  ];

  it.each(table)('%s → missing %s, ignore %s, breaching %s, notBreaching %s', (pattern, missing, ignore, breaching, notBreaching) => {
    expect(stateOf(pattern, 'missing')).toBe(missing);
    expect(stateOf(pattern, 'breaching')).toBe(breaching);
    expect(stateOf(pattern, 'notBreaching')).toBe(notBreaching);
    for (const current of ['OK', 'ALARM'] as const) expect(stateOf(pattern, 'ignore', current)).toBe(ignore === 'retain' ? current : ignore);
  });
});

describe('Function: evaluateAlarm, M out of N', () => {
  it('fires on 2 breaching of the last 3 for 2 of 3, not on 1', () => {
    expect(evaluateAlarm(range('0 0 X 0 X'), rule('missing', 2), 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(range('X X 0 0 X'), rule('missing', 2), 'OK').state).toBe('OK');
  });

  it('compares as its operator says, at the threshold itself', () => {
    const atThreshold = [{ startMs: T, value: 1 }];
    const one = (comparison: string) => evaluateAlarm(atThreshold, { ...rule('missing', 1, 1), comparison }, 'OK').state;
    expect(one('GreaterThanThreshold')).toBe('OK');
    expect(one('GreaterThanOrEqualToThreshold')).toBe('ALARM');
    expect(one('LessThanThreshold')).toBe('OK');
    expect(one('LessThanOrEqualToThreshold')).toBe('ALARM');
  });

  it("gives CloudWatch's StateReason, newest datapoint first", () => {
    const values = [0.5, 2.5, 2, 3.25, 1.5].map((value, index) => ({ startMs: T + index * periodMs, value }));
    expect(evaluateAlarm(values, rule('missing'), 'OK').reason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [1.5 (03/12/26 10:00:40), 3.25 (03/12/26 10:00:30), 2.0 (03/12/26 10:00:20)] were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
    const calm = values.map((period) => ({ ...period, value: 0.25 }));
    expect(evaluateAlarm(calm, rule('missing'), 'ALARM').reason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [0.25 (03/12/26 10:00:40), 0.25 (03/12/26 10:00:30), 0.25 (03/12/26 10:00:20)] were not greater than the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).',
    );
    expect(evaluateAlarm(range('- - - - -'), rule('missing'), 'OK').reason).toBe('Insufficient Data: 3 datapoints were unknown.');
  });
});
