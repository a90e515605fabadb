// npm run bench:hot → bench/results/hot-windows.json: what a hot window costs in DynamoDB at 2, 8 and 64 shards
// (sparse), and a dense distinct window 64 shards write one after another, compacted at three budgets (dense):
// the size of one window item every shard wrote (per-shard partials of the example config's orders-per-region,
// HLL + DDSketch states), the write units of one partial write, and the requests and read units of one batch
// (with other shards' progress cached, and one that reads the whole ~watermark partition).
// Counted on DynamoDB Local with ReturnConsumedCapacity on every request; small on purpose (the full 64-shard
// pipeline benchmark lives in bench/e2e.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createDocumentClient } from '../adapters/dynamodb/createDocumentClient';
import { DynamoWindowStore } from '../adapters/dynamodb/DynamoWindowStore';
import { windowItemKey } from '../adapters/dynamodb/aggregateKeys';
import { itemBytes } from '../adapters/dynamodb/itemBytes';
import { DEFAULT_PROGRESS_CACHE_MS, WindowedAggregator } from '../core/aggregator/WindowedAggregator';
import { compileMetric } from '../core/metrics/compileMetric';
import { InMemoryCompletionLog } from '../core/ports/inMemory/InMemoryCompletionLog';
import { StaticShardDirectory } from '../core/ports/ShardDirectory';
import { tributaryConfig } from '../infra/tributary.config';
import { LOCAL_CREDENTIALS } from '../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../local/emulators/Emulators';
import { createAggregatesTable } from '../local/tables/createAggregatesTable';

const SHARD_COUNTS = [2, 8, 64];
const EVENTS_PER_BATCH = 20;
const T = Date.UTC(2026, 0, 1, 12, 0);

/** Requests and capacity units per DynamoDB operation since the last `take()`. */
class CapacityMeter {
  private requests: Record<string, number> = {};
  private readUnits = 0;
  private writeUnits = 0;
  /** Write units of UpdateItems: the window (partial) writes. */
  private updateWriteUnits = 0;

  public install(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const name = context.commandName ?? 'unknown';
        this.requests[name] = (this.requests[name] ?? 0) + 1;
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const { CapacityUnits = 0, ReadCapacityUnits, WriteCapacityUnits } = entry as Record<string, number | undefined>;
          const reads = ReadCapacityUnits ?? (/Get|Query|Scan/.test(name) ? CapacityUnits : 0);
          const writes = WriteCapacityUnits ?? (/Get|Query|Scan/.test(name) ? 0 : CapacityUnits);
          this.readUnits += reads;
          this.writeUnits += writes;
          if (name === 'UpdateItemCommand') this.updateWriteUnits += writes;
        }
        return result;
      },
      { step: 'initialize', name: 'capacityMeter' },
    );
  }

  public take(): { requests: Record<string, number>; readUnits: number; writeUnits: number; windowWriteUnits: number } {
    const taken = { requests: this.requests, readUnits: this.readUnits, writeUnits: this.writeUnits, windowWriteUnits: this.updateWriteUnits };
    this.requests = {};
    this.readUnits = 0;
    this.writeUnits = 0;
    this.updateWriteUnits = 0;
    return taken;
  }
}

/** Shards of the dense case, and distinct customers per shard's partial (past ~4,700 an HLL partial is dense, 16 KB). */
const DENSE_SHARDS = 64;
const DENSE_CUSTOMERS = 5_000;

/**
 * A `distinct` window every shard writes with a dense HLL partial, one shard after another: the item's size after
 * each write, the WCU of each partial write (billed on the larger of the item before and after), and where the
 * writes stop (DynamoDB refuses the item past 400 KB) — with compaction off, and at the default budget (decision 0016).
 */
