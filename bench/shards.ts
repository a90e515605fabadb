// npm run bench:shards → bench/results/shards.json: the aggregator's DynamoDB requests and capacity per batch
// with 2, 8 and 64 shards consuming at once, every shard's events on the same 5 groups (the contention a hot
// window item sees), against DynamoDB Local through the deployed wiring (functions/aggregator/createAggregator.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../adapters/dynamodb/createDocumentClient';
import { functionSettings } from '../config/functionEnvironment';
import { resolveConfig } from '../config/resolveConfig';
import type { BatchSummary } from '../core/aggregator/WindowedAggregator';
import type { AggregatorBatchTime } from '../core/planning/UnitCounts';
import type { EventEnvelope } from '../core/envelope/EventEnvelope';
import type { MetricDefinition } from '../core/metrics/MetricDefinition';
import type { LateEventSink, RejectedRecordSink } from '../core/ports/LateEventSink';
import { StaticShardDirectory } from '../core/ports/ShardDirectory';
import type { SourcedEvent } from '../core/windowing/placeEvents';
import { createAggregator } from '../functions/aggregator/createAggregator';
import { tributaryConfig } from '../infra/tributary.config';
import { endProgress, progressLine } from '../local/cli/progressLine';
import { Emulators, LOCAL_REGION } from '../local/emulators/Emulators';
import { LOCAL_CREDENTIALS } from '../local/aws/localClients';
import { createAggregatesTable } from '../local/tables/createAggregatesTable';
import { createDeliveryTables } from '../local/tables/createDeliveryTables';
import { benchSource } from './benchSource';
import { DYNAMODB_OPERATIONS, DynamoDbMeter, total, type MeterCounts } from './DynamoDbMeter';
import { percentile } from './percentile';

const SHARD_COUNTS = (process.env.BENCH_SHARD_COUNTS ?? '2,8,64').split(',').map(Number);
/** Batches each shard's consumer processes, one after the other (as the ESM does: one batch per shard at a time). */
const BATCHES_PER_SHARD = Number(process.env.BENCH_BATCHES_PER_SHARD ?? '2');
/** Events per batch: what a shard's poll returns at 100 ev/s per shard (the ESM reads each shard about once per second). */
const BATCH_RECORDS = Number(process.env.BENCH_BATCH_RECORDS ?? '100');
/**
 * Wall time one run may take. A layout whose window items cannot take N shards makes
 * batches that retry a lost race 12 times and fail after a minute each: at the budget
 * the run is cut, its unfinished batches counted as such, so the bench stays under 2 minutes.
 */
const RUN_BUDGET_MS = Number(process.env.BENCH_RUN_BUDGET_S ?? '25') * 1_000;
/** The same 5 groups in every shard's events: the regions of the example config's dashboard and store bench. */
export const BENCH_GROUPS = ['eu-west', 'us-east', 'ap-south', 'sa-east', 'me-central'] as const;

/** The example config's orders metric with its count and sum only: no sketch, the smallest window item. */
const countAndSum: MetricDefinition = {
  ...tributaryConfig.metrics[0]!,
  aggregations: { orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } },
};
delete (countAndSum as { publish?: unknown }).publish;

/** The two metric sets measured: the example config (3 metrics, sketches, hopping, session) and count + sum alone. */
export const METRIC_SETS = {
  'example config': { metrics: tributaryConfig.metrics, types: ['order.created', 'checkout.completed', 'page.viewed'] },
  'count + sum': { metrics: [countAndSum], types: ['order.created'] },
} as const;
type MetricSetName = keyof typeof METRIC_SETS;

/** A late-event output that keeps nothing (no event is late here: event times are now). */
const noSideOutput: LateEventSink & RejectedRecordSink = { write: async () => {}, reject: async () => {} };

/**
 * One shard's batch: `count` events from the shard's `firstN`-th on (sequence
 * numbers and ids follow it, so batches given increasing `firstN` are new to
 * the shard's marks), event times within the last 2 s (windows stay open, the
 * watermark advances batch by batch), the types of the metric set in turn,
 * every group in turn.
 */
