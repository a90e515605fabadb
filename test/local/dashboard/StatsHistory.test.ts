import { describe, expect, it } from 'vitest';
import { StatsHistory } from '../../../local/dashboard/StatsHistory';
import type { HostStats } from '../../../local/host/FunctionHost';
import { emptyMappingStats } from '../../../local/esm/MappingStats';

const stats = (
  requests: number,
  processedRecords: number,
  errors: number,
  lagMs = 0,
  metrics: Record<string, number> = {},
  recentMetricValues?: Record<string, number[]>,
): HostStats => ({
  functions: { Aggregator: { invocations: 0, errors, coldStarts: 1, metrics } },
  mappings: { Esm: { ...emptyMappingStats(), processedRecords, millisBehindLatest: lagMs } },
  routes: { 'POST /events': { requests, clientErrors: Math.floor(requests / 10), serverErrors: 0 } },
  schedules: {},
  recentMetricValues: recentMetricValues ?? {},
  alarms: [],
});

describe('Class: StatsHistory', () => {
  it('turns growing counters into per-second rates', () => {
    // Prepare
    const history = new StatsHistory();

    // Act
    history.record(stats(10, 100, 0, 0, { EventsCounted: 100, LateEvents: 1 }), 1_000);
    history.record(stats(30, 600, 2, 250, { EventsCounted: 590, LateEvents: 5, WindowsFinalized: 4, DuplicatesDropped: 6, RedeliveriesSkipped: 20 }), 3_000);

    // Assess
    expect(history.snapshot()).toEqual([
      {
        atMs: 3_000,
        requestsPerSecond: { 'POST /events': 10 },
        clientErrorsPerSecond: { 'POST /events': 1 },
        serverErrorsPerSecond: { 'POST /events': 0 },
        recordsPerSecond: 250,
        recordsPerSecondByMapping: { Esm: 250 },
        errorsPerSecond: 1,
        errorsPerSecondByFunction: { Aggregator: 1 },
        dlqPerSecond: 0,
        lagMs: 250,
        iteratorAgeMsByMapping: { Esm: 250 },
        scheduleTicksPerSecond: {},
        scheduleFailedAttemptsPerSecond: {},
        dlqDepth: {},
        eventsCountedPerSecond: 245,
        lateEventsPerSecond: 2,
        windowsFinalizedPerSecond: 2,
        duplicatesDroppedPerSecond: 3,
        redeliveriesSkippedPerSecond: 10,
        consumerLagP95Ms: null,
        batchDurationP95Ms: null,
        consumerLagP95MsByMetric: {},
        watermarkDelayMsByMetric: {},
      },
    ]);
  });

  it('treats a restarted host (counters back near zero) as a new baseline, never a negative rate', () => {
    const history = new StatsHistory();
    history.record(stats(500, 5_000, 3), 1_000);
    history.record(stats(4, 40, 0), 2_000);
    expect(history.snapshot()[0]).toMatchObject({ requestsPerSecond: { 'POST /events': 0 }, recordsPerSecond: 0, errorsPerSecond: 0 });
  });

  it('reads the EMF metrics a function prints, as CloudWatch would', async () => {
    const { readEmfMetrics } = await import('../../../local/host/readEmfMetrics');
    const line = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Tributary', Dimensions: [['service']], Metrics: [{ Name: 'LateEvents', Unit: 'Count' }, { Name: 'EventsCounted', Unit: 'Count' }] }] },
      service: 'tributary-aggregator',
      LateEvents: [2, 3],
      EventsCounted: 40,
    });
    expect(readEmfMetrics(line)).toEqual({ LateEvents: 5, EventsCounted: 40 });
    expect(readEmfMetrics('{"level":"INFO","message":"batch applied"}')).toBeUndefined();
    expect(readEmfMetrics('{"_aws": broken')).toBeUndefined();
  });

  it('keeps only the last `capacity` samples', () => {
    const history = new StatsHistory(3);
    for (let second = 0; second < 10; second++) history.record(stats(second, second, 0), second * 1_000);
    expect(history.snapshot().map((sample) => sample.atMs)).toEqual([7_000, 8_000, 9_000]);
  });

  it('charts consumer lag as the p95 of the ConsumerLagMs values of each second, not their sum or mean', () => {
    // Prepare
    const history = new StatsHistory();
    const lagValues = Array.from({ length: 100 }, (_, i) => (i + 1) * 10); // 10 … 1,000 ms
    history.record(stats(0, 0, 0), 1_000);

    // Act
    history.record(
      stats(0, 0, 0, 0, {}, {
        ConsumerLagMs: lagValues,
        BatchDurationMs: [40, 60, 900],
        'ConsumerLagMs|Metric=orders-per-region': [100, 200, 3_000],
        'WatermarkDelayMs|Metric=orders-per-region': [7_000, 5_000],
        'ConsumerLagMs|Metric=user-sessions': [],
      }),
      2_000,
    );

    // Assess
    expect(history.snapshot()[0]).toMatchObject({
      consumerLagP95Ms: 950,
      batchDurationP95Ms: 900,
      consumerLagP95MsByMetric: { 'orders-per-region': 3_000 },
      watermarkDelayMsByMetric: { 'orders-per-region': 7_000 },
    });
    expect(Object.keys(history.snapshot()[0]!.consumerLagP95MsByMetric)).toEqual(['orders-per-region']);
  });

  it("keeps the last minute's figures after the load stops, while the per-second rates drop to 0", () => {
    // Prepare: 10 s of 100 counted + 2 late events per second, 100 lag values each second, then 20 idle seconds.
    const history = new StatsHistory();
    let counted = 0;
    let late = 0;
    history.record(stats(0, 0, 0, 0, { EventsCounted: 0, LateEvents: 0 }), 0);
    for (let second = 1; second <= 10; second++) {
      counted += 100;
      late += 2;
      const lag = Array.from({ length: 100 }, (_, i) => second * 100 + i);
      history.record(stats(second * 10, counted, 0, 400, { EventsCounted: counted, LateEvents: late, WindowsFinalized: second }, { ConsumerLagMs: lag }), second * 1_000);
    }

    // Act
    for (let second = 11; second <= 30; second++) history.record(stats(100, counted, 0, 0, { EventsCounted: counted, LateEvents: late, WindowsFinalized: 10 }, {}), second * 1_000);

    // Assess
    expect(history.snapshot().at(-1)).toMatchObject({ eventsCountedPerSecond: 0, lateEventsPerSecond: 0, consumerLagP95Ms: null });
    expect(history.lastMinute()).toEqual({
      seconds: 30,
      requests: 100,
      clientErrors: 10,
      serverErrors: 0,
      records: 1_000,
      functionErrors: 0,
      scheduleFailures: 0,
      eventsCounted: 1_000,
      lateEvents: 20,
      lateEventRatePercent: (100 * 20) / 1_020,
      duplicatesDropped: 0,
      duplicateRatePercent: 0,
      windowsFinalized: 10,
      // 1,000 values 100 … 1,099 (10 per hundred): nearest rank 950 of them is 1,049.
      consumerLagP95Ms: 1_049,
      batchDurationP95Ms: null,
      maxIteratorAgeMs: 400,
    });
  });

  it('forgets what is older than a minute: the headline reads the minute, not the history', () => {
    const history = new StatsHistory();
    history.record(stats(0, 0, 0, 0, { EventsCounted: 0, LateEvents: 0 }), 0);
    history.record(stats(0, 0, 0, 0, { EventsCounted: 500, LateEvents: 500 }, { ConsumerLagMs: [60_000] }), 1_000);
    for (let second = 2; second <= 70; second++) history.record(stats(0, 0, 0, 0, { EventsCounted: 500 + second, LateEvents: 500 }, { ConsumerLagMs: [100] }), second * 1_000);
    expect(history.lastMinute()).toMatchObject({ seconds: 60, eventsCounted: 60, lateEvents: 0, lateEventRatePercent: 0, consumerLagP95Ms: 100 });
  });

  it('counts the runs and failed attempts of each scheduled function, so a failing audit shows', () => {
    const history = new StatsHistory();
    const withSchedules = (ticks: number, failedAttempts: number): HostStats => ({
      ...stats(0, 0, 0),
      schedules: { 'AuditSchedule→AuditFunction': { ticks, failedAttempts, deadLettered: 0 } },
    });
    history.record(withSchedules(1, 0), 1_000);
    history.record(withSchedules(3, 3), 3_000);
    expect(history.snapshot()[0]).toMatchObject({ scheduleTicksPerSecond: { 'AuditSchedule→AuditFunction': 1 }, scheduleFailedAttemptsPerSecond: { 'AuditSchedule→AuditFunction': 1.5 } });
    expect(history.lastMinute().scheduleFailures).toBe(2);
  });

  it('carries the DLQ depths the supervisor read, per queue', () => {
    const history = new StatsHistory();
    history.record(stats(0, 0, 0), 1_000, { AggregatorDeadLetterQueue: 0 });
    history.record(stats(0, 0, 0), 2_000, { AggregatorDeadLetterQueue: 3, ChangesDeadLetterQueue: 0 });
    expect(history.snapshot()[0]!.dlqDepth).toEqual({ AggregatorDeadLetterQueue: 3, ChangesDeadLetterQueue: 0 });
  });
});
