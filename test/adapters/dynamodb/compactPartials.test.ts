import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowItemKey } from '../../../adapters/dynamodb/aggregateKeys';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { DynamoWindowStore } from '../../../adapters/dynamodb/DynamoWindowStore';
import { itemBytes } from '../../../adapters/dynamodb/itemBytes';
import { openDocumentReads } from '../../../adapters/dynamodb/openDocumentReads';
import { WINDOW_ITEM_BUDGET } from '../../../adapters/dynamodb/windowItemBudget';
import { WindowQueries } from '../../../adapters/dynamodb/WindowQueries';
import { WindowAccumulator } from '../../../core/aggregation/WindowAccumulator';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import type { LateEvent, LateEventSink } from '../../../core/ports/LateEventSink';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import type { PartialWrite } from '../../../core/ports/WindowStore';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';
import type { SourcedEvent } from '../../../core/windowing/placeEvents';
import { envelopeFactory } from '../../support/factories';

/**
 * Partials compacted before a hot window item passes DynamoDB's 400 KB
 * (decision 0016): dense sketches from dozens of shards in ONE window item,
 * on DynamoDB Local, which refuses an item over 400 KB as DynamoDB does.
 */
let emulators: Emulators;
let client: DynamoDBClient;

const T = Date.UTC(2026, 0, 1, 12, 0);
const GROUP = 'eu-west';
const WINDOW = { kind: 'tumbling', sizeMs: 60_000 } as const;
const WATERMARK = { maxDelayMs: 5_000, idleTimeoutMs: 10_000, allowedLatenessMs: 60_000 };
/** Distinct customers: past ~4,700 distinct values a shard's HLL partial is dense, 16 KB. */
const DISTINCT: MetricDefinition = { name: 'customers-per-region', filter: { types: ['order.created'] }, groupBy: ['data.region'], window: WINDOW, watermark: WATERMARK, aggregations: { customers: { kind: 'distinct', field: 'key' } } };
/** Two DDSketches over amounts spread across ~4,000 buckets (below the 4,096 that collapse): ~12 KB each per partial. */
const QUANTILES: MetricDefinition = {
  name: 'amounts-per-region',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: WINDOW,
  watermark: WATERMARK,
  aggregations: { amount: { kind: 'quantiles', field: 'data.amount', quantiles: [0.5, 0.9, 0.99] }, fee: { kind: 'quantiles', field: 'data.fee', quantiles: [0.5, 0.99] } },
};
/** gamma of the DDSketch (1 % accuracy): one value per bucket index. */
const GAMMA = 1.01 / 0.99;

const NO_LATE: LateEventSink = {
  write: async (events: readonly LateEvent[]) => {
    if (events.length > 0) throw new Error(`unexpected late events: ${events.map((e) => e.event.id).join(', ')}`);
  },
};

/** The DynamoDB store, counting the partial writes that lost a race and running a hook before a write. */
class ObservedStore extends DynamoWindowStore {
  public lostRaces = 0;
  public beforeWrite: ((write: PartialWrite) => Promise<void>) | undefined;
  public override async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    await this.beforeWrite?.(write);
    const written = await super.writePartial(write, nowMs);
    if (!written) this.lostRaces += 1;
    return written;
  }
}

/** A harness: one table, one metric, shards writing ONE window of ONE group, an in-memory reference of every event applied. */
async function hotWindow(tableName: string, definition: MetricDefinition, shards: number, compactAboveBytes?: number) {
  await createAggregatesTable(client, tableName);
  const documents = createDocumentClient(client);
  const store = new ObservedStore({ tableName, retentionDays: 365 * 20, client: documents, ...(compactAboveBytes === undefined ? {} : { compactAboveBytes }) });
  const metric = compileMetric(definition);
  const shardIds = Array.from({ length: shards }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
  const aggregator = new WindowedAggregator([metric], store, NO_LATE, new StaticShardDirectory(shardIds, T), { completions: new InMemoryCompletionLog() });
  const expected = new WindowAccumulator(metric.aggregations);
  const read = async () => {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: windowItemKey({ metric: metric.name, group: GROUP, startMs: T }), ConsistentRead: true }));
    const queries = new WindowQueries(openDocumentReads({ daxEndpoint: undefined, region: LOCAL_REGION }, client), tableName);
    const [window] = (await queries.getWindowsWithWatermark([{ metric: metric.name, group: GROUP, startMs: T }])).windows;
    return { item: Item!, window: window! };
  };
  return { store, metric, shardIds, aggregator, expected, read, documents, tableName };
}

