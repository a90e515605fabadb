import type { LocalMetric } from './LocalAlarm';

interface Sample {
  readonly timestampMs: number;
  readonly values: readonly number[];
}

/** `Tributary|LateEvents|{"service":"tributary-aggregator"}`: CloudWatch tells metrics apart by all three. */
export const metricKey = (metric: LocalMetric): string =>
  `${metric.namespace}|${metric.metricName}|${JSON.stringify(Object.fromEntries(Object.entries(metric.dimensions).sort(([a], [b]) => a.localeCompare(b))))}`;

/**
 * The raw values of the metrics the alarms read, kept as long as the longest
 * evaluation range needs them. A metric whose dimensions differ in any way is
 * another metric, as in CloudWatch (no wildcard, no subset match).
 */
export class MetricStore {
  private readonly series = new Map<string, Sample[]>();

  public constructor(
    /** The keys (metricKey) worth keeping; everything else is dropped on arrival. */
    private readonly wanted: ReadonlySet<string>,
    private readonly retentionMs: number,
  ) {}

  public wants(metric: LocalMetric): boolean {
    return this.wanted.has(metricKey(metric));
  }

  public put(metric: LocalMetric, values: readonly number[], timestampMs: number): void {
    const key = metricKey(metric);
    if (!this.wanted.has(key) || values.length === 0) return;
    const samples = this.series.get(key) ?? [];
    samples.push({ timestampMs, values });
    this.series.set(key, samples);
  }

  /** Every value with a timestamp in [startMs, endMs). */
  public valuesIn(metric: LocalMetric, startMs: number, endMs: number): number[] {
    const values: number[] = [];
    for (const sample of this.series.get(metricKey(metric)) ?? []) {
      if (sample.timestampMs >= startMs && sample.timestampMs < endMs) values.push(...sample.values);
    }
    return values;
  }

  /** Forgets samples older than the retention. */
  public prune(nowMs: number): void {
    for (const [key, samples] of this.series) {
      const kept = samples.filter((sample) => sample.timestampMs >= nowMs - this.retentionMs);
      if (kept.length === samples.length) continue;
      if (kept.length === 0) this.series.delete(key);
      else this.series.set(key, kept);
    }
  }
}
