import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { DynamoAuditSource } from '../../../adapters/dynamodb/DynamoAuditSource';
import { DynamoEventStore, type EventPage } from '../../../adapters/dynamodb/DynamoEventStore';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { EVENT_KEYS, eventSortKey, keyPartition, typeBucketStart, typePartition, typeSuffix } from '../../../adapters/dynamodb/eventKeys';
import { createEventsTable } from '../../../local/tables/createEventsTable';
import { seededRandom } from '../../../local/chaos/seededRandom';
import { envelopeFactory } from '../../support/factories';

/**
 * The by-type half of the archive against DynamoDB Local (decision 0017): pages
 * of many records that overlap in time, wrong clocks across hour buckets,
 * redelivered and replayed records, and rows archived before pages, all read
 * back by type in time order, each event once, over pages of any size.
 */
let emulators: Emulators;
let client: DynamoDBClient;
let store: DynamoEventStore;
const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 3, 10, 0);
const TYPES = ['order.created', 'page.viewed', 'checkout.failed'];

/** Records of ~25 events each; a record's events lie within 3 s of its time, records 1 s apart, so pages overlap. */
function recordsOf(seed: number, count: number): { recordId: string; events: EventEnvelope[] }[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, r) => {
    const base = T + 40 * 60_000 + r * 1_000;
    return {
      recordId: `4960${String(seed).padStart(4, '0')}${String(r).padStart(6, '0')}`,
      events: Array.from({ length: 20 + Math.floor(random() * 10) }, (_, i) => {
        // One event in 15 has a wrong clock: up to an hour either way, into the neighbouring buckets.
        const skew = random() < 1 / 15 ? Math.floor((random() - 0.5) * 2 * HOUR) : Math.floor(random() * 3_000);
        return envelopeFactory({ id: `s${seed}-r${r}-e${i}`, key: `k${Math.floor(random() * 9)}`, type: TYPES[Math.floor(random() * TYPES.length)]!, time: base + skew, receivedAt: Date.now() });
      }),
    };
  });
}

async function write(records: readonly { recordId: string; events: EventEnvelope[] }[]): Promise<void> {
  const events = records.flatMap((record) => record.events);
  const refused = await store.putEvents(events, [], records.flatMap((record) => record.events.map(() => record.recordId)));
  expect(refused).toEqual([]);
}

async function allOfType(type: string, fromMs: number, toMs: number, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page: EventPage = await store.byType(type, { fromMs, toMs, limit, ...(cursor ? { cursor } : {}) });
    expect(page.events.length).toBeLessThanOrEqual(limit);
    ids.push(...page.events.map((event) => event.id));
    cursor = page.cursor;
    pages += 1;
  } while (cursor && pages < 2_000);
  return { ids, pages };
}

/** What a by-type read must return: each event once, by time, id and key. */
function expectedOf(events: readonly EventEnvelope[], type: string, fromMs: number, toMs: number): string[] {
  const unique = new Map(events.filter((event) => event.type === type && event.time >= fromMs && event.time < toMs).map((event) => [`${event.key}\u0000${event.id}`, event]));
  return [...unique.values()].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.key < b.key ? -1 : 1)).map((event) => event.id);
}

describe('Conformance: type pages of the raw events archive on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-pages-')));
    client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await createEventsTable(client, 'events');
    // Two items per Query: every read of a bucket takes many Queries per source, so the merge's order across them is what is tested.
    store = new DynamoEventStore('events', 30, createDocumentClient(client), undefined, 2);
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('reads every type in time order, each event once, over pages of 4, 17 and 60 events, after redelivered and replayed records', async () => {
    // Arrange: 40 records; 5 redelivered as they were; 3 replayed (the same events in new records).
    const records = recordsOf(1, 40);
    await write(records);
    await write(records.slice(10, 15));
    await write(records.slice(20, 23).map((record) => ({ ...record, recordId: `${record.recordId}9` })));
    const events = records.flatMap((record) => record.events);
    const from = T + 40 * 60_000 + 7_500;
    const to = T + HOUR + 30 * 60_000;

    for (const type of TYPES) {
      const expected = expectedOf(events, type, from, to);
      for (const limit of [4, 17, 60]) {
        // Act
        const { ids } = await allOfType(type, from, to, limit);

        // Assess
        expect(ids, `${type}, pages of ${limit}`).toEqual(expected);
      }
    }
    // The audit reads the same layout: the same events, each once.
    const audit = new DynamoAuditSource({ aggregatesTable: 'unused', eventsTable: 'events', client: createDocumentClient(client) });
    const audited = await audit.rawEvents(TYPES, from, to);
    expect(audited.items.map((event) => event.id).sort()).toEqual(TYPES.flatMap((type) => expectedOf(events, type, from, to)).sort());
  }, 180_000);

  it('writes about one item per event: a row each, and a page per record, type and second', async () => {
    // Arrange: a fresh table, so the count is this write's.
    await createEventsTable(client, 'counted');
    const counted = new DynamoEventStore('counted', 30, createDocumentClient(client));
    const records = recordsOf(2, 20);
    const events = records.flatMap((record) => record.events);

    // Act
    await counted.putEvents(events, [], records.flatMap((record) => record.events.map(() => record.recordId)));

    // Assess
    const items = await client.send(new ScanCommand({ TableName: 'counted', Select: 'COUNT' }));
    const indexRows = await client.send(new ScanCommand({ TableName: 'counted', IndexName: EVENT_KEYS.typeIndex, Select: 'COUNT' }));
    const pages = (items.Count ?? 0) - events.length;
    expect(indexRows.Count).toBe(0);
    expect(pages).toBeGreaterThanOrEqual(records.length);
    // 20 records of 20-29 events, 3 types, each record's events within 3 s: at most 3 × 4 pages a record.
    expect(pages).toBeLessThanOrEqual(records.length * TYPES.length * 4 + events.length / 15 + 5);
    expect(pages).toBeLessThan(events.length / 2);
  });

  it('reads rows archived before pages (in the by-type index) merged in time order with pages', async () => {
    // Arrange: rows as the archive wrote them before decision 0017, then pages of the same type and hour.
    const documents = createDocumentClient(client);
    const old = Array.from({ length: 12 }, (_, i) => envelopeFactory({ id: `old-${i}`, key: `o${i % 2}`, type: 'legacy.type', time: T + 5 * 60_000 + i * 500, receivedAt: Date.now() }));
    for (const event of old) {
      await documents.send(
        new PutCommand({
          TableName: 'events',
          Item: {
            [EVENT_KEYS.partitionKey]: keyPartition(event.key),
            [EVENT_KEYS.sortKey]: eventSortKey(event.time, event.id),
            [EVENT_KEYS.typePartitionKey]: typePartition(event.type, typeBucketStart(event.time), typeSuffix(event.id)),
            event: JSON.stringify(event),
            [EVENT_KEYS.ttlAttribute]: Math.floor(Date.now() / 1000) + 86_400,
          },
        }),
      );
    }
    const fresh = Array.from({ length: 12 }, (_, i) => envelopeFactory({ id: `new-${i}`, key: `n${i % 3}`, type: 'legacy.type', time: T + 5 * 60_000 + i * 500 + 250, receivedAt: Date.now() }));
    await store.putEvents(fresh, [], fresh.map((_, i) => `rec-${Math.floor(i / 4)}`));

    // Act
    const { ids } = await allOfType('legacy.type', T, T + HOUR, 5);

    // Assess: interleaved, 250 ms apart.
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => [`old-${i}`, `new-${i}`]).flat());
  });
});
