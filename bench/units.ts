// npm run bench:units → bench/results/units.json (committed): the unit counts `tributary plan` computes with.
// Ingest against kinesis-mock (records and bytes per event, ms per request) and the archive against DynamoDB
// Local (WCU per event) measured here; the aggregator's units taken from bench/results/shards.json (npm run
// bench:shards, run first). Every figure keeps its source: bench, commit, date, machine.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { DynamoEventStore } from '../adapters/dynamodb/DynamoEventStore';
import { createDocumentClient } from '../adapters/dynamodb/createDocumentClient';
import type { AggregatorBatchTime, AggregatorShardRun, IngestUnits, UnitCounts } from '../core/planning/UnitCounts';
import { archiveRecords } from '../functions/archive/archiveRecords';
import { encodeAggregatedRecord } from '../adapters/kinesis/kpl/AggregatedRecordBuilder';
import { createChangePublisher } from '../functions/changes/createChangePublisher';
import { ingestEvents } from '../functions/ingest/ingestEvents';
import { ingestAggregationOf } from '../functions/ingest/ingestAggregationOf';
import { resolveConfig } from '../config/resolveConfig';
import { tributaryConfig } from '../infra/tributary.config';
import { endProgress, progressLine } from '../local/cli/progressLine';
import { LOCAL_CREDENTIALS } from '../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../local/emulators/Emulators';
import { createDeliveryTables } from '../local/tables/createDeliveryTables';
import { createEventsTable } from '../local/tables/createEventsTable';
import { benchSource, type BenchSource } from './benchSource';
import { DynamoDbMeter, total } from './DynamoDbMeter';
import { percentile } from './percentile';

const REQUEST_SIZES = [1, 10, 100, 500] as const;
const STREAM_SHARDS = [2, 8] as const;
/** Events sent per request size and shard count: enough requests for a median, few enough for a short bench. */
const EVENTS_PER_SIZE = 1_000;
/** The planner's default event: about 300 bytes of JSON as the producer sends it. */
const EVENT_TARGET_BYTES = 300;
const ARCHIVE_BATCH_RECORDS = 100;
const ARCHIVE_BATCHES = 4;
/** Untimed archive batches first: a fresh DynamoDB Local JVM and table run at about half speed at first. */
const ARCHIVE_WARMUP_BATCHES = 2;
/** The request size whose ingest run (2 shards) sets how many events the archive's records hold: the CLI's and the bench's. */
const ARCHIVE_REQUEST_SIZE = 100;
/** Window changes the change publisher is given: each a new count of one window, as the aggregates table's stream carries them. */
const CHANGES = 200;
const RESULTS = path.join(__dirname, 'results');
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** An order event of about EVENT_TARGET_BYTES, as a producer posts it (no id: ingest stamps one). */
function producerEvent(n: number): Record<string, unknown> {
  const event = { type: 'order.created', key: `customer-${n % 5_000}`, time: Date.now(), data: { region: 'eu-west', amount: 10 + (n % 90), currency: 'EUR', items: 1 + (n % 5), note: '' } };
  event.data.note = 'x'.repeat(Math.max(0, EVENT_TARGET_BYTES - Buffer.byteLength(JSON.stringify(event))));
  return event;
}

/** Counts what ingest writes to Kinesis: PutRecords calls, records, and their bytes as Kinesis counts them. */
function meterKinesis(client: KinesisClient) {
  const counts = { calls: 0, records: 0, bytes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutRecordsCommand') {
        const input = args.input as PutRecordsCommandInput;
        counts.calls += 1;
        for (const entry of input.Records ?? []) {
          counts.records += 1;
          counts.bytes += (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '');
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'kinesisMeter' },
  );
  return counts;
}

