// npm run bench (part 2): the aggregator's hot path, its DynamoDB writes per 1,000 events, and its memory.
import { execFileSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tributaryConfig } from '../infra/tributary.config';
import { Emulators } from '../local/emulators/Emulators';
import { decodeEnvelope } from '../shared/envelope/decodeEnvelope';
import { compileMetric, type CompiledMetric } from '../shared/metrics/compileMetric';
import type { MetricDefinition } from '../shared/metrics/MetricDefinition';
import type { LateEventSink } from '../shared/storage/LateEventSink';
import { createDocumentClient, DynamoWindowStore } from '../shared/storage/DynamoWindowStore';
import { placeEvents, type SourcedEvent } from '../shared/windowing/placeEvents';
import { StaticShardDirectory } from '../shared/windowing/ShardDirectory';
import { LateCollector } from '../shared/windowing/LateCollector';
import { planFixedWindows } from '../shared/windowing/planFixedWindows';
import { WindowedAggregator } from '../shared/windowing/WindowedAggregator';
import { createAggregatesTable } from '../test/support/createAggregatesTable';
import { percentile } from './percentile';
import { syntheticRecords } from './syntheticRecords';

const BATCH_RECORDS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '31');
const SHARD = 'shardId-000000000000';
const EMPTY_SNAPSHOT = { shards: new Map(), watermarkMs: {}, version: 0 };

const progress = (line: string): void => {
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
};

/** Count and sum per region per minute: the Foundation's metric, the one the 0.7 target is about. */
const countAndSum: MetricDefinition = {
  name: 'orders-per-region',
  filter: { types: ['order.created'] },
  groupBy: ['data.region'],
  window: { kind: 'tumbling', sizeMs: 60_000 },
  aggregations: { orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } },
};

/** The practical ceiling: base64 decode and JSON.parse of every record, nothing else. */
function decodeOnly(records: readonly { data: string }[]): number {
  let checksum = 0;
  for (const record of records) checksum += (JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) as { time: number }).time & 1;
  return checksum;
}

/** The hot path with storage stubbed: decode, validate, filter, watermark, window assignment, pre-aggregation. */
function hotPath(records: readonly { data: string; sequenceNumber: string }[], metrics: readonly CompiledMetric[]): number {
  const events: SourcedEvent[] = records.map((record) => ({ event: decodeEnvelope(record.data, record.sequenceNumber), sequenceNumber: record.sequenceNumber }));
  const placement = placeEvents(metrics, SHARD, events, EMPTY_SNAPSHOT, new Map([[SHARD, 0]]), 0);
  const late = new LateCollector(SHARD);
  let windows = 0;
  metrics.forEach((metric, i) => {
    if (metric.window.kind === 'session') windows += new Set(placement.placed[i]!.map((p) => p.group)).size;
    else windows += planFixedWindows(metric, metric.window, placement.placed[i]!, late).units.length;
  });
  return windows;
}

/** Events per second of `run` over the batch, and of the decode-only loop, alternated round by round (shared machines are noisy). */
function measureHotPath(label: string, metrics: readonly CompiledMetric[]) {
  const records = syntheticRecords(BATCH_RECORDS, { groups: 100, eventsPerSecond: 1_000 });
  for (let i = 0; i < 3; i++) {
    decodeOnly(records);
    hotPath(records, metrics);
  }
  const ceiling: number[] = [];
  const measured: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let start = process.hrtime.bigint();
    decodeOnly(records);
    ceiling.push(BATCH_RECORDS / (Number(process.hrtime.bigint() - start) / 1e9));
    start = process.hrtime.bigint();
    hotPath(records, metrics);
    measured.push(BATCH_RECORDS / (Number(process.hrtime.bigint() - start) / 1e9));
    progress(`hot path (${label}): round ${round + 1}/${ROUNDS}`);
  }
  // The ratio is taken round by round (the two runs are adjacent in time), then the
  // median: the machine's speed drifts between rounds far more than within one.
  const ratios = measured.map((rate, i) => rate / ceiling[i]!);
  return {
    metrics: label,
    eventsPerSecond: Math.round(percentile(measured, 50)),
    decodeOnlyEventsPerSecond: Math.round(percentile(ceiling, 50)),
    ratioToCeiling: Number(percentile(ratios, 50).toFixed(3)),
    ratioP10P90: [Number(percentile(ratios, 10).toFixed(3)), Number(percentile(ratios, 90).toFixed(3))],
  };
}

