import type { ResolvedConfig } from './TributaryConfig';

/** The problems of the resolved `audit` section, each an exact message (empty when it is valid). */
export function validateAudit(audit: ResolvedConfig['audit']): string[] {
  const problems: string[] = [];
  if (typeof audit.enabled !== 'boolean') problems.push(`audit.enabled must be true or false (got ${JSON.stringify(audit.enabled)})`);
  const range = (field: string, value: number, min: number, max: number, hint = ''): void => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`audit.${field} must be an integer from ${min} to ${max}${hint} (got ${JSON.stringify(value)})`);
  };
  range('scheduleMinutes', audit.scheduleMinutes, 1, 1_440, ' (EventBridge rates are whole minutes; at most one run a day)');
  range('windowsPerRun', audit.windowsPerRun, 1, 1_000, ' (each window costs its own raw-event reads)');
  range('settleSeconds', audit.settleSeconds, 1, 86_400, ' (the archive consumer must have written a final window\'s events before they are recounted)');
  return problems;
}
