import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { RequestError } from '../../../core/errors';
import { DynamoEventStore } from '../../../adapters/dynamodb/DynamoEventStore';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { createEventsTable } from '../../../local/tables/createEventsTable';
import { envelopeFactory } from '../../support/factories';

/** The raw event store against DynamoDB Local: key design, by-type merge across buckets and suffixes, cursors. */
let emulators: Emulators;
let store: DynamoEventStore;
const HOUR = 3_600_000;
const T = Date.UTC(2026, 10, 20, 10, 0);

/** 120 events over 3 hours: 3 keys, 2 types, ids whose suffixes spread over the 4 partitions. */
const events: EventEnvelope[] = Array.from({ length: 120 }, (_, i) =>
  envelopeFactory({ id: `evt-${String(i).padStart(4, '0')}`, key: `k${i % 3}`, type: i % 4 === 0 ? 'page.viewed' : 'order.created', time: T + i * 90_000, receivedAt: Date.now() }),
);

async function allPages(read: (cursor?: string) => Promise<{ events: EventEnvelope[]; cursor?: string }>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await read(cursor);
    ids.push(...page.events.map((event) => event.id));
    cursor = page.cursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { ids, pages };
}

describe('Conformance: DynamoEventStore on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-events-')));
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await createEventsTable(client, 'events');
    store = new DynamoEventStore('events', 30, createDocumentClient(client));
    // Written twice, shuffled: redelivery writes the same items.
    await store.putEvents([...events].reverse());
    await store.putEvents(events.slice(0, 40));
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('reads one key in time order over pages, half-open [from, to)', async () => {
    const from = T + 10 * 90_000;
    const to = T + 100 * 90_000;
    const { ids, pages } = await allPages((cursor) => store.byKey('k1', { fromMs: from, toMs: to, limit: 7, ...(cursor ? { cursor } : {}) }));
    const expected = events.filter((e) => e.key === 'k1' && e.time >= from && e.time < to).map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(pages).toBeGreaterThan(4);
  });

  it('reads one type in time order across hour buckets and suffix partitions, page by page', async () => {
    const from = T + 30 * 60_000;
    const to = T + 3 * HOUR;
    const { ids } = await allPages((cursor) => store.byType('order.created', { fromMs: from, toMs: to, limit: 9, ...(cursor ? { cursor } : {}) }));
    const expected = events.filter((e) => e.type === 'order.created' && e.time >= from && e.time < to).map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(new Set(events.filter((e) => e.type === 'order.created').map((e) => e.id)).size).toBe(90);
  });

  it('refuses a cursor from another query, or one it never issued, with the reason', async () => {
    const first = await store.byKey('k1', { fromMs: T, toMs: T + 3 * HOUR, limit: 2 });
    await expect(store.byKey('k2', { fromMs: T, toMs: T + 3 * HOUR, limit: 2, cursor: first.cursor! })).rejects.toThrow(
      new RequestError(400, 'Query parameter "cursor" belongs to a different query (key, type, from and to must stay the same across pages)'),
    );
    await expect(store.byType('page.viewed', { fromMs: T, toMs: T + HOUR, limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(RequestError);
  });
});
