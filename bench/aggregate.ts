// npm run bench (part 2): the aggregator's hot path, its DynamoDB writes per 1,000 events, and its memory.
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tributaryConfig } from '../infra/tributary.config';
import { Emulators } from '../local/emulators/Emulators';
import { decodeEnvelope } from '../core/envelope/decodeEnvelope';
import type { CompiledMetric } from '../core/metrics/compileMetric';
import type { MetricDefinition } from '../core/metrics/MetricDefinition';
import type { LateEventSink, RejectedRecordSink } from '../core/ports/LateEventSink';
import { createDocumentClient } from '../adapters/dynamodb/createDocumentClient';
import { functionSettings } from '../config/functionEnvironment';
import { resolveConfig } from '../config/resolveConfig';
import { createAggregator } from '../functions/aggregator/createAggregator';
import { StaticShardDirectory } from '../core/ports/ShardDirectory';
import { FUNCTION_BUNDLE } from '../infra/constructs/FUNCTION_BUNDLE';
import { createAggregatesTable } from '../local/tables/createAggregatesTable';
import { createDeliveryTables } from '../local/tables/createDeliveryTables';
import { percentile } from './percentile';
import { syntheticRecords } from './syntheticRecords';
import { progressLine } from '../local/cli/progressLine';

const BATCH_RECORDS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '101');
/** `BENCH_HOT_PATH_ONLY=1`: the hot path alone, printed, nothing written (for iterating on core without starting DynamoDB Local). */
const HOT_PATH_ONLY = process.env.BENCH_HOT_PATH_ONLY === '1';
const SHARD = 'shardId-000000000000';

const progress = progressLine;

/** Count and sum per region per minute: the Foundation's metric, the one the 0.7 target is about. */
const countAndSum: MetricDefinition = {
  name: 'orders-per-region',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: { kind: 'tumbling', sizeMs: 60_000 },
  aggregations: { orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } },
};

/** bench/hotPath.ts bundled as the functions deploy, loaded into this process. */
function bundledHotPath(): typeof import('./hotPath') {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'tributary-bench-hot-')), 'hotPath.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'hotPath.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: FUNCTION_BUNDLE.target,
    minify: FUNCTION_BUNDLE.minify,
    outfile,
    logLevel: 'warning',
  });
  return require(outfile) as typeof import('./hotPath');
}

const { compileMetric, decodeOnly, hotPath, ownDecodeOnly } = bundledHotPath();

/**
 * Events per second of the hot path over the batch, and of the two decode-only
 * loops, alternated round by round (shared machines are noisy).
 */
function measureHotPath(label: string, metrics: readonly CompiledMetric[]) {
  const records = syntheticRecords(BATCH_RECORDS, { groups: 100, eventsPerSecond: 1_000 });
  for (let i = 0; i < 3; i++) {
    decodeOnly(records);
    ownDecodeOnly(records);
    hotPath(records, metrics);
  }
  const eventsPerSecond = (run: () => unknown): number => {
    const start = process.hrtime.bigint();
    run();
    return BATCH_RECORDS / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const ceiling: number[] = [];
  const ownCeiling: number[] = [];
  const measured: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ceiling.push(eventsPerSecond(() => decodeOnly(records)));
    ownCeiling.push(eventsPerSecond(() => ownDecodeOnly(records)));
    measured.push(eventsPerSecond(() => hotPath(records, metrics)));
    progress(`hot path (${label}): round ${round + 1}/${ROUNDS}`);
  }
  // The ratio is taken round by round (the runs are adjacent in time), then the
  // median: the machine's speed drifts between rounds far more than within one.
  const ratios = measured.map((rate, i) => rate / ceiling[i]!);
  const ownRatios = measured.map((rate, i) => rate / ownCeiling[i]!);
  return {
    metrics: label,
    eventsPerSecond: Math.round(percentile(measured, 50)),
    decodeOnlyEventsPerSecond: Math.round(percentile(ceiling, 50)),
    ratioToCeiling: Number(percentile(ratios, 50).toFixed(3)),
    ratioP10P90: [Number(percentile(ratios, 10).toFixed(3)), Number(percentile(ratios, 90).toFixed(3))],
    ownDecodeOnlyEventsPerSecond: Math.round(percentile(ownCeiling, 50)),
    ratioToOwnDecode: Number(percentile(ownRatios, 50).toFixed(3)),
  };
}

/**
 * DynamoDB requests and consumed write capacity per 1,000 events against
 * DynamoDB Local (ReturnConsumedCapacity on every request), with everything
 * effectively-once costs switched on: 100 groups × 10-second tumbling windows,
 * 1,000 ev/s of event time, one batch size per run. Beside it, in the same
 * process, the naive alternative: Powertools idempotency per record.
 */
