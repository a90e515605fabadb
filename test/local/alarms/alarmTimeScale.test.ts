import { describe, expect, it } from 'vitest';
import { alarmTimeScale, DEFAULT_ALARM_TIME_SCALE, InvalidAlarmTimeScaleError } from '../../../local/alarms/alarmTimeScale';

describe('Function: alarmTimeScale', () => {
  it('defaults to 30 (a 5-minute period lasts 10 s offline) and takes any number ≥ 1', () => {
    expect(alarmTimeScale(undefined)).toBe(DEFAULT_ALARM_TIME_SCALE);
    expect(DEFAULT_ALARM_TIME_SCALE).toBe(30);
    expect(alarmTimeScale('')).toBe(30);
    expect(alarmTimeScale('1')).toBe(1);
    expect(alarmTimeScale('300')).toBe(300);
  });

  it.each(['0', '0.5', '-3', 'fast', 'Infinity'])('refuses %s with the exact message', (value) => {
    expect(() => alarmTimeScale(value)).toThrow(new InvalidAlarmTimeScaleError(value));
    expect(() => alarmTimeScale(value)).toThrow(`TRIBUTARY_ALARM_TIME_SCALE must be a number ≥ 1 (how many times faster offline alarm periods run than on AWS), got "${value}"`);
  });
});
