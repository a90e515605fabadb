// Run by bench/aggregate.ts in a fresh process: peak RSS of one 10,000-record batch over 10,000 groups.
import { tributaryConfig } from '../infra/tributary.config';
import { createDocumentClient } from '../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../adapters/dynamodb/createDynamoDbClient';
import { functionSettings } from '../config/functionEnvironment';
import { resolveConfig } from '../config/resolveConfig';
import { NO_MARKS } from '../core/delivery/SourceMarks';
import { decodeEnvelope } from '../core/envelope/decodeEnvelope';
import type { WindowStore } from '../core/ports/WindowStore';
import { StaticShardDirectory } from '../core/ports/ShardDirectory';
import { createAggregator } from '../functions/aggregator/createAggregator';
import { syntheticRecords } from './syntheticRecords';

/** Storage stubbed: nothing stored, every conditional write succeeds. */
const stub: WindowStore = {
  readWatermarks: async () => ({ shards: new Map(), watermarkMs: {}, version: 0 }),
  readProgress: async () => ({ shards: new Map(), watermarkMs: {}, version: 0 }),
  writeShardProgress: async () => {},
  advanceWatermarks: async () => true,
  getWindows: async (keys) => keys.map(() => undefined),
  findSessions: async () => ({ sessions: [], groupVersion: 0, groupMarks: NO_MARKS }),
  writeWindows: async () => true,
  writePartial: async () => true,
  addLateCount: async () => true,
  finalizeWindows: async () => 0,
};

async function main(): Promise<void> {
  // The deployed wiring with every store stubbed: the batch's own memory, with the same modules loaded as in the function.
  const unused = { aggregatesTable: 'unused', lateEventsTable: 'unused', deliveryTable: 'unused', idempotencyTable: 'unused', streamName: 'unused' };
  const dynamodb = createDynamoDbClient();
  const { aggregator } = createAggregator(functionSettings('aggregator', resolveConfig(tributaryConfig), unused), { dynamodb, documents: createDocumentClient(dynamodb) }, {
    metrics: tributaryConfig.metrics,
    windowStore: stub,
    sideOutput: { write: async () => {}, reject: async () => {} },
    completions: { recordCompleted: async () => {}, isCompleted: async () => false },
    duplicates: false,
    batchIdempotency: false,
    shardDirectory: new StaticShardDirectory(['shardId-000000000000'], Date.now()),
  });
  const records = syntheticRecords(10_000, { groups: 10_000, eventsPerSecond: 1_000 });
  global.gc?.();
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  const events = records.map((r) => ({ event: decodeEnvelope(r.data, r.sequenceNumber), sequenceNumber: r.sequenceNumber }));
  const summary = await aggregator.processBatch('shardId-000000000000', events, Date.now());
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ groups: 10_000, records: 10_000, windowsWritten: summary.windowsWritten, baselineRssMb: Math.round(baselineRssMb), peakRssMb: Math.round(peakRssMb) }));
}

void main();
