import { SLO_METRICS } from '../../core/observability/SLO_METRICS';
import type { HostStats } from '../host/FunctionHost';
import { percentile } from './percentile';

/** One second of the pipeline, as rates and levels. */
export interface StatsSample {
  readonly atMs: number;
  /** Requests per second per route, e.g. `POST /events`. */
  readonly requestsPerSecond: Readonly<Record<string, number>>;
  /** 4XX answers per second per route. */
  readonly clientErrorsPerSecond: Readonly<Record<string, number>>;
  /** 5XX answers per second per route. */
  readonly serverErrorsPerSecond: Readonly<Record<string, number>>;
  /** Records the event source mappings finished per second. */
  readonly recordsPerSecond: number;
  /** Records finished per second, per event source mapping (logical id). */
  readonly recordsPerSecondByMapping: Readonly<Record<string, number>>;
  /** Function errors per second, all functions. */
  readonly errorsPerSecond: number;
  /** Function errors per second, per function (logical id). */
  readonly errorsPerSecondByFunction: Readonly<Record<string, number>>;
  /** Records sent to the on-failure destination per second. */
  readonly dlqPerSecond: number;
  /** How far the slowest shard is behind its tip (the iterator age, GetRecords MillisBehindLatest). */
  readonly lagMs: number;
  /** Iterator age per event source mapping. */
  readonly iteratorAgeMsByMapping: Readonly<Record<string, number>>;
  /** Scheduled invocations started per second, per schedule (`<rule>→<function>`): the audit, the idle tick. */
  readonly scheduleTicksPerSecond: Readonly<Record<string, number>>;
  /** Failed attempts of scheduled invocations per second, per schedule (a failed audit run shows here). */
  readonly scheduleFailedAttemptsPerSecond: Readonly<Record<string, number>>;
  /** Messages in each dead-letter queue (queue name → ApproximateNumberOfMessages), when the supervisor read them. */
  readonly dlqDepth: Readonly<Record<string, number>>;
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
  /** p95 of the ConsumerLagMs values emitted this second (pipeline-wide); null when none was. */
  readonly consumerLagP95Ms: number | null;
  /** p95 of the BatchDurationMs values emitted this second; null when none was. */
  readonly batchDurationP95Ms: number | null;
  /** p95 of ConsumerLagMs per metric definition (dimension `Metric`), for the definitions a batch touched this second. */
  readonly consumerLagP95MsByMetric: Readonly<Record<string, number>>;
  /** Largest WatermarkDelayMs per metric definition this second. */
  readonly watermarkDelayMsByMetric: Readonly<Record<string, number>>;
}

/**
 * The headline figures over the last minute: meaningful after the load stops
 * (a per-second rate drops to 0 the second it does, a minute's total does not).
 */
export interface LastMinute {
  /** How many seconds of samples the figures cover (less than 60 right after the start). */
  readonly seconds: number;
  readonly requests: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  readonly records: number;
  readonly functionErrors: number;
  /** Failed attempts of scheduled functions. */
  readonly scheduleFailures: number;
  readonly eventsCounted: number;
  readonly lateEvents: number;
  /** 100 × late ÷ (late + counted); null with neither. */
  readonly lateEventRatePercent: number | null;
  readonly duplicatesDropped: number;
  /** 100 × dropped ÷ (counted + dropped); null with neither. */
  readonly duplicateRatePercent: number | null;
  readonly windowsFinalized: number;
  /** p95 over every ConsumerLagMs value of the minute (not an average of per-second p95s). */
  readonly consumerLagP95Ms: number | null;
  readonly batchDurationP95Ms: number | null;
  /** Largest iterator age seen in the minute. */
  readonly maxIteratorAgeMs: number;
}

const LAST_MINUTE_MS = 60_000;
const LAG_PREFIX = `${SLO_METRICS.consumerLagMs}|${SLO_METRICS.metricDimension}=`;
const WATERMARK_PREFIX = `${SLO_METRICS.watermarkDelayMs}|${SLO_METRICS.metricDimension}=`;

/**
 * The last `capacity` seconds of host counters, turned into per-second rates
 * (counters only grow within one host; a restarted host starts from zero, which
 * the differencing treats as a fresh baseline rather than a negative rate), plus
 * the distributions (lag, batch duration) as a real p95 of the values emitted.
 */