function batchOf(shard: number, firstN: number, count: number, types: readonly string[], nowMs: number, groups: readonly string[] = BENCH_GROUPS): SourcedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const n = firstN + i;
    const group = groups[n % groups.length]!;
    const type = types[n % types.length]!;
    const time = nowMs - 2_000 + Math.floor((i * 2_000) / count);
    const data: Record<string, unknown> =
      type === 'order.created'
        ? { region: group, amount: 10 + (n % 90), currency: 'EUR' }
        : type === 'page.viewed'
          ? { page: `/p/${n % 20}`, position: n % 7 }
          : { latencyMs: 200 + (n % 1_500) };
    const event: EventEnvelope = { id: `01JSHARD${String(shard).padStart(4, '0')}${String(n).padStart(14, '0')}`, type, key: `visitor-${group}`, time, data, receivedAt: time + 20 };
    return { event, sequenceNumber: String(49_000_000_000_000 + n), arrivedAtMs: time + 30 };
  });
}

/** Distinct (metric, group) pairs a batch touches: what a window write per group and window costs is counted against. */
function groupsTouched(metrics: readonly MetricDefinition[], events: readonly SourcedEvent[]): number {
  const touched = new Set<string>();
  for (const metric of metrics) {
    for (const { event } of events) {
      if (!metric.filter.types.includes(event.type)) continue;
      const group = (metric.groupBy ?? []).map((field) => field.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], event));
      touched.add(`${metric.name}\u0000${JSON.stringify(group)}`);
    }
  }
  return touched.size;
}

const shardId = (shard: number) => `shardId-${String(shard).padStart(12, '0')}`;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

type AggregatorSettings = Parameters<typeof createAggregator>[0];

/** Fresh aggregates, delivery and idempotency tables named after `suffix`, and the aggregator's settings on them. */
async function aggregatorTables(client: DynamoDBClient, suffix: string): Promise<{ tables: Record<'aggregates' | 'delivery' | 'idempotency', string>; settings: AggregatorSettings }> {
  const tables = { aggregates: `aggregates-${suffix}`, delivery: `delivery-${suffix}`, idempotency: `idempotency-${suffix}` };
  await createAggregatesTable(client, tables.aggregates);
  await createDeliveryTables(client, tables);
  const settings = functionSettings('aggregator', resolveConfig(tributaryConfig), {
    aggregatesTable: tables.aggregates,
    lateEventsTable: 'unused',
    deliveryTable: tables.delivery,
    idempotencyTable: tables.idempotency,
    streamName: 'unused',
  });
  return { tables, settings };
}

/** One shard's consumer (one Lambda container) through the deployed wiring, on its own client. */
function consumerOf(settings: AggregatorSettings, client: DynamoDBClient, metrics: readonly MetricDefinition[], directory: StaticShardDirectory) {
  const { aggregator, batches } = createAggregator(settings, { dynamodb: client, documents: createDocumentClient(client) }, { metrics, sideOutput: noSideOutput, shardDirectory: directory });
  batches?.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
  return aggregator;
}

