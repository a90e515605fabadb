/** Offline alarm periods are the template's divided by this: a 5-minute period lasts 10 s. */
export const DEFAULT_ALARM_TIME_SCALE = 30;

/** A TRIBUTARY_ALARM_TIME_SCALE that is not a number ≥ 1. */
export class InvalidAlarmTimeScaleError extends Error {
  public constructor(value: string) {
    super(`TRIBUTARY_ALARM_TIME_SCALE must be a number ≥ 1 (how many times faster offline alarm periods run than on AWS), got "${value}"`);
    this.name = 'InvalidAlarmTimeScaleError';
  }
}

/**
 * The time scale of the offline alarms, from TRIBUTARY_ALARM_TIME_SCALE
 * (@default 30). Only periods are scaled, never thresholds: an objective alarm
 * of 3 × 5 minutes shows within about 30 s of the load that breaches it.
 */
export function alarmTimeScale(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ALARM_TIME_SCALE;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale < 1) throw new InvalidAlarmTimeScaleError(value);
  return scale;
}
