// npm run bench:ingest → bench/results/ingest.json: Kinesis records per event at ingest, one record per
// event against KPL aggregation (issue 15), for requests of 1, 10, 100 and 500 events on 2 and 8 shards,
// through the real ingest code against kinesis-mock; and kinesis-mock's time per request, aggregated
// over one-record-per-event, in the same run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisShardMap } from '../adapters/kinesis/KinesisShardMap';
import { CONFIG_DEFAULTS } from '../config/TributaryConfig';
import { ingestEvents } from '../functions/ingest/ingestEvents';
import { createLocalClients } from '../local/aws/localClients';
import { Emulators } from '../local/emulators/Emulators';
import { percentile } from './percentile';

const REQUEST_SIZES = [1, 10, 100, 500] as const;
const SHARD_COUNTS = [2, 8] as const;
/** Events per (shards, size, mode), at least 5 requests: one-record-per-event requests of 500 take ~3 s on kinesis-mock, and the bench must stay near a minute. */
const EVENTS_PER_CELL = 600;
const MAX_RECORD_BYTES = CONFIG_DEFAULTS.ingest.aggregation.maxRecordBytes;

let seed = 20_261_203;
const next = (): number => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 4_294_967_296;
};

/** A request of ~200-byte order events over 5,000 customer keys, as bench/syntheticRecords.ts shapes them. */
function request(size: number): unknown[] {
  return Array.from({ length: size }, () => ({
    type: 'order.created',
    key: `customer-${Math.floor(next() * 5_000)}`,
    time: Date.now(),
    data: { region: `region-${Math.floor(next() * 5)}`, amount: Math.round(next() * 10_000) / 100, currency: 'EUR', items: 1 + Math.floor(next() * 5) },
  }));
}

async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Cell {
  readonly shards: number;
  readonly eventsPerRequest: number;
  readonly requests: number;
  readonly recordsPerEvent: { readonly plain: number; readonly aggregated: number };
  /** Median time of one request through ingest to kinesis-mock, per mode, and aggregated / plain. */
  readonly requestMs: { readonly plainP50: number; readonly aggregatedP50: number; readonly ratio: number };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-ingest-'));
  const emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, workDir);
  const { kinesis } = createLocalClients(emulators.endpoints);
  const cells: Cell[] = [];
  try {
    for (const shards of SHARD_COUNTS) {
      const streamName = `bench-ingest-${shards}`;
      await createStream(kinesis, streamName, shards);
      const shardMap = new KinesisShardMap(kinesis, streamName);
      for (const size of REQUEST_SIZES) {
        const requests = Math.max(5, Math.ceil(EVENTS_PER_CELL / size));
        const totals = { plain: { events: 0, records: 0, ms: [] as number[] }, aggregated: { events: 0, records: 0, ms: [] as number[] } };
        // Alternate the modes request by request, so both see the same emulator state.
        for (let i = 0; i < requests; i++) {
          for (const mode of ['plain', 'aggregated'] as const) {
            const events = request(size);
            const startedAt = performance.now();
            const result = await ingestEvents(events, true, { kinesis, streamName, ...(mode === 'aggregated' ? { aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap } } : {}) });
            totals[mode].ms.push(performance.now() - startedAt);
            if (result.accepted !== size) throw new Error(`${mode}: ${result.accepted} of ${size} accepted`);
            totals[mode].events += result.accepted;
            totals[mode].records += result.recordsWritten;
          }
        }
        const plainP50 = percentile(totals.plain.ms, 50);
        const aggregatedP50 = percentile(totals.aggregated.ms, 50);
        const cell: Cell = {
          shards,
          eventsPerRequest: size,
          requests,
          recordsPerEvent: { plain: totals.plain.records / totals.plain.events, aggregated: Math.round((totals.aggregated.records / totals.aggregated.events) * 10_000) / 10_000 },
          requestMs: { plainP50: Math.round(plainP50 * 100) / 100, aggregatedP50: Math.round(aggregatedP50 * 100) / 100, ratio: Math.round((aggregatedP50 / plainP50) * 100) / 100 },
        };
        cells.push(cell);
        console.log(
          `${shards} shards, ${String(size).padStart(3)} events/request: records/event ${cell.recordsPerEvent.plain} → ${cell.recordsPerEvent.aggregated}; request p50 ${cell.requestMs.plainP50} ms → ${cell.requestMs.aggregatedP50} ms (× ${cell.requestMs.ratio})`,
        );
      }
    }
  } finally {
    await emulators.stop();
  }
  const result = { measuredAt: new Date().toISOString(), maxRecordBytes: MAX_RECORD_BYTES, eventsPerCell: EVENTS_PER_CELL, keys: 5_000, eventBytes: '~200 (JSON envelope)', cells };
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('written to bench/results/ingest.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