/**
 * DynamoDB requests per 1,000 events against DynamoDB Local, counted by
 * command as they leave the SDK: 100 groups × 10-second tumbling windows,
 * batches of 1,000 events (1 s of event time at 1,000 ev/s).
 */
async function measureWrites(): Promise<Record<string, unknown>> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-ddb-'));
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, logDir);
  try {
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const counts: Record<string, number> = {};
    client.middlewareStack.add(
      (next, context) => async (args) => {
        counts[context.commandName as string] = (counts[context.commandName as string] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    await createAggregatesTable(client, 'aggregates');
    const metric = compileMetric({ ...countAndSum, window: { kind: 'tumbling', sizeMs: 10_000 } });
    const store = new DynamoWindowStore({ tableName: 'aggregates', retentionDays: 1, client: createDocumentClient(client) });
    const noLateEvents: LateEventSink = { write: async (events) => void (events.length > 0 && (counts.LateEvents = (counts.LateEvents ?? 0) + events.length)) };
    const aggregator = new WindowedAggregator([metric], store, noLateEvents, new StaticShardDirectory([SHARD], Date.now()), { completions: { recordCompleted: async () => {}, isCompleted: async () => false } });
    const records = syntheticRecords(20_000, { groups: 100, eventsPerSecond: 1_000 });
    for (const key of Object.keys(counts)) delete counts[key];
    const started = Date.now();
    for (let offset = 0; offset < records.length; offset += 1_000) {
      const batch = records.slice(offset, offset + 1_000).map((r) => ({ event: decodeEnvelope(r.data, r.sequenceNumber), sequenceNumber: r.sequenceNumber }));
      await aggregator.processBatch(SHARD, batch, Date.now());
      progress(`storage: ${offset + 1_000}/${records.length} events`);
    }
    const seconds = (Date.now() - started) / 1_000;
    const per1000 = (names: string[]) => Number(((names.reduce((sum, name) => sum + (counts[name] ?? 0), 0) / records.length) * 1_000).toFixed(1));
    return {
      workload: '100 groups × 10 s tumbling windows, 1,000 ev/s of event time, batches of 1,000, count + sum',
      events: records.length,
      requestsByCommand: counts,
      writeRequestsPer1000Events: per1000(['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']),
      readRequestsPer1000Events: per1000(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']),
      naivePerEventWritesPer1000Events: 1_000,
      // The floor: one write per (group, window) a batch touches, counted from the events themselves.
      windowsTouchedPer1000Events: Number(((windowsTouched(records, 10_000) / records.length) * 1_000).toFixed(1)),
      eventsPerSecondAgainstDynamoDbLocal: Math.round(records.length / seconds),
    };
  } finally {
    await emulators.stop();
  }
}

/** Distinct (group, window) pairs per batch of 1,000, summed: what one write per window touched costs. */
function windowsTouched(records: readonly { data: string; sequenceNumber: string }[], windowSizeMs: number): number {
  let total = 0;
  for (let offset = 0; offset < records.length; offset += 1_000) {
    const touched = new Set<string>();
    for (const record of records.slice(offset, offset + 1_000)) {
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

async function main(): Promise<void> {
  const exampleMetrics = tributaryConfig.metrics.map(compileMetric);
  const hot = [measureHotPath('count + sum, tumbling', [compileMetric(countAndSum)]), measureHotPath('example config: 3 metrics, sketches, hopping, session', exampleMetrics)];
  const storage = await measureWrites();
  progress('memory: one batch of 10,000 groups');
  const memory = measureMemory();
  const result = { measuredAt: new Date().toISOString(), nodeOptions: process.env.NODE_OPTIONS ?? '', batchRecords: BATCH_RECORDS, rounds: ROUNDS, hotPath: hot, storage, memory };
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'aggregate.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write('\n');
  for (const h of hot) {
    console.log(
      `hot path ${h.metrics}: ${h.eventsPerSecond.toLocaleString('en-US')} ev/s = ${h.ratioToCeiling} × decode+parse (${h.decodeOnlyEventsPerSecond.toLocaleString('en-US')} ev/s; per-round ratio p10–p90 ${h.ratioP10P90.join('–')})`,
    );
  }
  console.log(
    `storage: ${storage.writeRequestsPer1000Events} write requests per 1,000 events (naive: 1,000; windows touched: ${storage.windowsTouchedPer1000Events}), ${storage.readRequestsPer1000Events} reads`,
  );
  console.log(`memory: peak RSS ${memory.peakRssMb} MB for 10,000 groups (${memory.baselineRssMb} MB before the batch)`);
  console.log('written to bench/results/aggregate.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