async function denseWindow(client: DynamoDBClient, meter: CapacityMeter, label: string, compactAboveBytes: number | undefined) {
  const tableName = `aggregates-dense-${compactAboveBytes === undefined ? 'default' : Number.isFinite(compactAboveBytes) ? compactAboveBytes : 'off'}`;
  await createAggregatesTable(client, tableName);
  const documents = createDocumentClient(client);
  const store = new DynamoWindowStore({ tableName, retentionDays: 30, client: documents, ...(compactAboveBytes === undefined ? {} : { compactAboveBytes }) });
  const metric = compileMetric({
    name: 'customers-per-region',
    filter: { types: ['order.created'] },
    groupBy: ['data.region'],
    window: { kind: 'tumbling', sizeMs: 60_000 },
    watermark: { maxDelayMs: 5_000, idleTimeoutMs: 10_000, allowedLatenessMs: 60_000 },
    aggregations: { customers: { kind: 'distinct', field: 'key' } },
  });
  const shardIds = Array.from({ length: DENSE_SHARDS }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
  const aggregator = new WindowedAggregator([metric], store, { write: async () => {} }, new StaticShardDirectory(shardIds, T), { completions: new InMemoryCompletionLog() });
  const key = { TableName: tableName, Key: windowItemKey({ metric: metric.name, group: 'eu-west', startMs: T }), ConsistentRead: true };
  const sizes: number[] = [];
  const writeUnits: number[] = [];
  const readUnits: number[] = [];
  let refusedAt: number | undefined;
  for (const [shard, shardId] of shardIds.entries()) {
    const batch = Array.from({ length: DENSE_CUSTOMERS }, (_, i) => ({
      event: { id: `d${shard}-${i}`, type: 'order.created', key: `customer-${shard}-${i}`, time: T + 1_000 + i, receivedAt: T + 2_000, data: { region: 'eu-west', amount: 1 } },
      sequenceNumber: String(100 + i),
    }));
    meter.take();
    try {
      await aggregator.processBatch(shardId, batch, T + 2_000);
    } catch (error) {
      refusedAt = shard + 1;
      console.log(`dense, ${label}: the write of shard ${shard + 1} refused (${(error as Error).message})`);
      break;
    }
    const taken = meter.take();
    writeUnits.push(taken.windowWriteUnits);
    readUnits.push(taken.readUnits);
    const { Item } = await documents.send(new GetCommand(key));
    sizes.push(itemBytes(Item!));
  }
  meter.take();
  const compactedAt = sizes.flatMap((bytes, i) => (i > 0 && bytes < sizes[i - 1]! ? [i + 1] : []));
  const compactions = compactedAt.length;
  const result = {
    label,
    shards: DENSE_SHARDS,
    writesLanded: sizes.length,
    refusedAtShard: refusedAt,
    compactions,
    /** The shard (1-based) whose write compacted: with the budget off, the first is the write DynamoDB refused, where writes stopped before compaction. */
    compactedAtShard: compactedAt,
    itemBytesMax: Math.max(...sizes),
    itemBytesAfterLastWrite: sizes[sizes.length - 1],
    itemBytesAfterEachWrite: sizes,
    windowWriteUnitsMean: Math.round(writeUnits.reduce((sum, n) => sum + n, 0) / writeUnits.length),
    windowWriteUnitsMax: Math.max(...writeUnits),
    windowWriteUnitsEachWrite: writeUnits,
    /** A batch's RCU: its consistent read of the window (billed on the whole item), its watermark reads, a compaction's read. */
    batchReadUnitsMean: Math.round(readUnits.reduce((sum, n) => sum + n, 0) / readUnits.length),
  };
  console.log(`dense, ${label}: ${result.writesLanded}/${DENSE_SHARDS} writes landed, ${compactions} compactions (at shards ${compactedAt.join(', ')}), item max ${result.itemBytesMax} B, last ${result.itemBytesAfterLastWrite} B, WCU per window write mean ${result.windowWriteUnitsMean} max ${result.windowWriteUnitsMax}, RCU per batch mean ${result.batchReadUnitsMean}`);
  return result;
}

async function main(): Promise<void> {
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-bench-hot-')));
  const results = [];
  const dense = [];
  try {
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const meter = new CapacityMeter();
    meter.install(client);
    const documents = createDocumentClient(client);
    const metric = compileMetric(tributaryConfig.metrics.find((m) => m.name === 'orders-per-region')!);
    for (const shards of SHARD_COUNTS) {
      const tableName = `aggregates-${shards}`;
      await createAggregatesTable(client, tableName);
      const store = new DynamoWindowStore({ tableName, retentionDays: 30, client: documents });
      const shardIds = Array.from({ length: shards }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
      const aggregator = new WindowedAggregator([metric], store, { write: async () => {} }, new StaticShardDirectory(shardIds, T), { completions: new InMemoryCompletionLog() });
      let id = 0;
      const batch = () =>
        Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
          id += 1;
          return { event: { id: `e${id}`, type: 'order.created', key: `customer-${id}`, time: T + 1_000 + i, receivedAt: T + 2_000, data: { region: 'eu-west', amount: 1 + (id % 500) } }, sequenceNumber: String(100 + i) };
        });
      // Every shard writes the same window once (the item grows to one partial per shard), then shard 0 writes two more
      // batches: one within the progress cache's life (what a batch costs), one after it (it reads the whole partition).
      for (const shardId of shardIds) await aggregator.processBatch(shardId, batch(), T + 2_000);
      meter.take();
      await aggregator.processBatch(shardIds[0]!, batch().map((e, i) => ({ ...e, sequenceNumber: String(1_000 + i) })), T + 2_001);
      const perBatch = meter.take();
      await aggregator.processBatch(shardIds[0]!, batch().map((e, i) => ({ ...e, sequenceNumber: String(2_000 + i) })), T + 2_000 + DEFAULT_PROGRESS_CACHE_MS);
      const refreshing = meter.take();
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: windowItemKey({ metric: metric.name, group: 'eu-west', startMs: T }), ConsistentRead: true }));
      results.push({ shards, itemBytes: itemBytes(Item!), batch: perBatch, batchReadingThePartition: refreshing });
      console.log(`${shards} shards: window item ${itemBytes(Item!)} B; a batch: ${JSON.stringify(perBatch)}; one that reads the partition: ${JSON.stringify(refreshing)}`);
    }
    // Budget off: only DynamoDB's refusal compacts, and its first refusal is where every write stopped before compaction.
    for (const [label, compactAboveBytes] of [
      ['budget off (reactive only)', Number.POSITIVE_INFINITY],
      ['default budget (300 KB)', undefined],
      ['budget 100 KB', 100 * 1024],
    ] as const) {
      dense.push(await denseWindow(client, meter, label, compactAboveBytes));
    }
  } finally {
    await emulators.stop();
  }
  const out = path.join('bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'hot-windows.json'), `${JSON.stringify({ sparse: results, dense }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
