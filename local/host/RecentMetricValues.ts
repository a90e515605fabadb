import type { EmfDatapoint } from './readEmfDatapoints';
import { recentMetricKey } from './recentMetricKey';

/**
 * The EMF values the functions printed since the last `take()`, by
 * recentMetricKey: what the local dashboard computes distributions (p95 lag)
 * from, which running sums cannot give.
 */
export class RecentMetricValues {
  private values: Record<string, number[]> = {};

  public add(datapoints: readonly EmfDatapoint[]): void {
    for (const point of datapoints) {
      // One line's dimension sets can name the same series twice only if the line repeats a set; count it once.
      for (const key of new Set(point.dimensionSets.map((dimensions) => recentMetricKey(point.metricName, dimensions)))) {
        const values = this.values[key] ?? [];
        values.push(...point.values);
        this.values[key] = values;
      }
    }
  }

  /** The values collected so far; starts a new collection. */
  public take(): Record<string, number[]> {
    const taken = this.values;
    this.values = {};
    return taken;
  }
}
