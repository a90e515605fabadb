import type { HostStats } from '../host/FunctionHost';

/** One second of the pipeline, as rates and levels. */
export interface StatsSample {
  readonly atMs: number;
  /** Requests per second per route, e.g. `POST /events`. */
  readonly requestsPerSecond: Readonly<Record<string, number>>;
  /** Records the event source mappings finished per second. */
  readonly recordsPerSecond: number;
  /** Function errors per second, all functions. */
  readonly errorsPerSecond: number;
  /** Records sent to the on-failure destination per second. */
  readonly dlqPerSecond: number;
  /** How far the slowest shard is behind its tip. */
  readonly lagMs: number;
  /** Events counted into windows per second (the aggregator's EventsCounted metric). */
  readonly eventsCountedPerSecond: number;
  /** Events sent to the late-event output per second (LateEvents). */
  readonly lateEventsPerSecond: number;
  /** Windows marked final per second (WindowsFinalized). */
  readonly windowsFinalizedPerSecond: number;
  /** Producer duplicates dropped before any window per second (DuplicatesDropped). */
  readonly duplicatesDroppedPerSecond: number;
  /** Window applications skipped because the window already held the record (RedeliveriesSkipped). */
  readonly redeliveriesSkippedPerSecond: number;
}

/**
 * The last `capacity` seconds of host counters, turned into per-second rates
 * (counters only grow within one host; a restarted host starts from zero, which
 * the differencing treats as a fresh baseline rather than a negative rate).
 */
export class StatsHistory {
  private readonly samples: StatsSample[] = [];
  private previous: { atMs: number; stats: HostStats } | undefined;

  public constructor(private readonly capacity = 300) {}

  public record(stats: HostStats, atMs: number): void {
    const previous = this.previous;
    this.previous = { atMs, stats };
    if (!previous) return;
    const seconds = Math.max(0.001, (atMs - previous.atMs) / 1_000);
    const rate = (now: number, before: number | undefined): number => Math.max(0, (now - (before !== undefined && before <= now ? before : now)) / seconds);
    const requestsPerSecond: Record<string, number> = {};
    for (const [route, routeStats] of Object.entries(stats.routes)) {
      requestsPerSecond[route] = rate(routeStats.requests, previous.stats.routes[route]?.requests);
    }
    const sum = (source: HostStats, pick: (mapping: HostStats['mappings'][string]) => number): number =>
      Object.values(source.mappings).reduce((total, mapping) => total + pick(mapping), 0);
    const errors = (source: HostStats): number => Object.values(source.functions).reduce((total, fn) => total + fn.errors, 0);
    const metric = (source: HostStats, name: string): number => Object.values(source.functions).reduce((total, fn) => total + (fn.metrics?.[name] ?? 0), 0);
    const metricRate = (name: string): number => rate(metric(stats, name), metric(previous.stats, name));
    this.samples.push({
      atMs,
      requestsPerSecond,
      recordsPerSecond: rate(sum(stats, (m) => m.processedRecords), sum(previous.stats, (m) => m.processedRecords)),
      errorsPerSecond: rate(errors(stats), errors(previous.stats)),
      dlqPerSecond: rate(sum(stats, (m) => m.discardedRecords), sum(previous.stats, (m) => m.discardedRecords)),
      lagMs: Math.max(0, ...Object.values(stats.mappings).map((m) => m.millisBehindLatest)),
      eventsCountedPerSecond: metricRate('EventsCounted'),
      lateEventsPerSecond: metricRate('LateEvents'),
      windowsFinalizedPerSecond: metricRate('WindowsFinalized'),
      duplicatesDroppedPerSecond: metricRate('DuplicatesDropped'),
      redeliveriesSkippedPerSecond: metricRate('RedeliveriesSkipped'),
    });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  public snapshot(): readonly StatsSample[] {
    return [...this.samples];
  }
}