export class StatsHistory {
  private readonly samples: StatsSample[] = [];
  /** Raw distribution values of the last minute, for the minute's p95. */
  private readonly recentValues: { atMs: number; lag: readonly number[]; batch: readonly number[] }[] = [];
  private previous: { atMs: number; stats: HostStats } | undefined;

  public constructor(private readonly capacity = 300) {}

  /** Records one host report; `dlqDepth` is what the supervisor last read from the queues. */
  public record(stats: HostStats, atMs: number, dlqDepth: Readonly<Record<string, number>> = {}): void {
    const previous = this.previous;
    this.previous = { atMs, stats };
    if (!previous) return;
    const seconds = Math.max(0.001, (atMs - previous.atMs) / 1_000);
    const rate = (now: number, before: number | undefined): number => Math.max(0, (now - (before !== undefined && before <= now ? before : now)) / seconds);
    const perRoute = (pick: (route: HostStats['routes'][string]) => number): Record<string, number> => {
      const rates: Record<string, number> = {};
      for (const [route, routeStats] of Object.entries(stats.routes)) {
        const before = previous.stats.routes[route];
        rates[route] = rate(pick(routeStats), before ? pick(before) : undefined);
      }
      return rates;
    };
    const sum = (source: HostStats, pick: (mapping: HostStats['mappings'][string]) => number): number =>
      Object.values(source.mappings).reduce((total, mapping) => total + pick(mapping), 0);
    const errors = (source: HostStats): number => Object.values(source.functions).reduce((total, fn) => total + fn.errors, 0);
    const metric = (source: HostStats, name: string): number => Object.values(source.functions).reduce((total, fn) => total + (fn.metrics?.[name] ?? 0), 0);
    const metricRate = (name: string): number => rate(metric(stats, name), metric(previous.stats, name));
    const values = stats.recentMetricValues;
    const lag = values[SLO_METRICS.consumerLagMs] ?? [];
    const batch = values[SLO_METRICS.batchDurationMs] ?? [];
    const consumerLagP95MsByMetric: Record<string, number> = {};
    const watermarkDelayMsByMetric: Record<string, number> = {};
    for (const [key, metricValues] of Object.entries(values)) {
      if (metricValues.length === 0) continue;
      if (key.startsWith(LAG_PREFIX)) consumerLagP95MsByMetric[key.slice(LAG_PREFIX.length)] = percentile(metricValues, 0.95)!;
      if (key.startsWith(WATERMARK_PREFIX)) watermarkDelayMsByMetric[key.slice(WATERMARK_PREFIX.length)] = Math.max(...metricValues);
    }
    this.samples.push({
      atMs,
      requestsPerSecond: perRoute((route) => route.requests),
      clientErrorsPerSecond: perRoute((route) => route.clientErrors),
      serverErrorsPerSecond: perRoute((route) => route.serverErrors),
      recordsPerSecond: rate(sum(stats, (m) => m.processedRecords), sum(previous.stats, (m) => m.processedRecords)),
      recordsPerSecondByMapping: Object.fromEntries(
        Object.entries(stats.mappings).map(([id, m]) => [id, rate(m.processedRecords, previous.stats.mappings[id]?.processedRecords)]),
      ),
      errorsPerSecond: rate(errors(stats), errors(previous.stats)),
      errorsPerSecondByFunction: Object.fromEntries(Object.entries(stats.functions).map(([id, fn]) => [id, rate(fn.errors, previous.stats.functions[id]?.errors)])),
      dlqPerSecond: rate(sum(stats, (m) => m.discardedRecords), sum(previous.stats, (m) => m.discardedRecords)),
      lagMs: Math.max(0, ...Object.values(stats.mappings).map((m) => m.millisBehindLatest)),
      iteratorAgeMsByMapping: Object.fromEntries(Object.entries(stats.mappings).map(([id, m]) => [id, m.millisBehindLatest])),
      scheduleTicksPerSecond: Object.fromEntries(Object.entries(stats.schedules).map(([id, run]) => [id, rate(run.ticks, previous.stats.schedules[id]?.ticks)])),
      scheduleFailedAttemptsPerSecond: Object.fromEntries(
        Object.entries(stats.schedules).map(([id, run]) => [id, rate(run.failedAttempts, previous.stats.schedules[id]?.failedAttempts)]),
      ),
      dlqDepth: { ...dlqDepth },
      eventsCountedPerSecond: metricRate(SLO_METRICS.eventsCounted),
      lateEventsPerSecond: metricRate(SLO_METRICS.lateEvents),
      windowsFinalizedPerSecond: metricRate(SLO_METRICS.windowsFinalized),
      duplicatesDroppedPerSecond: metricRate(SLO_METRICS.duplicatesDropped),
      redeliveriesSkippedPerSecond: metricRate('RedeliveriesSkipped'),
      consumerLagP95Ms: percentile(lag, 0.95) ?? null,
      batchDurationP95Ms: percentile(batch, 0.95) ?? null,
      consumerLagP95MsByMetric,
      watermarkDelayMsByMetric,
    });
    if (this.samples.length > this.capacity) this.samples.shift();
    this.recentValues.push({ atMs, lag: [...lag], batch: [...batch] });
    while (this.recentValues.length > 0 && this.recentValues[0]!.atMs <= atMs - LAST_MINUTE_MS) this.recentValues.shift();
  }

