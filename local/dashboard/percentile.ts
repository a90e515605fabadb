/**
 * The nearest-rank percentile of `values` (`fraction` 0.95 for p95), or
 * undefined when there are none: CloudWatch's pNN over a period's values, for
 * the few hundred values a second or minute holds offline.
 */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}