/** N consumers at once, each its own aggregator (its own Lambda container), on fresh tables. */
async function runShards(endpoint: string, shards: number, setName: MetricSetName): Promise<Record<string, unknown>> {
  // A meter of its own: requests of a cut run still in flight are not counted in the next.
  const meter = new DynamoDbMeter();
  // One client per consumer, as each Lambda container has its own (and its own 50 sockets).
  const newClient = () => meter.attach(new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
  const client = newClient();
  const clients = [client];
  const set = METRIC_SETS[setName];
  const { tables, settings } = await aggregatorTables(client, `${shards}-${setName.replace(/\W+/g, '')}`);
  const shardIds = Array.from({ length: shards }, (_, shard) => shardId(shard));
  const directory = new StaticShardDirectory(shardIds, Date.now());
  const summaries: BatchSummary[] = [];
  const batchMs: number[] = [];
  let groupTouches = 0;
  const failures = new Map<string, number>();
  let started = 0;
  let cut = false;
  const startedMs = Date.now();
  const deadlineMs = startedMs + RUN_BUDGET_MS;
  let timer: NodeJS.Timeout | undefined;
  const consumers = Promise.all(
    shardIds.map(async (id, shard) => {
      const own = newClient();
      clients.push(own);
      const aggregator = consumerOf(settings, own, set.metrics, directory);
      for (let batch = 0; batch < BATCHES_PER_SHARD && Date.now() < deadlineMs && !cut; batch++) {
        started += 1;
        const events = batchOf(shard, batch * BATCH_RECORDS, BATCH_RECORDS, set.types, Date.now());
        groupTouches += groupsTouched(set.metrics, events);
        const batchStarted = performance.now();
        try {
          const summary = await aggregator.processBatch(id, events, Date.now());
          if (cut) return;
          summaries.push(summary);
          batchMs.push(performance.now() - batchStarted);
        } catch (error) {
          if (cut) return;
          // The ESM would retry it (and bisect it); here it is counted and named, and the shard moves on,
          // so that a layout that cannot take N shards shows as failures in the table, not as a bench that never ends.
          const reason = `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
        progressLine(`${setName}, ${shards} shards: ${summaries.length + failedCount(failures)}/${shards * BATCHES_PER_SHARD} batches`);
      }
    }),
  );
  await Promise.race([consumers, new Promise((resolve) => (timer = setTimeout(resolve, RUN_BUDGET_MS)))]);
  clearTimeout(timer);
  cut = true;
  const seconds = (Date.now() - startedMs) / 1_000;
  const { all, watermarkPartition } = meter.counts();
  const failedBatches = failedCount(failures);
  const unfinished = started - summaries.length - failedBatches;
  // Requests per batch started: failed and unfinished batches sent (and were billed for) theirs too; with
  // unfinished batches it is a lower bound. What a summary reports is per batch that completed.
  const batchesStarted = Math.max(1, started);
  const completed = Math.max(1, summaries.length);
  const sum = (pick: (summary: BatchSummary) => number) => summaries.reduce((total, summary) => total + pick(summary), 0);
  const windowsWritten = sum((summary) => summary.windowsWritten);
  const aggregateWriteUnits = all.writeUnitsByTable[tables.aggregates] ?? 0;
  for (const each of clients) each.destroy();
  return {
    shards,
    metrics: setName,
    metricCount: set.metrics.length,
    batchesPlanned: shards * BATCHES_PER_SHARD,
    batchesStarted: started,
    batchesCompleted: summaries.length,
    failedBatches,
    unfinishedAtBudget: unfinished,
    ...(failures.size > 0 ? { failures: Object.fromEntries(failures) } : {}),
    batchRecords: BATCH_RECORDS,
    perBatch: perBatch(all, batchesStarted, tables),
    watermarkPartitionPerBatch: perBatch(watermarkPartition, batchesStarted, tables),
    windowsWrittenPerBatch: round(windowsWritten / completed),
    groupsTouchedPerBatch: round(groupTouches / batchesStarted),
    writeConflictsPerBatch: round(sum((summary) => summary.writeConflicts) / completed),
    windowsFinalized: sum((summary) => summary.windowsFinalized),
    eventsCounted: sum((summary) => summary.eventsCounted),
    // The aggregates table's WCU over the windows written: what one window write costs, watermark and finalisation included.
    aggregatesWriteUnitsPerWindowWrite: round(aggregateWriteUnits / Math.max(1, windowsWritten), 3),
    batchMsP50: round(percentile(batchMs, 50), 1),
    batchMsP99: round(percentile(batchMs, 99), 1),
    eventsPerSecond: Math.round((summaries.length * BATCH_RECORDS) / seconds),
    seconds: round(seconds, 1),
  };
}

/**
 * Batch shapes the batch-time run times on one shard, the example config: more
 * events over the same groups, then the same events over more groups, so the fit
 * can tell a per-event cost from a per-window-write one.
 */
const BATCH_TIME_SHAPES = [
  { events: 100, groups: 5 },
  { events: 1_000, groups: 5 },
  { events: 1_000, groups: 100 },
] as const;
/** Untimed batches first: a fresh DynamoDB Local JVM and fresh tables run at about half speed at first. */
const BATCH_TIME_WARMUP_BATCHES = 8;
const BATCH_TIME_ROUNDS = Number(process.env.BENCH_BATCH_TIME_ROUNDS ?? '7');
/** A shard's batches a second apart, as the ESM polls a shard that keeps up: the duplicate ledger re-reads what its margin holds. */
const BATCH_TIME_INTERVAL_MS = 1_000;

const groupsOf = (count: number): readonly string[] => (count === BENCH_GROUPS.length ? BENCH_GROUPS : Array.from({ length: count }, (_, i) => `region-${i}`));

/**
 * The aggregator's time per batch with one writer (no lost races), fitted as
 * fixed + per event + per window written from the medians of BATCH_TIME_SHAPES:
 * what `tributary plan` computes Lambda time and the "falls behind" warning from.
 */
async function measureBatchTime(endpoint: string): Promise<AggregatorBatchTime> {
  const setName: MetricSetName = 'example config';
  const set = METRIC_SETS[setName];
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const { settings } = await aggregatorTables(client, 'batch-time');
  const id = shardId(0);
  const aggregator = consumerOf(settings, client, set.metrics, new StaticShardDirectory([id], Date.now()));
  let nextN = 0;
  let lastStartedAt = 0;
  const run = async (events: number, groups: number): Promise<{ ms: number; windows: number }> => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastStartedAt + BATCH_TIME_INTERVAL_MS - Date.now())));
    lastStartedAt = Date.now();
    const batch = batchOf(0, nextN, events, set.types, Date.now(), groupsOf(groups));
    nextN += events;
    const started = performance.now();
    const summary = await aggregator.processBatch(id, batch, Date.now());
    return { ms: performance.now() - started, windows: summary.windowsWritten };
  };
  for (let batch = 0; batch < BATCH_TIME_WARMUP_BATCHES; batch++) {
    const shape = BATCH_TIME_SHAPES[batch % BATCH_TIME_SHAPES.length]!;
    await run(shape.events, shape.groups);
    progressLine(`batch time: warming up ${batch + 1}/${BATCH_TIME_WARMUP_BATCHES}`);
  }
  const samples = BATCH_TIME_SHAPES.map(() => ({ ms: [] as number[], windows: [] as number[] }));
  // Shapes in turn, round after round: a drift of the machine's speed falls on every shape alike.
  for (let round = 0; round < BATCH_TIME_ROUNDS; round++) {
    for (const [i, shape] of BATCH_TIME_SHAPES.entries()) {
      const measured = await run(shape.events, shape.groups);
      samples[i]!.ms.push(measured.ms);
      samples[i]!.windows.push(measured.windows);
      progressLine(`batch time: round ${round + 1}/${BATCH_TIME_ROUNDS}, ${shape.events} events over ${shape.groups} groups`);
    }
  }
  client.destroy();
  const shapes = BATCH_TIME_SHAPES.map((shape, i) => ({ ...shape, windowsWritten: percentile(samples[i]!.windows, 50), msP50: round(percentile(samples[i]!.ms, 50), 1) }));
  const [few, more, wide] = shapes as [(typeof shapes)[number], (typeof shapes)[number], (typeof shapes)[number]];
  // Noise can make a difference negative; a cost is never below 0.
  // The same events over more groups differ in windows written only; more events over the same groups, mostly in events.
  const msPerWindowWrite = Math.max(0, (wide.msP50 - more.msP50) / Math.max(1, wide.windowsWritten - more.windowsWritten));
  const msPerEvent = Math.max(0, (more.msP50 - few.msP50 - (more.windowsWritten - few.windowsWritten) * msPerWindowWrite) / (more.events - few.events));
  const fixedMs = Math.max(0, few.msP50 - few.events * msPerEvent - few.windowsWritten * msPerWindowWrite);
  return { metrics: setName, shards: 1, intervalMs: BATCH_TIME_INTERVAL_MS, shapes, fixedMs: round(fixedMs, 1), msPerEvent: round(msPerEvent, 4), msPerWindowWrite: round(msPerWindowWrite, 3) };
}

function failedCount(failures: ReadonlyMap<string, number>): number {
  return [...failures.values()].reduce((sum, count) => sum + count, 0);
}

/** Requests, units and lost conditions per batch, from the meter's totals. */
function perBatch(counts: MeterCounts, batches: number, tables: Record<string, string>): Record<string, unknown> {
  const per = (value: number) => round(value / batches, 3);
  const byOperation = (values: Record<string, number>) => Object.fromEntries(DYNAMODB_OPERATIONS.filter((operation) => values[operation]! > 0).map((operation) => [operation, per(values[operation]!)]));
  const byTable = (values: Record<string, number>) => Object.fromEntries(Object.entries(tables).map(([role, table]) => [role, per(values[table] ?? 0)]));
  return {
    requests: per(total(counts.requests)),
    requestsByOperation: byOperation(counts.requests),
    writeUnits: per(total(counts.writeUnits)),
    writeUnitsByOperation: byOperation(counts.writeUnits),
    writeUnitsByTable: byTable(counts.writeUnitsByTable),
    readUnits: per(total(counts.readUnits)),
    readUnitsByOperation: byOperation(counts.readUnits),
    readUnitsByTable: byTable(counts.readUnitsByTable),
    conditionFailures: per(total(counts.conditionFailures)),
    conditionFailuresByOperation: byOperation(counts.conditionFailures),
    ...(Object.keys(counts.errors).length > 0 ? { errors: counts.errors } : {}),
  };
}

async function main(): Promise<void> {
  const source = benchSource('npm run bench:shards');
  const logDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-shards-'));
  const runs: Record<string, unknown>[] = [];
  const sets = (process.env.BENCH_METRIC_SETS?.split(',') ?? Object.keys(METRIC_SETS)) as MetricSetName[];
  for (const setName of sets) {
    // A DynamoDB Local per metric set, its largest shard count last: requests of a run cut at its
    // budget die with it instead of slowing the next set's runs.
    progressLine(`${setName}: starting DynamoDB Local`);
    const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, logDir);
    try {
      for (const shards of [...SHARD_COUNTS].sort((a, b) => a - b)) runs.push(await runShards(emulators.endpoints.dynamodb, shards, setName));
    } finally {
      await emulators.stop();
    }
  }
  progressLine('batch time: starting DynamoDB Local');
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, logDir);
  let batchTime: AggregatorBatchTime;
  try {
    batchTime = await measureBatchTime(emulators.endpoints.dynamodb);
  } finally {
    await emulators.stop();
  }
  const result = {
    source,
    batchTime,
    workload: `${SHARD_COUNTS.join(', ')} shards consuming at once, ${BATCHES_PER_SHARD} batches of ${BATCH_RECORDS} events each per shard, every shard's events over the same ${BENCH_GROUPS.length} groups, event times within the last 2 s; DynamoDB Local, the deployed wiring (window marks, intent, done log, duplicate ledger, Powertools batch idempotency)`,
    note: 'DynamoDB Local reports ConsumedCapacity as DynamoDB computes it from item sizes; a write refused by its condition reports none (counted in conditionFailures). Batch times are this machine against DynamoDB Local, all consumers in one process.',
    runs,
  };
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'shards.json'), `${JSON.stringify(result, null, 2)}\n`);
  endProgress();
  console.log(`${source.bench} @ ${source.commit}, ${source.measuredAt}, ${source.machine}`);
  console.log('metrics          shards  req/batch  WCU/batch  RCU/batch  ~wm req  ~wm WCU  ~wm RCU  conflicts  lost cond.  windows  WCU/window  p50 ms  done/planned  failed  cut');
  for (const run of runs) {
    const all = run.perBatch as Record<string, number>;
    const wm = run.watermarkPartitionPerBatch as Record<string, number>;
    console.log(
      [
        String(run.metrics).padEnd(15),
        String(run.shards).padStart(6),
        String(all.requests).padStart(10),
        String(all.writeUnits).padStart(10),
        String(all.readUnits).padStart(10),
        String(wm.requests).padStart(8),
        String(wm.writeUnits).padStart(8),
        String(wm.readUnits).padStart(8),
        String(run.writeConflictsPerBatch).padStart(10),
        String(all.conditionFailures).padStart(11),
        String(run.windowsWrittenPerBatch).padStart(8),
        String(run.aggregatesWriteUnitsPerWindowWrite).padStart(11),
        String(run.batchMsP50).padStart(7),
        `${run.batchesCompleted}/${run.batchesPlanned}`.padStart(13),
        String(run.failedBatches).padStart(7),
        String(run.unfinishedAtBudget).padStart(4),
      ].join(' '),
    );
  }
  console.log('per batch started; ~wm = the watermark partition; conflicts = the summary\'s writeConflicts (lost races, per batch completed);');
  console.log(
    `batch time, 1 shard, ${batchTime.metrics}: ${batchTime.shapes.map((shape) => `${shape.events} events × ${shape.groups} groups (${shape.windowsWritten} windows) ${shape.msP50} ms`).join(', ')} → ` +
      `${batchTime.fixedMs} ms + ${batchTime.msPerEvent} ms per event + ${batchTime.msPerWindowWrite} ms per window write`,
  );
  console.log(`lost cond. = writes refused by their condition; cut = unfinished at the ${RUN_BUDGET_MS / 1_000} s budget of a run; written to bench/results/shards.json`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
