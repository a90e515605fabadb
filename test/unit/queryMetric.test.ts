import { describe, expect, it } from 'vitest';
import { queryMetric } from '../../functions/query/queryMetric';
import { RequestError } from '../../shared/errors';
import type { AggregateStore, StoredWindow } from '../../shared/storage/AggregateStore';
import { ordersPerRegion } from '../support/factories';

class RecordingStore implements AggregateStore {
  public readonly queries: unknown[][] = [];
  public constructor(private readonly windows: StoredWindow[] = []) {}
  public async applyDeltas(): Promise<void> {}
  public async queryWindows(...args: unknown[]): Promise<StoredWindow[]> {
    this.queries.push(args);
    return this.windows;
  }
}

const now = Date.UTC(2026, 0, 1, 13, 0);
const rejection = async (promise: Promise<unknown>): Promise<{ status: number; message: string }> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error('expected a RequestError');
};

describe('Function: queryMetric', () => {
  it('queries [from, to) for the group and returns windows with ISO bounds', async () => {
    // Prepare
    const start = Date.UTC(2026, 0, 1, 12, 0);
    const store = new RecordingStore([{ windowStartMs: start, windowEndMs: start + 60_000, eventCount: 3, values: { orders: 3, revenue: 7.5 }, updatedAtMs: now }]);

    // Act
    const result = await queryMetric([ordersPerRegion], store, 'orders-per-region', { group: 'eu', from: '2026-01-01T12:00:00Z', to: String(now) }, now);

    // Assess
    expect(store.queries).toEqual([['orders-per-region', 'eu', start, now]]);
    expect(result).toEqual({
      metric: 'orders-per-region',
      group: 'eu',
      from: start,
      to: now,
      windowSizeMs: 60_000,
      windows: [{ windowStart: start, windowEnd: start + 60_000, start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:01:00.000Z', eventCount: 3, values: { orders: 3, revenue: 7.5 } }],
    });
  });

  it('defaults to the last hour', async () => {
    const store = new RecordingStore();
    await queryMetric([ordersPerRegion], store, 'orders-per-region', { group: 'eu' }, now);
    expect(store.queries).toEqual([['orders-per-region', 'eu', now - 3_600_000, now]]);
  });

  it('uses the single group of an ungrouped metric', async () => {
    const store = new RecordingStore();
    await queryMetric([{ ...ordersPerRegion, groupBy: [] }], store, 'orders-per-region', {}, now);
    expect(store.queries[0]![1]).toBe('(all)');
  });

  it.each([
    ['nope', {}, 404, 'Unknown metric "nope"; declared metrics: orders-per-region'],
    ['orders-per-region', {}, 400, 'Query parameter "group" is required: metric "orders-per-region" is grouped by data.region'],
    ['orders-per-region', { group: 'eu', from: 'yesterday' }, 400, 'Query parameter "from" must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds'],
    ['orders-per-region', { group: 'eu', from: String(now), to: String(now) }, 400, `"from" (${now}) must be before "to" (${now})`],
    ['orders-per-region', { group: 'eu', from: '0', to: String(now) }, 400, `The range spans ${Math.ceil(now / 60_000)} windows of 60000 ms; at most 10000 per request`],
  ])('refuses %s %j with %i', async (name, params, status, message) => {
    expect(await rejection(queryMetric([ordersPerRegion], new RecordingStore(), name, params, now))).toEqual({ status, message });
  });
});
