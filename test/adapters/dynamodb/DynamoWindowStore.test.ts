import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { LateEvent, LateEventSink } from '../../../core/ports/LateEventSink';
import { AGGREGATE_KEYS } from '../../../adapters/dynamodb/aggregateKeys';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { DynamoWindowStore } from '../../../adapters/dynamodb/DynamoWindowStore';
import { toStoredWindow } from '../../../adapters/dynamodb/windowItems';
import type { StoredWindow } from '../../../core/ports/WindowStore';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';
import { definitions, expectWindowsMatch, generatedEvent, MAX_DELAY_MS, recompute, split, toEvents } from '../../support/windowingReference';

/**
 * The window store against real DynamoDB Local: conditional puts, session
 * transactions, the pending-final index and the watermark items, with several
 * shards' consumers writing the same windows at the same time.
 */
let emulators: Emulators;
let client: DynamoDBClient;
let tableCounter = 0;

async function freshStore(): Promise<{ store: DynamoWindowStore; tableName: string }> {
  const tableName = `aggregates-${++tableCounter}`;
  await createAggregatesTable(client, tableName);
  return { store: new DynamoWindowStore({ tableName, retentionDays: 365 * 20, client: createDocumentClient(client) }), tableName };
}

async function storedWindows(tableName: string): Promise<StoredWindow[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return items
    .filter((item) => item[AGGREGATE_KEYS.partitionKey] !== AGGREGATE_KEYS.watermarkPartition && item[AGGREGATE_KEYS.sortKey] !== AGGREGATE_KEYS.sessionGroupSort)
    .map(toStoredWindow);
}

class RecordingSink implements LateEventSink {
  public readonly events: LateEvent[] = [];
  public async write(events: readonly LateEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

describe('Conformance: DynamoWindowStore on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-store-')));
    client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('gives the batch recomputation when four shards write the same windows and sessions at the same time', async () => {
    // Prepare: one seeded event set within the watermark bound, keyed over 4 shards, 3 groups shared by all.
    const [generated] = fc.sample(fc.array(generatedEvent(MAX_DELAY_MS - 1), { minLength: 300, maxLength: 300 }), { seed: 42, numRuns: 1 });
    const events = toEvents(generated!);
    const metrics = definitions(0).map(compileMetric);
    const shardIds = [0, 1, 2, 3].map((i) => `shardId-00000000000${i}`);
    const { store, tableName } = await freshStore();
    const sink = new RecordingSink();
    const aggregator = new WindowedAggregator(metrics, store, sink, new StaticShardDirectory(shardIds, Date.now()), { completions: new InMemoryCompletionLog() }, { retryBaseMs: 5, maxWriteAttempts: 30 });

    // Act: every shard's batches in order, the shards concurrently.
    let sequence = 0;
    await Promise.all(
      shardIds.map(async (shardId, index) => {
        const own = events.filter((event) => Number(event.key.slice(1)) % 4 === index);
        for (const batch of split(own, [7, 13, 4])) {
          await aggregator.processBatch(shardId, batch.map((event) => ({ event, sequenceNumber: String(++sequence) })), Date.now());
        }
      }),
    );

    // Assess
    expect(sink.events).toEqual([]);
    const windows = await storedWindows(tableName);
    expectWindowsMatch(windows, metrics, recompute(metrics, events));
    expect(windows.filter((w) => w.finalAtMs !== undefined).length).toBeGreaterThan(10);
    // ~1,000 conditional writes against DynamoDB Local on two shared cores: minutes, not the default 30 s, when CI is busy.
  }, 180_000);

  it('finalises each window once, refuses writes to it after, and counts late events on it', async () => {
    // Prepare
    const metrics = definitions(0).map(compileMetric);
    const { store, tableName } = await freshStore();
    const sink = new RecordingSink();
    const aggregator = new WindowedAggregator(metrics, store, sink, new StaticShardDirectory(['shardId-000000000000'], Date.now()), { completions: new InMemoryCompletionLog() });
    const [early, advance, late] = toEvents([
      { stepMs: 0, backMs: 0, key: 0, region: 0, amount: 5, user: 1, failed: false },
      { stepMs: 30_000, backMs: 0, key: 0, region: 0, amount: 6, user: 2, failed: false },
      { stepMs: 0, backMs: 30_000, key: 0, region: 0, amount: 7, user: 3, failed: true },
    ]);

    // Act: the early event opens windows; the advance moves the watermark past them; the late one arrives after.
    await aggregator.processBatch('shardId-000000000000', [{ event: early!, sequenceNumber: '1' }], Date.now());
    await aggregator.processBatch('shardId-000000000000', [{ event: advance!, sequenceNumber: '2' }], Date.now());
    await aggregator.processBatch('shardId-000000000000', [{ event: late!, sequenceNumber: '3' }], Date.now());
    const again = await store.finalizeWindows('tumbling', Number.MAX_SAFE_INTEGER - 1, Date.now());

    // Assess: the tumbling window of the early event is final, unchanged, and counts one late event.
    const tumbling = (await storedWindows(tableName)).filter((w) => w.metric === 'tumbling' && w.startMs <= early!.time && early!.time < w.endMs);
    expect(tumbling).toEqual([expect.objectContaining({ eventCount: 1, lateEventCount: 1, finalAtMs: expect.any(Number), values: expect.objectContaining({ revenue: 5 }) })]);
    expect(again).toBe(1); // only the advance's own window was still pending
    expect(sink.events.map((e) => [e.metric, e.event.id])).toEqual([
      ['tumbling', late!.id],
      ['hopping', late!.id],
      ['session', late!.id],
    ]);
  });
});
