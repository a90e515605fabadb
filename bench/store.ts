// npm run bench:store → bench/results/store.json: the query API over a day of windows, the cache's hit ratio
// under a read-heavy mix, and how long an aggregate write takes to be visible through the query API.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocument, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { resolveConfig } from '../config/resolveConfig';
import { tributaryConfig } from '../infra/tributary.config';
import { PipelineSupervisor } from '../local/runtime/PipelineSupervisor';
import { createLocalClients } from '../local/aws/localClients';
import { endProgress, progressLine } from '../local/cli/progressLine';
import { WindowQueries } from '../adapters/dynamodb/WindowQueries';
import { DaxDouble, type BackingTable } from '../local/tables/DaxDouble';
import { LocalApiClient } from '../local/credentials/LocalApiClient';
import { percentile } from './percentile';

const MINUTE_MS = 60_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '40');
const progress = progressLine;

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-store-'));
  const supervisor = await PipelineSupervisor.start({
    stateDir: workDir,
    assemblyDir: path.join(workDir, 'cdk.out'),
    apiPort: 0,
    emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
    pollIntervalMs: 100,
    onProgress: (step) => progress(`boot: ${step}`),
  });
  try {
    // Signed as the dashboard and the producer sign (the local API refuses unsigned requests); signing adds well under a millisecond.
    const api = LocalApiClient.fromStateDir(supervisor.apiUrl, workDir);
    const clients = createLocalClients(supervisor.emulators.endpoints);
    const table = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames!.find((name) => name.startsWith('AggregatesTable'))!;
    const dayStart = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 24 * 60 * MINUTE_MS;

    // 1. A day of 1-minute windows for one group, then the query API over all of it vs a direct Query.
    progress('seeding 1,440 one-minute windows');
    const windows = Array.from({ length: 1_440 }, (_, i) => windowItem('bench-day', dayStart + i * MINUTE_MS, 1 + (i % 7)));
    for (let offset = 0; offset < windows.length; offset += 25) {
      await clients.documents.send(new BatchWriteCommand({ RequestItems: { [table]: windows.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const dayQuery = `/metrics/orders-per-region?group=bench-day&from=${dayStart}&to=${dayStart + 1_440 * MINUTE_MS}`;
    const direct = new WindowQueries(DynamoDBDocument.from(clients.dynamodb), table);
    const apiMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      // Alternated, so both see the same moment of a noisy machine.
      let started = performance.now();
      const body = (await (await api.fetch(dayQuery)).json()) as { windows: unknown[] };
      apiMs.push(performance.now() - started);
      if (body.windows.length !== 1_440) throw new Error(`the query API returned ${body.windows.length} windows, not 1,440`);
      started = performance.now();
      await Promise.all([direct.queryWindows('orders-per-region', 'bench-day', dayStart, dayStart + 1_440 * MINUTE_MS), direct.readPipelineWatermark()]);
      directMs.push(performance.now() - started);
      progress(`query API, 24 h of windows: ${i + 1}/${REQUESTS}`);
    }

    // 2. Hit ratio of the DAX item cache (the double, over DynamoDB Local) for dashboards polling recent windows while the aggregator writes.
    const backing: BackingTable = {
      put: async (Item) => void (await clients.documents.send(new PutCommand({ TableName: table, Item }))),
      get: async (Key) => (await clients.documents.send(new GetCommand({ TableName: table, Key: { pk: Key.pk, windowStart: Key.windowStart } }))).Item,
      query: async (values) =>
        (await clients.documents.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND windowStart BETWEEN :from AND :last', ExpressionAttributeValues: values }))).Items ?? [],
    };
    const dax = new DaxDouble(backing, resolveConfig(tributaryConfig).cache, () => Date.now());
    const cached = new WindowQueries(dax, table);
    const groups = ['eu-west', 'us-east', 'ap-south', 'sa-east', 'me-central'];
    const recentStart = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 59 * MINUTE_MS;
    for (const group of groups) for (let i = 0; i < 60; i++) await backing.put(windowItem(group, recentStart + i * MINUTE_MS, 1));
    const mixEnds = Date.now() + 10_000;
    let writes = 0;
    const writer = (async () => {
      for (let n = 2; Date.now() < mixEnds; n++) {
        // The aggregator updates each group's newest window twice a second, bypassing DAX.
        for (const group of groups) await backing.put(windowItem(group, recentStart + 59 * MINUTE_MS, n));
        writes += groups.length;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const dashboards = Array.from({ length: 20 }, async (_, d) => {
      while (Date.now() < mixEnds) {
        const group = groups[d % groups.length]!;
        await cached.getWindowsWithWatermark(Array.from({ length: 60 }, (_, i) => ({ metric: 'orders-per-region', group, startMs: recentStart + i * MINUTE_MS })));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    progress('read-heavy mix through the DAX double: 20 dashboards × 60 windows every 250 ms for 10 s');
    await Promise.all([writer, ...dashboards]);
    const reads = dax.stats.itemHits + dax.stats.itemMisses;

    // 3. Aggregate write → visible through the query API (offline there is no DAX: this is the pipeline's own staleness).
    const stalenessMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const group = `bench-stale-${Date.now()}-${i}`;
      const time = Date.now() - 30_000;
      await api.postJson('/events', { type: 'order.created', key: group, time, data: { region: group, amount: 1 } });
      const windowStart = Math.floor(time / MINUTE_MS) * MINUTE_MS;
      for (;;) {
        const response = (await (await api.fetch(`/metrics/orders-per-region?group=${group}&from=${windowStart}&to=${windowStart + MINUTE_MS}`)).json()) as { windows: unknown[] };
        if (response.windows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const visibleAt = Date.now();
      const { Item } = await clients.documents.send(new GetCommand({ TableName: table, Key: { pk: `orders-per-region#${group}`, windowStart } }));
      stalenessMs.push(visibleAt - (Item!.updatedAt as number));
      progress(`write → visible: ${i + 1}/20`);
    }

    const result = {
      measuredAt: new Date().toISOString(),
      queryApi24hOneMinuteWindows: {
        windows: 1_440,
        requests: REQUESTS,
        p50Ms: round(percentile(apiMs, 50)),
        p99Ms: round(percentile(apiMs, 99)),
        directQueryP50Ms: round(percentile(directMs, 50)),
        ratioToDirectQueryP50: round(percentile(apiMs, 50) / percentile(directMs, 50)),
      },
      cacheReadHeavyMix: {
        note: 'DAX double over DynamoDB Local (no DAX offline); item TTL from tributary.config',
        dashboards: 20,
        windowsPerRead: 60,
        writesBypassingDax: writes,
        itemReads: reads,
        hitRatio: round(dax.stats.itemHits / Math.max(1, reads)),
      },
      writeToVisibleOffline: { samples: stalenessMs.length, p50Ms: round(percentile(stalenessMs, 50)), p99Ms: round(percentile(stalenessMs, 99)) },
    };
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, 'results', 'store.json'), `${JSON.stringify(result, null, 2)}\n`);
    endProgress();
    const q = result.queryApi24hOneMinuteWindows;
    console.log(`query API, 24 h of 1-minute windows: p50 ${q.p50Ms} ms, p99 ${q.p99Ms} ms = ${q.ratioToDirectQueryP50} × a direct Query (${q.directQueryP50Ms} ms)`);
    console.log(`cache, read-heavy mix: hit ratio ${result.cacheReadHeavyMix.hitRatio} over ${reads} item reads (${writes} writes bypassing DAX)`);
    console.log(`aggregate write → visible through the query API (offline): p50 ${result.writeToVisibleOffline.p50Ms} ms, p99 ${result.writeToVisibleOffline.p99Ms} ms`);
    console.log('written to bench/results/store.json');
  } finally {
    await supervisor.stop();
  }
}

function windowItem(group: string, startMs: number, orders: number): Record<string, unknown> {
  return {
    pk: `orders-per-region#${group}`,
    windowStart: startMs,
    metric: 'orders-per-region',
    group,
    windowEnd: startMs + MINUTE_MS,
    eventCount: orders,
    values: { orders, revenue: orders * 10 },
    version: orders,
    updatedAt: Date.now(),
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