async function waitForStream(client: KinesisClient, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

/** functions/ingest/ingestEvents.ts against kinesis-mock: per request size and shard count. */
async function measureIngest(endpoint: string): Promise<{ eventBytes: number; runs: IngestUnits[] }> {
  // HTTP/1.1: kinesis-mock's plain port has no HTTP/2 (as local/aws/localClients.ts).
  const client = new KinesisClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }) });
  const counts = meterKinesis(client);
  const runs: IngestUnits[] = [];
  let sentBytes = 0;
  let sentEvents = 0;
  for (const shards of STREAM_SHARDS) {
    const streamName = `units-ingest-${shards}`;
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
    await waitForStream(client, streamName);
    // As the deployed ingest function packs them (functions/ingest/handler.ts): KPL aggregation when the config turns it on.
    const packing = resolveConfig(tributaryConfig).ingest.aggregation;
    const aggregation = ingestAggregationOf(packing.enabled ? packing.maxRecordBytes : undefined, client, streamName);
    for (const size of REQUEST_SIZES) {
      Object.assign(counts, { calls: 0, records: 0, bytes: 0 });
      const requestMs: number[] = [];
      let events = 0;
      let eventBytes = 0;
      for (let request = 0; request < Math.max(5, EVENTS_PER_SIZE / size); request++) {
        const raw = Array.from({ length: size }, (_, i) => producerEvent(request * size + i));
        eventBytes += raw.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
        const started = performance.now();
        const result = await ingestEvents(raw, size > 1, { kinesis: client, streamName, ...(aggregation ? { aggregation } : {}) });
        requestMs.push(performance.now() - started);
        if (result.accepted !== size) throw new Error(`ingest accepted ${result.accepted} of ${size} events: ${JSON.stringify(result.results.find((r) => r.status !== 'accepted'))}`);
        events += size;
        progressLine(`ingest, ${shards} shards, requests of ${size}: ${events} events`);
      }
      sentBytes += eventBytes;
      sentEvents += events;
      runs.push({
        eventsPerRequest: size,
        shards,
        recordsPerEvent: round(counts.records / events, 4),
        bytesPerRecord: round(counts.bytes / counts.records, 1),
        overheadBytesPerEvent: round((counts.bytes - eventBytes) / events, 1),
        putRecordsPerRequest: round(counts.calls / (events / size), 3),
        msPerRequest: round(percentile(requestMs, 50), 2),
      });
    }
  }
  client.destroy();
  return { eventBytes: round(sentBytes / sentEvents, 1), runs };
}

/**
 * functions/archive/archiveRecords.ts with the raw events table on DynamoDB
 * Local: WCU per event. Its records are KPL aggregates holding as many events
 * as ingest's record held in this run at 100 events a request on 2 shards, as
 * the stream delivers them: a type page holds a record's events.
 */
async function measureArchive(endpoint: string, eventsPerRecord: number): Promise<Omit<UnitCounts['archive'], 'source'>> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const meter = new DynamoDbMeter();
  meter.attach(client);
  await createEventsTable(client, 'units-events');
  const store = new DynamoEventStore('units-events', 30, createDocumentClient(client));
  const noRejects = { write: async () => {}, reject: async () => {} };
  const batchMs: number[] = [];
  let itemBytes = 0;
  meter.reset();
  for (let batch = 0; batch < ARCHIVE_WARMUP_BATCHES + ARCHIVE_BATCHES; batch++) {
    if (batch === ARCHIVE_WARMUP_BATCHES) meter.reset();
    const records = Array.from({ length: ARCHIVE_BATCH_RECORDS }, (_, i) => {
      const userRecords = Array.from({ length: eventsPerRecord }, (_, j) => {
        const n = (batch * ARCHIVE_BATCH_RECORDS + i) * eventsPerRecord + j;
        const json = JSON.stringify({ ...producerEvent(n), id: `01JUNITS${String(n).padStart(18, '0')}`, receivedAt: Date.now() });
        if (batch >= ARCHIVE_WARMUP_BATCHES) itemBytes += Buffer.byteLength(json);
        return { partitionKey: `customer-${n}`, data: Buffer.from(json) };
      });
      const sequenceNumber = String(49_000_000_000_000 + batch * ARCHIVE_BATCH_RECORDS + i);
      return {
        eventID: `shardId-000000000000:${sequenceNumber}`,
        kinesis: {
          data: encodeAggregatedRecord(userRecords).toString('base64'),
          sequenceNumber,
          partitionKey: userRecords[0]!.partitionKey,
          approximateArrivalTimestamp: Date.now() / 1_000,
          kinesisSchemaVersion: '1.0',
        },
      } as KinesisStreamRecord;
    });
    const started = performance.now();
    const outcome = await archiveRecords(records, store, noRejects, Date.now());
    if (batch >= ARCHIVE_WARMUP_BATCHES) batchMs.push(performance.now() - started);
    if (outcome.archived !== records.length * eventsPerRecord) throw new Error(`the archive wrote ${outcome.archived} of ${records.length * eventsPerRecord} events`);
    progressLine(`archive: batch ${batch + 1}/${ARCHIVE_WARMUP_BATCHES + ARCHIVE_BATCHES}${batch < ARCHIVE_WARMUP_BATCHES ? ' (warm-up)' : ''}`);
  }
  const { all } = meter.counts();
  const events = ARCHIVE_BATCHES * ARCHIVE_BATCH_RECORDS * eventsPerRecord;
  client.destroy();
  return { batchRecords: ARCHIVE_BATCH_RECORDS, eventsPerRecord, writeUnitsPerEvent: round(total(all.writeUnits) / events), itemBytes: Math.round(itemBytes / events), msPerBatch: round(percentile(batchMs, 50), 1) };
}

