import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../core/audit/runAudit';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { AuditedWindow, AuditSource, Read } from '../../../core/ports/AuditSource';
import { envelopeFactory, ordersPerRegion } from '../../support/factories';

const START_MS = Date.UTC(2026, 0, 1, 12, 0);
const NOW_MS = START_MS + 10 * 60_000;

/** A source over fixed windows and events that records what it was asked. */
class RecordingSource implements AuditSource {
  public readonly listed: [string, number, number, number][] = [];
  public readonly read: [readonly string[], number, number][] = [];
  public constructor(
    private readonly windows: readonly AuditedWindow[],
    private readonly events: readonly EventEnvelope[],
  ) {}
  public async finalWindows(metric: string, fromMs: number, toMs: number, limit: number): Promise<Read<AuditedWindow[]>> {
    this.listed.push([metric, fromMs, toMs, limit]);
    return { items: this.windows.filter((w) => w.metric === metric && w.finalAtMs >= fromMs && w.finalAtMs < toMs), readUnits: 4 };
  }
  public async rawEvents(types: readonly string[], fromMs: number, toMs: number): Promise<Read<EventEnvelope[]>> {
    this.read.push([types, fromMs, toMs]);
    return { items: this.events.filter((e) => types.includes(e.type) && e.time >= fromMs && e.time < toMs), readUnits: 1.5 };
  }
}

const windowOf = (group: string, minute: number, eventCount: number, finalAtMs = NOW_MS - 3 * 60_000): AuditedWindow => ({
  metric: 'orders-per-region',
  group,
  startMs: START_MS + minute * 60_000,
  endMs: START_MS + (minute + 1) * 60_000,
  eventCount,
  lateEventCount: 0,
  finalAtMs,
});
const order = (id: string, region: string, minute: number) => envelopeFactory({ id, time: START_MS + minute * 60_000 + 1, receivedAt: START_MS + minute * 60_000 + 1, data: { region, amount: 1 } });

describe('Function: runAudit', () => {
  it('lists the windows final in [now − settle − lookback, now − settle), reads each range once for all its groups, and sums what it found and what it cost', async () => {
    // Prepare: two groups in minute 0 (eu holds one order too many), one in minute 1; one window too recent to audit.
    const source = new RecordingSource(
      [windowOf('eu', 0, 2), windowOf('us', 0, 1), windowOf('eu', 1, 1), windowOf('us', 1, 1, NOW_MS - 30_000)],
      [order('a', 'eu', 0), order('b', 'us', 0), order('c', 'eu', 1), order('d', 'us', 1)],
    );
    const sessions = compileMetric({ ...ordersPerRegion, name: 'sessions', window: { kind: 'session', gapMs: 1_000 } });

    // Act
    const report = await runAudit([compileMetric(ordersPerRegion), sessions], source, { windowsPerRun: 10, settleMs: 120_000, lookbackMs: 300_000, nowMs: NOW_MS });

    // Assess
    expect(source.listed).toEqual([['orders-per-region', NOW_MS - 420_000, NOW_MS - 120_000, 10]]);
    // In sample order (eu's newest first), each range once.
    expect(source.read).toEqual([
      [['order.created'], START_MS + 60_000, START_MS + 120_000],
      [['order.created'], START_MS, START_MS + 60_000],
    ]);
    expect(report.skipped).toEqual([{ metric: 'sessions', reason: 'session windows are not audited: a session is shaped by its whole group history, which one time-range read cannot recount' }]);
    expect(report.audits.map(({ group, startMs, surplus, deficit }) => ({ group, minute: (startMs - START_MS) / 60_000, surplus, deficit }))).toEqual([
      { group: 'eu', minute: 1, surplus: 0, deficit: 0 },
      { group: 'us', minute: 0, surplus: 0, deficit: 0 },
      { group: 'eu', minute: 0, surplus: 1, deficit: 0 },
    ]);
    expect({
      auditedWindows: report.auditedWindows,
      mismatchedWindows: report.mismatchedWindows,
      surplusEvents: report.surplusEvents,
      deficitEvents: report.deficitEvents,
      auditedEvents: report.auditedEvents,
      readUnits: report.readUnits,
    }).toEqual({ auditedWindows: 3, mismatchedWindows: 1, surplusEvents: 1, deficitEvents: 0, auditedEvents: 3, readUnits: 4 + 2 * 1.5 });
  });

  it('audits at most windowsPerRun windows', async () => {
    const windows = Array.from({ length: 30 }, (_, i) => windowOf(`g${i}`, 0, 0));
    const report = await runAudit([compileMetric(ordersPerRegion)], new RecordingSource(windows, []), { windowsPerRun: 7, settleMs: 120_000, lookbackMs: 300_000, nowMs: NOW_MS });

    expect(report.auditedWindows).toBe(7);
  });
});