/** `count` events of one shard for the hot group, from sequence number `firstSequence` on; `eventData(i)` makes event i's key and amounts. */
function batchOf(shard: number, firstSequence: number, count: number, eventData: (i: number) => { key: string; amount: number; fee: number }): SourcedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const { key, amount, fee } = eventData(i);
    const event = envelopeFactory({ id: `s${shard}-e${firstSequence + i}`, key, time: T + 1_000 + (i % 50_000), data: { region: GROUP, amount, fee } });
    return { event, sequenceNumber: String(firstSequence + i) };
  });
}

/** Customers unique to a shard (so each partial is dense and the window's distinct count is their sum). */
const customersOf = (shard: number, offset = 0) => (i: number) => ({ key: `customer-${shard}-${offset + i}`, amount: 1, fee: 1 });
/** Amounts one per DDSketch bucket from 1e-8 upwards, the fee's in another order, the same spread in every shard. */
const spreadAmounts = (i: number) => ({ key: 'k', amount: 1e-8 * GAMMA ** (i % 4_000), fee: 1e-8 * GAMMA ** ((i * 7) % 4_000) });

function add(expected: WindowAccumulator, batch: readonly SourcedEvent[]): SourcedEvent[] {
  for (const { event } of batch) expected.add(event);
  return [...batch];
}

function partialsOf(item: Record<string, unknown>): { eventCount: number }[] {
  return Object.entries(item)
    .filter(([name]) => /^p\d+$/.test(name))
    .map(([, slot]) => slot as { eventCount: number });
}