/**
 * functions/changes/createChangePublisher.ts on window changes (old and new image of a
 * count), SNS on fauxqs, Powertools idempotency on DynamoDB Local: DynamoDB units per
 * change published. Every window write is one such change on the table's stream.
 */
async function measureChanges(endpoints: { dynamodb: string; sqs: string }): Promise<Omit<NonNullable<UnitCounts['changes']>, 'source'>> {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const meter = new DynamoDbMeter();
  meter.attach(dynamodb);
  const sns = new SNSClient({ ...common, endpoint: endpoints.sqs, requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }) });
  await createDeliveryTables(dynamodb, { delivery: 'units-changes-delivery', idempotency: 'units-changes-idempotency' });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'units-count-value-updated' }));
  const publisher = createChangePublisher(
    { topicArn: TopicArn!, idempotencyTable: 'units-changes-idempotency', lateEventsTable: 'units-changes-delivery', lateEventRetentionDays: 30 },
    { sns, dynamodb, documents: createDocumentClient(dynamodb) },
  );
  publisher.registerContext({ getRemainingTimeInMillis: () => 60_000 });
  const windowStart = Math.floor(Date.now() / 60_000) * 60_000;
  const image = (n: number) =>
    marshall({ pk: `orders-per-region#region-${n % 100}`, windowStart, metric: 'orders-per-region', group: `region-${n % 100}`, windowEnd: windowStart + 60_000, eventCount: n, values: { orders: n }, version: n, updatedAt: Date.now() });
  const changeMs: number[] = [];
  let published = 0;
  meter.reset();
  for (let n = 1; n <= CHANGES; n++) {
    const record = {
      eventID: `change-${n}`,
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: String(10_000_000 + n), ApproximateCreationDateTime: Date.now() / 1_000, OldImage: image(n), NewImage: image(n + 1) },
    } as unknown as DynamoDBRecord;
    const started = performance.now();
    if ((await publisher.publishRecord(record, () => 60_000)) === 'published') published += 1;
    changeMs.push(performance.now() - started);
    if (n % 20 === 0) progressLine(`change publisher: ${n}/${CHANGES} changes`);
  }
  if (published !== CHANGES) throw new Error(`the change publisher published ${published} of ${CHANGES} changes`);
  const { all } = meter.counts();
  dynamodb.destroy();
  sns.destroy();
  return { writeUnitsPerChange: round(total(all.writeUnits) / CHANGES), readUnitsPerChange: round(total(all.readUnits) / CHANGES), msPerChange: round(percentile(changeMs, 50), 2) };
}

/** The shape of bench/results/shards.json this reads (bench/shards.ts writes it). */
interface ShardsResult {
  readonly source: BenchSource;
  readonly batchTime?: AggregatorBatchTime;
  readonly runs: readonly {
    readonly shards: number;
    readonly metrics: string;
    readonly metricCount: number;
    readonly batchRecords: number;
    readonly batchesPlanned: number;
    readonly batchesStarted: number;
    readonly batchesCompleted: number;
    readonly failedBatches: number;
    readonly perBatch: { writeUnits: number; readUnits: number; writeUnitsByTable: Record<string, number>; readUnitsByTable: Record<string, number> };
    readonly watermarkPartitionPerBatch: { writeUnits: number; readUnits: number };
    readonly windowsWrittenPerBatch: number;
    readonly groupsTouchedPerBatch: number;
    readonly writeConflictsPerBatch: number;
    readonly batchMsP50: number;
  }[];
}

/** The aggregator's units from the example config's run on the fewest shards (the least contention), with every shard count beside. */
function aggregatorUnits(shards: ShardsResult): UnitCounts['aggregator'] {
  const example = shards.runs.filter((run) => run.metrics === 'example config').sort((a, b) => a.shards - b.shards);
  const basis = example[0];
  if (!basis || basis.batchesCompleted !== basis.batchesStarted || basis.batchesCompleted === 0) {
    throw new Error('bench/results/shards.json has no example-config run whose batches all completed: run `npm run bench:shards` again on a quieter machine');
  }
  if (!shards.batchTime) throw new Error('bench/results/shards.json has no batch time (it is older than the bench that measures one): run `npm run bench:shards` again');
  const { perBatch, watermarkPartitionPerBatch: watermark } = basis;
  const windows = basis.windowsWrittenPerBatch;
  return {
    source: shards.source,
    batchRecords: basis.batchRecords,
    shards: basis.shards,
    metricCount: basis.metricCount,
    fixedWriteUnitsPerBatch: round(perBatch.writeUnitsByTable.delivery! + perBatch.writeUnitsByTable.idempotency! + watermark.writeUnits),
    fixedReadUnitsPerBatch: round(perBatch.readUnitsByTable.delivery! + perBatch.readUnitsByTable.idempotency! + watermark.readUnits),
    writeUnitsPerWindowWrite: round((perBatch.writeUnitsByTable.aggregates! - watermark.writeUnits) / windows),
    readUnitsPerWindowWrite: round((perBatch.readUnitsByTable.aggregates! - watermark.readUnits) / windows),
    windowWritesPerGroupTouched: round(windows / basis.groupsTouchedPerBatch),
    watermarkWriteUnitsPerBatch: watermark.writeUnits,
    watermarkReadUnitsPerBatch: watermark.readUnits,
    msPerBatch: basis.batchMsP50,
    msPer1000Events: round((basis.batchMsP50 * 1_000) / basis.batchRecords, 1),
    byShards: example.map(
      (run): AggregatorShardRun => ({
        shards: run.shards,
        writeUnitsPerBatch: run.perBatch.writeUnits,
        readUnitsPerBatch: run.perBatch.readUnits,
        writeConflictsPerBatch: run.writeConflictsPerBatch,
        batchesPlanned: run.batchesPlanned,
        batchesCompleted: run.batchesCompleted,
        failedBatches: run.failedBatches,
      }),
    ),
    batchTime: shards.batchTime,
  };
}

