import type { ResolvedConfig } from './TributaryConfig';

/** One @, something before it, a dotted domain after it, no spaces: what SNS can mail (it checks no further either). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The problems of the alarm topic's subscriptions (empty when all is well). */
export function validateAlarmSubscriptions(observability: Pick<ResolvedConfig['observability'], 'alarmEmails' | 'alarmHttpsEndpoints'>): string[] {
  const problems: string[] = [];
  const { alarmEmails, alarmHttpsEndpoints } = observability;
  if (!Array.isArray(alarmEmails)) {
    problems.push(`observability.alarmEmails must be an array of email addresses (got ${JSON.stringify(alarmEmails)})`);
  } else {
    alarmEmails.forEach((email, index) => {
      if (typeof email !== 'string' || !EMAIL.test(email)) problems.push(`observability.alarmEmails[${index}] must be an email address such as "oncall@example.com" (got ${JSON.stringify(email)})`);
    });
  }
  if (!Array.isArray(alarmHttpsEndpoints)) {
    problems.push(`observability.alarmHttpsEndpoints must be an array of https URLs (got ${JSON.stringify(alarmHttpsEndpoints)})`);
  } else {
    alarmHttpsEndpoints.forEach((endpoint, index) => {
      if (!isHttpsUrl(endpoint)) {
        problems.push(`observability.alarmHttpsEndpoints[${index}] must be an https URL such as "https://events.pagerduty.com/integration/…/enqueue" (http would send alarms in the clear) (got ${JSON.stringify(endpoint)})`);
      }
    });
  }
  return problems;
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}
