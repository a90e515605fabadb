import type { LocalQuota } from '../assembly/LocalPlan';

const DAY_MS = 86_400_000;

/**
 * Start (epoch ms, UTC) of the quota period `nowMs` falls in: the day, the
 * week from Monday, or the month. A usage plan's count starts again at each.
 */
export function quotaPeriodStart(period: LocalQuota['period'], nowMs: number): number {
  const dayStartMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  switch (period) {
    case 'DAY':
      return dayStartMs;
    case 'WEEK': {
      // getUTCDay: 0 is Sunday; Monday starts the week.
      const daysSinceMonday = (new Date(dayStartMs).getUTCDay() + 6) % 7;
      return dayStartMs - daysSinceMonday * DAY_MS;
    }
    case 'MONTH': {
      const now = new Date(nowMs);
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    }
  }
}