async function measureWrites(): Promise<Record<string, unknown>> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-ddb-'));
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, logDir);
  try {
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const meter = meterRequests(client);
    const records = syntheticRecords(20_000, { groups: 100, eventsPerSecond: 1_000 });
    const metric: MetricDefinition = { ...countAndSum, window: { kind: 'tumbling', sizeMs: 10_000 } };
    // The deployed configuration's retentions and horizons.
    const config = resolveConfig(tributaryConfig);
    const runs: Record<string, unknown>[] = [];
    for (const batchRecords of [1_000, 100]) {
      const tables = { aggregates: `aggregates-${batchRecords}`, delivery: `delivery-${batchRecords}`, idempotency: `idempotency-${batchRecords}` };
      await createAggregatesTable(client, tables.aggregates);
      await createDeliveryTables(client, tables);
      // The deployed wiring, with no late events (none are late here) and one known shard.
      const settings = functionSettings('aggregator', config, {
        aggregatesTable: tables.aggregates,
        lateEventsTable: 'unused',
        deliveryTable: tables.delivery,
        idempotencyTable: tables.idempotency,
        streamName: 'unused',
      });
      const { aggregator, batches } = createAggregator(
        settings,
        { dynamodb: client, documents: createDocumentClient(client) },
        { metrics: [metric], sideOutput: noSideOutput, shardDirectory: new StaticShardDirectory([SHARD], Date.now()) },
      );
      // As in an invocation with 60 s left.
      batches?.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
      meter.reset();
      const started = Date.now();
      for (let offset = 0; offset < records.length; offset += batchRecords) {
        const batch = records.slice(offset, offset + batchRecords).map((r) => ({ event: decodeEnvelope(r.data, r.sequenceNumber), sequenceNumber: r.sequenceNumber }));
        await aggregator.processBatch(SHARD, batch, Date.now());
        if (offset % 1_000 === 0) progress(`storage, batches of ${batchRecords}: ${offset + batchRecords}/${records.length} events`);
      }
      const seconds = (Date.now() - started) / 1_000;
      runs.push({
        batchRecords,
        ...meter.per1000(records.length, tables),
        windowsTouchedPer1000Events: Number(((windowsTouched(records, 10_000, batchRecords) / records.length) * 1_000).toFixed(1)),
        eventsPerSecondAgainstDynamoDbLocal: Math.round(records.length / seconds),
      });
    }

    // The naive alternative in the same process: Powertools idempotency on every record (its documented record-handler pattern).
    const naiveTable = 'idempotency-per-record';
    await createDeliveryTables(client, { delivery: 'delivery-per-record', idempotency: naiveTable });
    const naiveConfig = new IdempotencyConfig({ eventKeyJmesPath: 'id' });
    naiveConfig.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
    const perRecord = makeIdempotent(async (_record: { id: string }) => ({ ok: true }), {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: naiveTable, awsSdkV3Client: client }),
      config: naiveConfig,
    });
    meter.reset();
    for (const record of records) await perRecord({ id: decodeEnvelope(record.data, record.sequenceNumber).id });
    const naive = meter.per1000(records.length, { idempotency: naiveTable });
    return {
      workload: '100 groups × 10 s tumbling windows, 1,000 ev/s of event time, count + sum; window marks, intent, done log, duplicate ledger and Powertools batch idempotency all on',
      events: records.length,
      runs,
      naivePerRecordIdempotency: naive,
    };
  } finally {
    await emulators.stop();
  }
}

/** A late-event output that keeps nothing. */
const noSideOutput: LateEventSink & RejectedRecordSink = { write: async () => {}, reject: async () => {} };

const WRITE_COMMANDS = ['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand', 'DeleteItemCommand', 'BatchWriteItemCommand'];
const READ_COMMANDS = ['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand'];

