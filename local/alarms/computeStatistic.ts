/** A statistic the local evaluator cannot compute (`tm90`, `IQM`, …); the alarm is then not evaluated. */
export class UnsupportedStatisticError extends Error {
  public constructor(statistic: string) {
    super(`statistic ${statistic} is not computed offline (Sum, Average, Minimum, Maximum, SampleCount and pNN are)`);
    this.name = 'UnsupportedStatisticError';
  }
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?|100)$/;

/** Throws UnsupportedStatisticError unless computeStatistic can compute `statistic`. */
export function assertSupportedStatistic(statistic: string): void {
  if (['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'].includes(statistic)) return;
  if (PERCENTILE.test(statistic)) return;
  throw new UnsupportedStatisticError(statistic);
}

/**
 * A CloudWatch statistic over the raw values of one period, or undefined when
 * the period has none (a missing datapoint, not 0). Percentiles are
 * nearest-rank over the values themselves: CloudWatch keeps EMF values exactly
 * up to its 100-value lists, so with the sample sizes we emit this is what it
 * reports.
 */
export function computeStatistic(statistic: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Sum':
      return sum(values);
    case 'Average':
      return sum(values) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
    default: {
      const match = PERCENTILE.exec(statistic);
      if (!match) throw new UnsupportedStatisticError(statistic);
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.ceil((Number(match[1]) / 100) * sorted.length);
      return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
  }
}

const sum = (values: readonly number[]): number => values.reduce((total, n) => total + n, 0);