async function main(): Promise<void> {
  const shardsFile = path.join(RESULTS, 'shards.json');
  if (!existsSync(shardsFile)) throw new Error('bench/results/shards.json is missing: run `npm run bench:shards` first');
  const aggregator = aggregatorUnits(JSON.parse(readFileSync(shardsFile, 'utf8')) as ShardsResult);
  const source = benchSource('npm run bench:units');
  progressLine('starting kinesis-mock and DynamoDB Local');
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-bench-units-')));
  let ingest: Awaited<ReturnType<typeof measureIngest>>;
  let archive: Awaited<ReturnType<typeof measureArchive>>;
  let changes: Awaited<ReturnType<typeof measureChanges>>;
  try {
    ingest = await measureIngest(emulators.endpoints.kinesis);
    const basis = ingest.runs.find((run) => run.eventsPerRequest === ARCHIVE_REQUEST_SIZE && run.shards === 2)!;
    archive = await measureArchive(emulators.endpoints.dynamodb, Math.max(1, Math.round(1 / basis.recordsPerEvent)));
    changes = await measureChanges(emulators.endpoints);
  } finally {
    await emulators.stop();
  }
  const units: UnitCounts & { note: string } = {
    note: 'Measured, not computed: regenerate with `npm run bench:shards && npm run bench:units` (docs/benchmarks.md). Times are the offline functions on the machine named, against kinesis-mock and DynamoDB Local; units are what DynamoDB Local reports as consumed capacity.',
    source,
    ingest: { source, ...ingest },
    aggregator,
    archive: { source, ...archive },
    changes: { source, ...changes },
  };
  writeFileSync(path.join(RESULTS, 'units.json'), `${JSON.stringify(units, null, 2)}\n`);
  endProgress();
  console.log(`${source.bench} @ ${source.commit}, ${source.measuredAt}, ${source.machine}`);
  console.log('ingest: events/request  shards  records/event  bytes/record  overhead B/event  PutRecords/request  ms/request');
  for (const run of ingest.runs) {
    console.log(
      `        ${String(run.eventsPerRequest).padStart(14)}  ${String(run.shards).padStart(6)}  ${String(run.recordsPerEvent).padStart(13)}  ${String(run.bytesPerRecord).padStart(12)}  ${String(run.overheadBytesPerEvent).padStart(16)}  ${String(run.putRecordsPerRequest).padStart(18)}  ${String(run.msPerRequest).padStart(10)}`,
    );
  }
  console.log(
    `aggregator (${aggregator.source.bench} @ ${aggregator.source.commit}, ${aggregator.shards} shards, batches of ${aggregator.batchRecords}): ${aggregator.fixedWriteUnitsPerBatch} WCU + ${aggregator.fixedReadUnitsPerBatch} RCU fixed per batch, ${aggregator.writeUnitsPerWindowWrite} WCU + ${aggregator.readUnitsPerWindowWrite} RCU per window write; a batch takes ${aggregator.batchTime.fixedMs} ms + ${aggregator.batchTime.msPerEvent} ms per event + ${aggregator.batchTime.msPerWindowWrite} ms per window write (1 shard)`,
  );
  console.log(`archive: ${archive.writeUnitsPerEvent} WCU per event (${archive.itemBytes}-byte events), ${archive.msPerBatch} ms per batch of ${archive.batchRecords} records of ${archive.eventsPerRecord} events`);
  console.log(`change publisher: ${changes.writeUnitsPerChange} WCU + ${changes.readUnitsPerChange} RCU per window change published (Powertools idempotency), ${changes.msPerChange} ms each`);
  console.log('written to bench/results/units.json (committed: `tributary plan` reads it)');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
