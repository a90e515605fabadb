import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { DynamoWindowStore } from '../../../adapters/dynamodb/DynamoWindowStore';
import { openDocumentReads } from '../../../adapters/dynamodb/openDocumentReads';
import { WindowQueries } from '../../../adapters/dynamodb/WindowQueries';
import { WindowAccumulator } from '../../../core/aggregation/WindowAccumulator';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import type { LateEvent, LateEventSink } from '../../../core/ports/LateEventSink';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import type { PartialWrite, WindowWrite, WindowDelete, SessionGroupGuard } from '../../../core/ports/WindowStore';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';
import { envelopeFactory } from '../../support/factories';
import { tributaryConfig } from '../../../infra/tributary.config';

/**
 * Hot windows on DynamoDB Local: every shard's consumer writing the same
 * groups at the same time. Each writes its own partial of a window item, so
 * none loses a race to another shard (decision 0013), and readers see the merge.
 */
let emulators: Emulators;
let client: DynamoDBClient;

/** The example config's orders-per-region, as deployed: counts, sums, a max, a mean, HLL and DDSketch states. */
const ORDERS_PER_REGION: MetricDefinition = tributaryConfig.metrics.find((metric) => metric.name === 'orders-per-region')!;
const REGIONS = ['eu-west', 'us-east', 'ap-south', 'sa-east', 'af-south'];
const T = Date.UTC(2026, 0, 1, 12, 0);

/** The DynamoDB store, counting the conditional window writes that lost a race. */
class CountingStore extends DynamoWindowStore {
  public lostRaces = 0;
  public override async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    const written = await super.writePartial(write, nowMs);
    if (!written) this.lostRaces += 1;
    return written;
  }
  public override async writeWindows(writes: readonly WindowWrite[], deletes: readonly WindowDelete[], nowMs: number, guard?: SessionGroupGuard): Promise<boolean> {
    const written = await super.writeWindows(writes, deletes, nowMs, guard);
    if (!written) this.lostRaces += 1;
    return written;
  }
}

const NO_LATE: LateEventSink = {
  write: async (events: readonly LateEvent[]) => {
    if (events.length > 0) throw new Error(`unexpected late events: ${events.map((e) => e.event.id).join(', ')}`);
  },
};

describe('Conformance: hot windows on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-hot-')));
    client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('loses no window write race when 8 shards write the same 5 groups at the same time, and every value is exact', async () => {
    // Prepare: 8 shards × 6 batches × 20 events, every batch touching all 5 groups of the same minute.
    const tableName = 'aggregates-hot';
    await createAggregatesTable(client, tableName);
    const store = new CountingStore({ tableName, retentionDays: 365 * 20, client: createDocumentClient(client) });
    const metric = compileMetric(ORDERS_PER_REGION);
    const shardIds = Array.from({ length: 8 }, (_, i) => `shardId-00000000000${i}`);
    const aggregator = new WindowedAggregator([metric], store, NO_LATE, new StaticShardDirectory(shardIds, T), { completions: new InMemoryCompletionLog() });
    const expected = new Map(REGIONS.map((region) => [region, new WindowAccumulator(metric.aggregations)]));
    let id = 0;
    const batchesOf = () =>
      Array.from({ length: 6 }, (_, b) =>
        Array.from({ length: 20 }, (_, i) => {
          id += 1;
          const event = envelopeFactory({ id: `e${id}`, key: `customer-${(id * 7) % 61}`, time: T + 1_000 + b * 100 + i, data: { region: REGIONS[i % 5]!, amount: (id % 97) + 1 } });
          expected.get(REGIONS[i % 5]!)!.add(event);
          return { event, sequenceNumber: String(1_000 + b * 100 + i) };
        }),
      );

    // Act: each shard's batches in order, the shards concurrently.
    const summaries = await Promise.all(
      shardIds.map(async (shardId) => {
        const done = [];
        for (const batch of batchesOf()) done.push(await aggregator.processBatch(shardId, batch, T + 2_000));
        return done;
      }),
    );

    // Assess: no lost race on any window; each of the 5 windows holds all 8 × 6 × 4 events, values exact.
    console.log(`lost window races ${store.lostRaces}, writeConflicts ${summaries.flat().reduce((sum, s) => sum + s.writeConflicts, 0)}`);
    expect(store.lostRaces).toBe(0);
    expect(summaries.flat().reduce((sum, s) => sum + s.windowsWritten, 0)).toBe(8 * 6 * 5);
    const read = await new WindowQueries(openDocumentReads({ daxEndpoint: undefined, region: LOCAL_REGION }, client), tableName).getWindowsWithWatermark(REGIONS.map((group) => ({ metric: metric.name, group, startMs: T })));
    expect(read.windows.map((w) => [w?.group, w?.eventCount, w?.values])).toEqual(REGIONS.map((region) => [region, 8 * 6 * 4, expected.get(region)!.results()]));
  }, 180_000);
});
