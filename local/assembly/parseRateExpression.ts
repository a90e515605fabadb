const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The interval of an EventBridge `rate(value unit)` expression in ms, or
 * undefined for anything else (`cron(…)`, `at(…)`, a malformed rate). EventBridge
 * wants the singular unit with 1 and the plural otherwise; offline accepts both.
 */
export function parseRateExpression(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  if (!Number.isSafeInteger(value) || value < 1) return undefined;
  return value * UNIT_MS[match[2]!.replace(/s$/, '')]!;
}
