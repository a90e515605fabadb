import { describe, expect, it } from 'vitest';
import { queryEvents } from '../../../functions/query/queryEvents';
import type { EventRangeQuery } from '../../../adapters/dynamodb/DynamoEventStore';
import { envelopeFactory } from '../../support/factories';
import { rejection } from '../../support/rejection';

const now = Date.UTC(2026, 10, 22, 12, 0);

/** Records the reads; answers one page. */
class RecordingEventStore {
  public readonly calls: [string, string, EventRangeQuery][] = [];
  public async byKey(key: string, query: EventRangeQuery) {
    this.calls.push(['key', key, query]);
    return { events: [envelopeFactory()], cursor: 'next' };
  }
  public async byType(type: string, query: EventRangeQuery) {
    this.calls.push(['type', type, query]);
    return { events: [] };
  }
}


describe('Function: queryEvents', () => {
  it('reads one key or one type over [from, to) with the limit and cursor given, the last hour by default', async () => {
    const store = new RecordingEventStore();

    const byKey = await queryEvents(store, { key: 'customer-1', from: '2026-11-22T11:00:00Z', to: String(now), limit: '50', cursor: 'abc' }, now);
    const byType = await queryEvents(store, { type: 'order.created' }, now);

    expect(store.calls).toEqual([
      ['key', 'customer-1', { fromMs: now - 3_600_000, toMs: now, limit: 50, cursor: 'abc' }],
      ['type', 'order.created', { fromMs: now - 3_600_000, toMs: now, limit: 100 }],
    ]);
    expect(byKey).toEqual({ key: 'customer-1', from: now - 3_600_000, to: now, events: [envelopeFactory()], cursor: 'next' });
    expect(byType).toEqual({ type: 'order.created', from: now - 3_600_000, to: now, events: [] });
  });

  it.each([
    [{}, 'Give exactly one of the query parameters "key" or "type"'],
    [{ key: 'a', type: 'b' }, 'Give exactly one of the query parameters "key" or "type"'],
    [{ key: '' }, 'Query parameter "key" must not be empty'],
    [{ type: 't', from: String(now), to: String(now) }, `"from" (${now}) must be before "to" (${now})`],
    [{ type: 't', to: 'tomorrow' }, 'Query parameter "to" must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds'],
    [{ type: 't', limit: '0' }, 'Query parameter "limit" must be a whole number from 1 to 1000 (got "0")'],
    [{ type: 't', limit: '2.5' }, 'Query parameter "limit" must be a whole number from 1 to 1000 (got "2.5")'],
  ])('refuses %j with a 400 naming the problem', async (params, message) => {
    expect(await rejection(queryEvents(new RecordingEventStore(), params, now))).toEqual({ status: 400, message });
  });
});