  public snapshot(): readonly StatsSample[] {
    return [...this.samples];
  }

  /** The figures of the minute up to the last sample (rates × the seconds each covers, so totals, not averages). */
  public lastMinute(): LastMinute {
    const last = this.samples[this.samples.length - 1];
    const inMinute = last ? this.samples.filter((sample) => sample.atMs > last.atMs - LAST_MINUTE_MS) : [];
    const totals = { requests: 0, clientErrors: 0, serverErrors: 0, records: 0, functionErrors: 0, scheduleFailures: 0, eventsCounted: 0, lateEvents: 0, duplicatesDropped: 0, windowsFinalized: 0 };
    let maxIteratorAgeMs = 0;
    let previousAtMs: number | undefined = inMinute[0] ? this.samples[this.samples.indexOf(inMinute[0]) - 1]?.atMs : undefined;
    let coveredMs = 0;
    const total = (perSecond: Readonly<Record<string, number>>): number => Object.values(perSecond).reduce((a, b) => a + b, 0);
    for (const sample of inMinute) {
      // A sample's rates hold since the one before it; the first ever is taken as one second.
      const seconds = previousAtMs === undefined ? 1 : (sample.atMs - previousAtMs) / 1_000;
      previousAtMs = sample.atMs;
      coveredMs += seconds * 1_000;
      totals.requests += total(sample.requestsPerSecond) * seconds;
      totals.clientErrors += total(sample.clientErrorsPerSecond) * seconds;
      totals.serverErrors += total(sample.serverErrorsPerSecond) * seconds;
      totals.records += sample.recordsPerSecond * seconds;
      totals.functionErrors += sample.errorsPerSecond * seconds;
      totals.scheduleFailures += total(sample.scheduleFailedAttemptsPerSecond) * seconds;
      totals.eventsCounted += sample.eventsCountedPerSecond * seconds;
      totals.lateEvents += sample.lateEventsPerSecond * seconds;
      totals.duplicatesDropped += sample.duplicatesDroppedPerSecond * seconds;
      totals.windowsFinalized += sample.windowsFinalizedPerSecond * seconds;
      maxIteratorAgeMs = Math.max(maxIteratorAgeMs, sample.lagMs);
    }
    const rounded = Object.fromEntries(Object.entries(totals).map(([name, value]) => [name, Math.round(value)])) as typeof totals;
    const share = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);
    return {
      seconds: Math.round(coveredMs / 1_000),
      ...rounded,
      lateEventRatePercent: share(rounded.lateEvents, rounded.lateEvents + rounded.eventsCounted),
      duplicateRatePercent: share(rounded.duplicatesDropped, rounded.eventsCounted + rounded.duplicatesDropped),
      consumerLagP95Ms: percentile(this.recentValues.flatMap((entry) => entry.lag), 0.95) ?? null,
      batchDurationP95Ms: percentile(this.recentValues.flatMap((entry) => entry.batch), 0.95) ?? null,
      maxIteratorAgeMs,
    };
  }
}
