import type { CompiledAggregation } from '../metrics/compileMetric';
import type { AggregateValue } from './AggregateValue';
import { quantileLabel } from './quantileLabel';

/**
 * The results of a window that saw no event, by aggregation name: what
 * `new WindowAccumulator(aggregations).results()` returns, worked out without
 * building the sketches, so readers (the query API) load no sketch code.
 * Counts and sums are 0, a distinct count of nothing is 0, every quantile,
 * mean, ratio, minimum and maximum is null ("no data").
 */
export function emptyResults(aggregations: readonly CompiledAggregation[]): Record<string, AggregateValue> {
  const results: Record<string, AggregateValue> = {};
  for (const aggregation of aggregations) {
    switch (aggregation.kind) {
      case 'count':
      case 'countIf':
      case 'sum':
      case 'distinct':
        results[aggregation.name] = 0;
        break;
      case 'quantiles':
        results[aggregation.name] = Object.fromEntries(aggregation.quantiles.map((q) => [quantileLabel(q), null]));
        break;
      default:
        results[aggregation.name] = null;
    }
  }
  return results;
}
