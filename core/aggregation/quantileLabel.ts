/** A quantile's name among a result's values: `0.5` → `p50`, `0.999` → `p99.9`. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}