/** Counts requests by command and sums the capacity DynamoDB reports, write and read, by table. */
function meterRequests(client: DynamoDBClient) {
  const requests: Record<string, number> = {};
  const units = { write: {} as Record<string, number>, read: {} as Record<string, number> };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName as string;
      requests[name] = (requests[name] ?? 0) + 1;
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      // A failed conditional write consumes units too, but the error does not report them: lost races are left out.
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const kind = WRITE_COMMANDS.includes(name) ? units.write : units.read;
      for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const { TableName, CapacityUnits } = entry as { TableName: string; CapacityUnits?: number };
        kind[TableName] = (kind[TableName] ?? 0) + (CapacityUnits ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'meterRequests' },
  );
  const per1000 = (total: number, events: number) => Number(((total / events) * 1_000).toFixed(1));
  const byTable = (kind: Record<string, number>, tables: Record<string, string>, events: number) =>
    Object.fromEntries(Object.entries(tables).map(([role, table]) => [role, per1000(kind[table] ?? 0, events)]));
  const total = (kind: Record<string, number>, tables: Record<string, string>) => Object.values(tables).reduce((sum, table) => sum + (kind[table] ?? 0), 0);
  return {
    reset(): void {
      for (const record of [requests, units.write, units.read]) for (const key of Object.keys(record)) delete record[key];
    },
    per1000(events: number, tables: Record<string, string>): Record<string, unknown> {
      const count = (names: string[]) => names.reduce((sum, name) => sum + (requests[name] ?? 0), 0);
      return {
        requestsByCommand: { ...requests },
        writeRequestsPer1000Events: per1000(count(WRITE_COMMANDS), events),
        readRequestsPer1000Events: per1000(count(READ_COMMANDS), events),
        writeUnitsPer1000Events: per1000(total(units.write, tables), events),
        writeUnitsPer1000EventsByTable: byTable(units.write, tables, events),
        readUnitsPer1000Events: per1000(total(units.read, tables), events),
        readUnitsPer1000EventsByTable: byTable(units.read, tables, events),
      };
    },
  };
}

/** Distinct (group, window) pairs per batch, summed: what one write per window touched costs. */
function windowsTouched(records: readonly { data: string; sequenceNumber: string }[], windowSizeMs: number, batchRecords: number): number {
  let total = 0;
  for (let offset = 0; offset < records.length; offset += batchRecords) {
    const touched = new Set<string>();
    for (const record of records.slice(offset, offset + batchRecords)) {
      const event = decodeEnvelope(record.data, record.sequenceNumber);
      touched.add(`${String(event.data.region)}|${Math.floor(event.time / windowSizeMs)}`);
    }
    total += touched.size;
  }
  return total;
}

/** Peak RSS of a fresh process that aggregates one 10,000-record batch with 10,000 distinct groups (storage stubbed). */
function measureMemory(): Record<string, unknown> {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'aggregateMemory.ts')], { encoding: 'utf8', env: { ...process.env } });
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
}

function printHotPath(h: ReturnType<typeof measureHotPath>): void {
  console.log(
    `hot path ${h.metrics}: ${h.eventsPerSecond.toLocaleString('en-US')} ev/s = ${h.ratioToCeiling} × decode+parse (${h.decodeOnlyEventsPerSecond.toLocaleString('en-US')} ev/s; per-round ratio p10–p90 ${h.ratioP10P90.join('–')}), ${h.ratioToOwnDecode} × its own decode+parse`,
  );
}

async function main(): Promise<void> {
  const exampleMetrics = tributaryConfig.metrics.map(compileMetric);
  const hot = [measureHotPath('count + sum, tumbling', [compileMetric(countAndSum)]), measureHotPath('example config: 3 metrics, sketches, hopping, session', exampleMetrics)];
  if (HOT_PATH_ONLY) {
    process.stderr.write('\n');
    for (const h of hot) printHotPath(h);
    return;
  }
  const storage = await measureWrites();
  progress('memory: one batch of 10,000 groups');
  const memory = measureMemory();
  const result = { measuredAt: new Date().toISOString(), nodeOptions: process.env.NODE_OPTIONS ?? '', batchRecords: BATCH_RECORDS, rounds: ROUNDS, hotPath: hot, storage, memory };
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'aggregate.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write('\n');
  for (const h of hot) printHotPath(h);
  for (const run of storage.runs as Record<string, unknown>[]) {
    console.log(
      `storage, batches of ${run.batchRecords}: ${run.writeUnitsPer1000Events} WCU per 1,000 events ${JSON.stringify(run.writeUnitsPer1000EventsByTable)} (windows touched: ${run.windowsTouchedPer1000Events}), ${run.readUnitsPer1000Events} RCU ${JSON.stringify(run.readUnitsPer1000EventsByTable)}`,
    );
  }
  const naive = storage.naivePerRecordIdempotency as Record<string, unknown>;
  console.log(`naive per-record Powertools idempotency: ${naive.writeUnitsPer1000Events} WCU per 1,000 events for idempotency alone`);
  console.log(`memory: peak RSS ${memory.peakRssMb} MB for 10,000 groups (${memory.baselineRssMb} MB before the batch)`);
  console.log('written to bench/results/aggregate.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
