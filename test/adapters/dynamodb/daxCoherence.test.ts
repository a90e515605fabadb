import { describe, expect, it } from 'vitest';
import { queryMetric } from '../../../functions/query/queryMetric';
import { compileMetric } from '../../../core/metrics/compileMetric';
import { WindowQueries } from '../../../adapters/dynamodb/WindowQueries';
import { DaxDouble, InMemoryTable } from '../../../local/tables/DaxDouble';
import { ordersPerRegion } from '../../support/factories';

const T = Date.UTC(2026, 10, 22, 12, 0);
const metric = compileMetric(ordersPerRegion);
const range = { group: 'eu', from: String(T), to: String(T + 60_000) };

function windowItem(orders: number) {
  return { pk: 'orders-per-region#eu', windowStart: T, metric: 'orders-per-region', group: 'eu', windowEnd: T + 60_000, eventCount: orders, values: { orders }, version: orders };
}

async function setUp() {
  const table = new InMemoryTable();
  await table.put({ pk: '~watermark', windowStart: -1, watermarks: { 'orders-per-region': T } });
  await table.put(windowItem(2));
  let nowMs = 0;
  const dax = new DaxDouble(table, { itemTtlMs: 1_000, queryTtlMs: 1_000 }, () => nowMs);
  const read = async () => (await queryMetric([metric], new WindowQueries(dax, 'aggregates'), 'orders-per-region', range, T + 120_000)).windows[0]?.eventCount;
  return { table, dax, read, at: (ms: number) => (nowMs = ms) };
}

describe('Cache coherence through DAX (item cache, query cache)', () => {
  it('shows a change that bypassed DAX (the aggregator writes DynamoDB directly) once the item TTL passes: staleness ≤ itemTtlMs', async () => {
    const { table, read, at } = await setUp();
    expect(await read()).toBe(2);

    at(100);
    await table.put(windowItem(3));
    at(999);
    const stale = await read();
    at(1_000);
    const fresh = await read();

    expect(stale).toBe(2);
    expect(fresh).toBe(3);
  });

  it('shows a write sent through DAX at once (write-through item cache)', async () => {
    const { dax, read, at } = await setUp();
    expect(await read()).toBe(2);

    at(10);
    await dax.putThrough(windowItem(4));

    expect(await read()).toBe(4);
  });

  it('serves recent windows by key, never from the query cache that writes do not invalidate', async () => {
    const { dax, read, at } = await setUp();
    await read();
    await read();
    expect(dax.stats).toMatchObject({ queryMisses: 0, queryHits: 0, itemHits: 2 });

    // Why: a Query result stays as it was until its own TTL, whatever is written meanwhile.
    const queries = new WindowQueries(dax, 'aggregates');
    expect((await queries.queryWindows('orders-per-region', 'eu', T, T + 60_000))[0]!.eventCount).toBe(2);
    at(500);
    await dax.putThrough(windowItem(5));
    expect((await queries.queryWindows('orders-per-region', 'eu', T, T + 60_000))[0]!.eventCount).toBe(2);
    expect(await read()).toBe(5);
  });
});