describe('Conformance: compacting hot window partials on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-compact-')));
    client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it.each([32, 64])('lands every write of a dense distinct metric on one group written by %i shards at once, exact, and a redelivery after compaction changes nothing', async (shards) => {
    // Prepare: every shard 5,000 customers of its own (a dense 16 KB partial): uncompacted, 64 shards would be ~1 MB.
    const hot = await hotWindow(`compact-distinct-${shards}`, DISTINCT, shards);
    const batches = hot.shardIds.map((_, shard) => add(hot.expected, batchOf(shard, 1_000, 5_000, customersOf(shard))));

    // Act: all shards concurrently, each its batch once; then shard 0 redelivers its batch.
    const summaries = await Promise.all(hot.shardIds.map((shardId, shard) => hot.aggregator.processBatch(shardId, batches[shard]!, T + 2_000)));
    const { item, window } = await hot.read();
    const redelivered = await hot.aggregator.processBatch(hot.shardIds[0]!, batches[0]!, T + 2_000);
    const after = await hot.read();

    // Assess: every write landed and the window holds every event once, the estimate what one HLL over all of them says;
    // the item was compacted (top-level content, partials emptied) and stays under the budget plus one round of partials.
    console.log(`${shards} shards: item ${itemBytes(item)} B, partials still holding content ${partialsOf(item).filter((p) => p.eventCount > 0).length}, lost races ${hot.store.lostRaces}`);
    expect(summaries.map((s) => s.windowsWritten)).toEqual(hot.shardIds.map(() => 1));
    expect([window.eventCount, window.values]).toEqual([shards * 5_000, hot.expected.results()]);
    expect(item.state).toBeDefined();
    expect(partialsOf(item).length).toBe(shards);
    expect(itemBytes(item)).toBeLessThan(WINDOW_ITEM_BUDGET.limitBytes);
    expect([redelivered.windowsWritten, redelivered.redeliveriesSkipped]).toEqual([0, 5_000]);
    expect([after.window.eventCount, after.window.values, after.item.version]).toEqual([window.eventCount, window.values, item.version]);
  }, 300_000);

  it('lands every write of two dense quantiles sketches on one group written by 32 shards at once, exact', async () => {
    // Prepare: every shard 4,000 amounts over 4,000 buckets (two ~12 KB DDSketches a partial; ~770 KB uncompacted).
    const hot = await hotWindow('compact-quantiles', QUANTILES, 32);
    const batches = hot.shardIds.map((_, shard) => add(hot.expected, batchOf(shard, 1_000, 4_000, spreadAmounts)));

    // Act
    const summaries = await Promise.all(hot.shardIds.map((shardId, shard) => hot.aggregator.processBatch(shardId, batches[shard]!, T + 2_000)));
    const { item, window } = await hot.read();

    // Assess
    console.log(`quantiles, 32 shards: item ${itemBytes(item)} B, lost races ${hot.store.lostRaces}`);
    expect(summaries.map((s) => s.windowsWritten)).toEqual(hot.shardIds.map(() => 1));
    expect([window.eventCount, window.values]).toEqual([32 * 4_000, hot.expected.results()]);
    expect(item.state).toBeDefined();
    expect(itemBytes(item)).toBeLessThan(WINDOW_ITEM_BUDGET.limitBytes);
  }, 300_000);

  it('makes a shard whose write raced a compaction re-read and apply its events on its emptied partial, once', async () => {
    // Prepare: shard 0 a sparse partial, shards 1..18 dense ones (~296 KB): the next dense partial passes the budget.
    const hot = await hotWindow('compact-race', DISTINCT, 20);
    const [racer, ...dense] = hot.shardIds;
    await hot.aggregator.processBatch(racer!, add(hot.expected, batchOf(0, 1_000, 10, customersOf(0))), T + 2_000);
    for (const [i, shardId] of dense.slice(0, 18).entries()) await hot.aggregator.processBatch(shardId, add(hot.expected, batchOf(i + 1, 1_000, 5_000, customersOf(i + 1))), T + 2_000);
    const before = await hot.read();

    // Act: shard 0 reads the window for its next batch; before it writes, shard 19's dense partial compacts the item.
    let compactedMeanwhile = false;
    hot.store.beforeWrite = async (write) => {
      if (write.shardId !== racer || compactedMeanwhile) return;
      compactedMeanwhile = true;
      await hot.aggregator.processBatch(dense[18]!, add(hot.expected, batchOf(19, 1_000, 5_000, customersOf(19))), T + 2_000);
    };
    const raced = await hot.aggregator.processBatch(racer!, add(hot.expected, batchOf(0, 2_000, 10, customersOf(0, 10))), T + 2_000);
    const { item, window } = await hot.read();

    // Assess: before, no compaction (no top-level state); the racer lost one race to it, re-read, and its partial holds
    // only its new batch (the first was folded top-level); the window is exact.
    expect(before.item.state).toBeUndefined();
    expect([compactedMeanwhile, hot.store.lostRaces, raced.windowsWritten]).toEqual([true, 1, 1]);
    expect((item.p0 as { eventCount: number }).eventCount).toBe(10);
    expect([window.eventCount, window.values]).toEqual([20 + 19 * 5_000, hot.expected.results()]);
  }, 300_000);
  it('compacts when DynamoDB refuses a partial write as too large, with no estimate to see it coming (pre-emptive compaction off)', async () => {
    // Prepare: the budget at infinity: only the refusal (partials of others written since the read, in production) compacts.
    const hot = await hotWindow('compact-reactive', DISTINCT, 32, Number.POSITIVE_INFINITY);
    const batches = hot.shardIds.map((_, shard) => add(hot.expected, batchOf(shard, 1_000, 5_000, customersOf(shard))));

    // Act: one shard after another, so the 25th or so write is the one DynamoDB refuses.
    for (const [shard, shardId] of hot.shardIds.entries()) await hot.aggregator.processBatch(shardId, batches[shard]!, T + 2_000);
    const { item, window } = await hot.read();

    // Assess: compacted once (the partials after it still hold their content), exact.
    expect(item.state).toBeDefined();
    expect(partialsOf(item).filter((p) => p.eventCount === 0).length).toBeGreaterThan(20);
    expect([window.eventCount, window.values]).toEqual([32 * 5_000, hot.expected.results()]);
  }, 300_000);

  it('compacts in the late-count update of an item over the budget, keeps its content and finalises it from the compacted item', async () => {
    // Prepare: 20 dense partials written with compaction off (~330 KB, over the budget); a store with the default budget reads it.
    const hot = await hotWindow('compact-late', DISTINCT, 20, Number.POSITIVE_INFINITY);
    for (const [shard, shardId] of hot.shardIds.entries()) await hot.aggregator.processBatch(shardId, add(hot.expected, batchOf(shard, 1_000, 5_000, customersOf(shard))), T + 2_000);
    const store = new DynamoWindowStore({ tableName: hot.tableName, retentionDays: 365 * 20, client: hot.documents });
    const key = { metric: hot.metric.name, group: GROUP, startMs: T };
    const [stored] = await store.getWindows([key]);
    const own = stored!.partials[hot.shardIds[0]!]!;
    const marks = { ...own.marks, applied: { [hot.shardIds[0]!]: '9000' } };

    // Act: shard 0 counts 3 late events for the window.
    const counted = await store.addLateCount({ ...key, endMs: T + 60_000, count: 3, expectedVersion: own.version, marks, partialOf: { shardId: hot.shardIds[0]!, eventCount: own.eventCount, state: own.state } }, T + 200_000);
    const { item, window } = await hot.read();

    // Assess: counted, compacted (every partial empty, shard 0's with its new marks), final, and the content unchanged.
    expect(counted).toBe(true);
    expect(partialsOf(item).map((p) => p.eventCount)).toEqual(hot.shardIds.map(() => 0));
    expect((item.p0 as { src: unknown }).src).toEqual(marks);
    expect(itemBytes(item)).toBeLessThan(40_000);
    expect([window.eventCount, window.values, window.lateEventCount, window.finalAtMs]).toEqual([20 * 5_000, hot.expected.results(), 3, T + 200_000]);
  }, 300_000);
  it('compacts a replay into a final window over the budget: the repair content top-level, the partials emptied, still final', async () => {
    // Prepare: 20 dense partials written with compaction off (~330 KB), then the window finalised.
    const hot = await hotWindow('compact-repair', DISTINCT, 21, Number.POSITIVE_INFINITY);
    for (const [shard, shardId] of hot.shardIds.slice(0, 20).entries()) await hot.aggregator.processBatch(shardId, add(hot.expected, batchOf(shard, 1_000, 5_000, customersOf(shard))), T + 2_000);
    expect(await hot.store.finalizeWindows(hot.metric.name, T + 10 * 60_000, T + 300_000)).toBe(1);
    const store = new DynamoWindowStore({ tableName: hot.tableName, retentionDays: 365 * 20, client: hot.documents });
    const replaying = new WindowedAggregator([hot.metric], store, NO_LATE, new StaticShardDirectory(hot.shardIds, T), { completions: new InMemoryCompletionLog() });

    // Act: shard 20 replays 5,000 events the window never held (a dense partial of its own).
    const replayed = await replaying.processBatch(hot.shardIds[20]!, add(hot.expected, batchOf(20, 1_000, 5_000, customersOf(20))), T + 400_000, { kind: 'replay' });
    const { item, window } = await hot.read();

    // Assess: written, compacted, final since the finalisation, and exact.
    expect(replayed.windowsWritten).toBe(1);
    expect(partialsOf(item).map((p) => p.eventCount)).toEqual(hot.shardIds.map(() => 0));
    expect([window.eventCount, window.values, window.finalAtMs]).toEqual([21 * 5_000, hot.expected.results(), T + 300_000]);
  }, 300_000);

  it('refuses, naming the window and its size, a partial that alone passes 400 KB: 26 dense sketches in one metric', async () => {
    // Prepare: 26 distinct aggregations, each dense after 5,000 distinct values: ~416 KB in one shard's partial.
    const fields = Array.from({ length: 26 }, (_, i) => `f${i}`);
    const wide: MetricDefinition = { ...DISTINCT, name: 'wide', aggregations: Object.fromEntries(fields.map((field) => [field, { kind: 'distinct', field: `data.${field}` }])) };
    const hot = await hotWindow('compact-too-large', wide, 1);
    const batch = Array.from({ length: 5_000 }, (_, i) => ({
      event: envelopeFactory({ id: `w${i}`, time: T + 1_000, data: { region: GROUP, ...Object.fromEntries(fields.map((field) => [field, `${field}-${i}`])) } }),
      sequenceNumber: String(1_000 + i),
    }));

    // Act + Assess: a permanent error the aggregator's handler rejects the record with (bisected down to it), not a retry loop.
    await expect(hot.aggregator.processBatch(hot.shardIds[0]!, batch, T + 2_000)).rejects.toThrow(
      new RegExp(`^Window wide group "${GROUP}" at 2026-01-01T12:00:00.000Z would be 4\\d{5} bytes even with its partials compacted; DynamoDB's item limit is 409600 bytes$`),
    );
  }, 300_000);
  it('folds at most 200 partials per compaction (DynamoDB caps an update expression at 4 KB) when 300 shards wrote the window', async () => {
    // Prepare: a 24 KB budget, so that 300 sparse partials (~80 B of content each) compact with ~280 of them holding content.
    const hot = await hotWindow('compact-many', DISTINCT, 300, 24 * 1024);
    const batches = hot.shardIds.map((_, shard) => add(hot.expected, batchOf(shard, 1_000, 3, customersOf(shard))));

    // Act: one shard after another.
    for (const [shard, shardId] of hot.shardIds.entries()) await hot.aggregator.processBatch(shardId, batches[shard]!, T + 2_000);
    const { item, window } = await hot.read();

    // Assess: every write landed, compacted (top-level content), exact.
    expect(item.state).toBeDefined();
    expect([window.eventCount, window.values]).toEqual([300 * 3, hot.expected.results()]);
  }, 300_000);
});
