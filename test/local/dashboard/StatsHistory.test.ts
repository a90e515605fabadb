import { describe, expect, it } from 'vitest';
import { StatsHistory } from '../../../local/dashboard/StatsHistory';
import type { HostStats } from '../../../local/host/FunctionHost';
import { emptyMappingStats } from '../../../local/esm/MappingStats';

const stats = (requests: number, processedRecords: number, errors: number, lagMs = 0, metrics: Record<string, number> = {}): HostStats => ({
  functions: { Aggregator: { invocations: 0, errors, coldStarts: 1, metrics } },
  mappings: { Esm: { ...emptyMappingStats(), processedRecords, millisBehindLatest: lagMs } },
  routes: { 'POST /events': { requests, clientErrors: 0, serverErrors: 0 } },
  schedules: {},
  recentMetricValues: {},
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
        recordsPerSecond: 250,
        errorsPerSecond: 1,
        dlqPerSecond: 0,
        lagMs: 250,
        eventsCountedPerSecond: 245,
        lateEventsPerSecond: 2,
        windowsFinalizedPerSecond: 2,
        duplicatesDroppedPerSecond: 3,
        redeliveriesSkippedPerSecond: 10,
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
});
