import { NO_MARKS } from '../../../core/delivery/SourceMarks';
import { describe, expect, it } from 'vitest';
import { queryMetric } from '../../../functions/query/queryMetric';
import type { WindowReader } from '../../../core/ports/WindowReader';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { StoredWindow, WindowKey } from '../../../core/ports/WindowStore';
import { ordersPerRegion } from '../../support/factories';
import { rejection } from '../../support/rejection';

/** Records every read; answers from a fixed list of windows and watermarks. */
class RecordingReader implements WindowReader {
  public readonly calls: unknown[][] = [];
  public constructor(
    private readonly windows: StoredWindow[] = [],
    private readonly watermarkMs: Record<string, number> = {},
  ) {}
  public async getWindowsWithWatermark(keys: readonly WindowKey[]) {
    this.calls.push(['batchGet', keys.length, keys[0]?.startMs]);
    return { windows: keys.map((k) => this.windows.find((w) => w.startMs === k.startMs && w.group === k.group)), watermarkMs: this.watermarkMs };
  }
  public async queryWindows(...args: unknown[]): Promise<StoredWindow[]> {
    this.calls.push(['query', ...args]);
    return this.windows;
  }
  public async readPipelineWatermark(): Promise<Record<string, number>> {
    this.calls.push(['watermark']);
    return this.watermarkMs;
  }
}

// A minute of allowed lateness: an ended window is on time for a minute before it is final.
const metric = compileMetric({ ...ordersPerRegion, watermark: { allowedLatenessMs: 60_000 } });
const now = Date.UTC(2026, 0, 1, 13, 0);
const start = Date.UTC(2026, 0, 1, 12, 0);
const stored = (startMs: number, extra: Partial<StoredWindow> = {}): StoredWindow => ({
  metric: 'orders-per-region',
  group: 'eu',
  startMs,
  endMs: startMs + 60_000,
  eventCount: 3,
  state: {},
  values: { orders: 3, revenue: 7.5 },
  lateEventCount: 0,
  version: 1,
  updatedAtMs: now,
  marks: NO_MARKS,
  partials: {},
  ...extra,
});

describe('Function: queryMetric', () => {
  it('reads a range of up to 99 computable windows and the watermark in one BatchGetItem, with each window state', async () => {
    // Prepare: watermark at 12:01:30 — window 12:00 has ended (on time), 12:01 is open, 11:58 was finalised.
    const reader = new RecordingReader(
      [stored(start - 120_000, { finalAtMs: now, lateEventCount: 2 }), stored(start), stored(start + 60_000, { eventCount: 1, values: { orders: 1, revenue: 2 } })],
      { 'orders-per-region': start + 90_000 },
    );

    // Act
    const result = await queryMetric([metric], reader, 'orders-per-region', { group: 'eu', from: '2026-01-01T11:58:00Z', to: String(start + 120_000) }, now);

    // Assess
    expect(reader.calls).toEqual([['batchGet', 4, start - 120_000]]);
    expect(result).toMatchObject({ metric: 'orders-per-region', group: 'eu', window: { kind: 'tumbling', sizeMs: 60_000 }, watermark: start + 90_000, from: start - 120_000, to: start + 120_000 });
    expect(result.windows).toEqual([
      { windowStart: start - 120_000, windowEnd: start - 60_000, start: '2026-01-01T11:58:00.000Z', end: '2026-01-01T11:59:00.000Z', state: 'final', eventCount: 3, lateEvents: 2, values: { orders: 3, revenue: 7.5 } },
      { windowStart: start, windowEnd: start + 60_000, start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:01:00.000Z', state: 'on-time', eventCount: 3, lateEvents: 0, values: { orders: 3, revenue: 7.5 } },
      { windowStart: start + 60_000, windowEnd: start + 120_000, start: '2026-01-01T12:01:00.000Z', end: '2026-01-01T12:02:00.000Z', state: 'open', eventCount: 1, lateEvents: 0, values: { orders: 1, revenue: 2 } },
    ]);
  });

  it('queries larger ranges, defaulting to the last hour', async () => {
    const reader = new RecordingReader();
    await queryMetric([metric], reader, 'orders-per-region', { group: 'eu', from: String(now - 100 * 60_000) }, now);
    await queryMetric([metric], reader, 'orders-per-region', { group: 'eu' }, now);
    expect(reader.calls).toEqual([['query', 'orders-per-region', 'eu', now - 100 * 60_000, now], ['watermark'], ['batchGet', 60, now - 3_600_000]]);
  });

  it('uses the single group of an ungrouped metric and reads session windows with a Query', async () => {
    const reader = new RecordingReader();
    const sessions = compileMetric({ ...ordersPerRegion, groupBy: [], window: { kind: 'session', gapMs: 1_000 } });
    const result = await queryMetric([sessions], reader, 'orders-per-region', {}, now);
    expect(reader.calls).toEqual([['query', 'orders-per-region', '(all)', now - 3_600_000, now], ['watermark']]);
    expect(result.watermark).toBeNull();
  });

  it.each([
    ['nope', {}, 404, 'Unknown metric "nope"; declared metrics: orders-per-region'],
    ['orders-per-region', {}, 400, 'Query parameter "group" is required: metric "orders-per-region" is grouped by data.region'],
    ['orders-per-region', { group: 'g'.repeat(262_145) }, 400, 'Query parameter "group" must be at most 262144 characters, the largest event (got 262145)'],
    ['orders-per-region', { group: 'eu', from: 'yesterday' }, 400, 'Query parameter "from" must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds'],
    ['orders-per-region', { group: 'eu', from: String(now), to: String(now) }, 400, `"from" (${now}) must be before "to" (${now})`],
    ['orders-per-region', { group: 'eu', from: '0', to: String(now) }, 400, `The range spans ${Math.ceil(now / 60_000)} windows starting every 60000 ms; at most 10000 per request`],
  ])('refuses %s %j with %i', async (name, params, status, message) => {
    expect(await rejection(queryMetric([metric], new RecordingReader(), name, params, now))).toEqual({ status, message });
  });
});
