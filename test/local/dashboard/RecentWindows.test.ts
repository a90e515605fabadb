import { describe, expect, it } from 'vitest';
import type { CountValueUpdated } from '../../../core/changes/CountValueUpdated';
import { declaredMetricsOf } from '../../../local/dashboard/declaredMetricsOf';
import { RecentWindows } from '../../../local/dashboard/RecentWindows';
import { tributaryConfig } from '../../../infra/tributary.config';

const change = (overrides: Partial<CountValueUpdated> = {}): CountValueUpdated => ({
  type: 'count-value-updated',
  metric: 'orders-per-region',
  group: 'eu-west',
  windowStart: 60_000,
  windowEnd: 120_000,
  old: null,
  new: { eventCount: 1, lateEvents: 0, values: { orders: 1, revenue: 10 } },
  final: false,
  timestamp: 1_000,
  changeId: '1',
  ...overrides,
});

describe('Class: RecentWindows', () => {
  it('lists every declared metric, with its window in words and its aggregations, before any change', () => {
    // Act
    const snapshot = new RecentWindows(declaredMetricsOf(tributaryConfig.metrics)).snapshot();

    // Assess
    expect(snapshot.metrics.map(({ name, window, windows }) => ({ name, window, windows }))).toEqual([
      { name: 'orders-per-region', window: 'tumbling 60 s', windows: [] },
      { name: 'checkout-errors-5m', window: 'hopping 300 s every 60 s', windows: [] },
      { name: 'user-sessions', window: 'session, gap 1800 s', windows: [] },
    ]);
    expect(snapshot.metrics[0]!.aggregations).toEqual(['orders', 'revenue', 'largestOrder', 'averageOrder', 'customers', 'amount']);
  });

  it('keeps the latest value of each window and its state, and ignores an older change that arrives after a newer one', () => {
    // Prepare
    const windows = new RecentWindows(declaredMetricsOf(tributaryConfig.metrics));

    // Act
    const first = windows.apply(change(), 10_000);
    const second = windows.apply(change({ timestamp: 3_000, changeId: '300', final: true, new: { eventCount: 3, lateEvents: 1, values: { orders: 3, revenue: 45 } } }), 11_000);
    const stale = windows.apply(change({ timestamp: 2_000, changeId: '200', new: { eventCount: 2, lateEvents: 0, values: { orders: 2, revenue: 20 } } }), 12_000);
    // Same (coarse) timestamp: the lower sequence number is the older change.
    const sameSecondOlder = windows.apply(change({ timestamp: 3_000, changeId: '299', new: { eventCount: 9, lateEvents: 0, values: {} } }), 13_000);

    // Assess
    expect(first).toMatchObject({ state: 'open', eventCount: 1 });
    expect(second).toEqual({
      metric: 'orders-per-region',
      group: 'eu-west',
      windowStart: 60_000,
      windowEnd: 120_000,
      state: 'final',
      eventCount: 3,
      lateEvents: 1,
      values: { orders: 3, revenue: 45 },
      updatedAtMs: 3_000,
      changeId: '300',
      receivedAtMs: 11_000,
    });
    expect(stale).toBeUndefined();
    expect(sameSecondOlder).toBeUndefined();
    expect(windows.snapshot().metrics[0]!.windows).toEqual([second]);
  });

  it('drops a session merged into another (new: null), and pushes that as a deletion', () => {
    const windows = new RecentWindows([{ name: 'user-sessions', window: 'session', aggregations: ['pageViews'] }]);
    windows.apply(change({ metric: 'user-sessions', group: 'u1' }));
    const deleted = windows.apply(change({ metric: 'user-sessions', group: 'u1', new: null, timestamp: 2_000 }));
    expect(deleted).toMatchObject({ deleted: true, windowStart: 60_000 });
    expect(windows.snapshot().metrics[0]!.windows).toEqual([]);
  });

  it('keeps the newest windows of the most recently changed groups, within its limits', () => {
    // Prepare
    const windows = new RecentWindows([{ name: 'orders-per-region', window: 'tumbling 60 s', aggregations: ['orders'] }], { groupsPerMetric: 2, windowsPerGroup: 2 });

    // Act: three windows of group a, then groups b and c.
    for (const start of [0, 60_000, 120_000]) windows.apply(change({ group: 'a', windowStart: start, windowEnd: start + 60_000 }));
    windows.apply(change({ group: 'b' }));
    windows.apply(change({ group: 'a', windowStart: 120_000, windowEnd: 180_000, timestamp: 5_000 }));
    windows.apply(change({ group: 'c' }));

    // Assess: b was the least recently changed group; a keeps its two newest windows.
    expect(windows.snapshot().metrics[0]!.windows.map((w) => `${w.group}@${w.windowStart}`)).toEqual(['a@120000', 'a@60000', 'c@60000']);
  });

  it('shows a metric it was not told about after the declared ones', () => {
    const windows = new RecentWindows([{ name: 'orders-per-region', window: 'tumbling 60 s', aggregations: ['orders'] }]);
    windows.apply(change({ metric: 'something-else' }));
    expect(windows.snapshot().metrics.map((metric) => [metric.name, metric.window, metric.windows.length])).toEqual([
      ['orders-per-region', 'tumbling 60 s', 0],
      ['something-else', 'not declared here', 1],
    ]);
  });
});
