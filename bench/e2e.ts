// npm run bench: boot time, ingest throughput and acceptance-to-visible latency of the offline pipeline.
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { tributaryConfig } from '../infra/tributary.config';
import { resolveConfig } from '../config/resolveConfig';
import { createLocalClients } from '../local/aws/localClients';
import { signedFetch } from '../adapters/apigateway/signedFetch';
import { postEvents, type SendRequest } from '../local/cli/postEvents';
import { LocalApiClient } from '../local/credentials/LocalApiClient';
import { syntheticOrder } from '../local/cli/syntheticOrder';
import { PipelineSupervisor } from '../local/runtime/PipelineSupervisor';
import { percentile } from './percentile';
import { progressLine } from '../local/cli/progressLine';
import { consumerLagOf, type ConsumerLag } from './consumerLagOf';
import { meteredSend } from './meteredSend';

/** The phases' target rates; BENCH_RATES (comma-separated) runs others, e.g. one phase while tuning. */
const RATES: readonly number[] = process.env.BENCH_RATES ? process.env.BENCH_RATES.split(',').map(Number) : [500, 2_000, 5_000];
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? '15');
/** What the offline pipeline must sustain on the two-core machine (issue 15): the 2,000 ev/s phase is judged against it. */
const OBJECTIVE = { ratePerSecond: 2_000, visibleP99Ms: 2_000, consumerLagP95Ms: 5_000 } as const;
/**
 * Requests the load generator keeps in flight (BENCH_CONNECTIONS). At 8 it was
 * the limit itself: 8 × 100 events per ~490 ms request under load is the 1,630
 * ev/s it measured; 16 reached 1,884 ev/s and 32 no more (2026-12-03).
 */
const PRODUCER_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '16');
/** Seconds of the phase's own load sent (and not measured) before it, so a phase measures a warm pipeline. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? '15');
/** A probe not visible this long after its phase ended counts as not visible (and fails the objective). */
const DRAIN_MS = 30_000;
const PROBE_INTERVAL_MS = 100;
const BURST_EVENTS = 10_000;
/**
 * The deployment's own shard count (2 in the bundled config): the bench measures
 * what `npm start` runs. With aggregated records a shard's 1,000 records/s is no
 * longer the limit; its 1 MB/s is (about 3,000 events/s of ~300 bytes).
 */
const SHARDS = Number(process.env.BENCH_SHARDS ?? String(resolveConfig(tributaryConfig).stream.shardCount));
/** Lambda's own cadence: about one GetRecords per shard per second when idle. */
const POLL_INTERVAL_MS = 1_000;

interface LatencyPhase {
  readonly targetRatePerSecond: number;
  /** Events answered per second in steady state (bench/meteredSend.ts): what the objective judges. */
  readonly achievedRatePerSecond: number;
  /** All events over first send → last answer (postEvents' own rate): one request's latency low of the above. */
  readonly answeredOverRunPerSecond: number;
  /** How late the sender fell behind its schedule at worst: about 0 when the pipeline kept up. */
  readonly maxBehindScheduleMs: number;
  readonly accepted: number;
  readonly failed: number;
  /** Probe events accepted, and those of them never visible within DRAIN_MS (counted as DRAIN_MS in the percentiles). */
  readonly probes: number;
  readonly probesNotVisible: number;
  readonly visibleLatencyMs: { p50: number; p99: number; max: number };
  /** Event-time lag as the aggregator measured it (ConsumerLagMs) from the phase's start until its probes drained. */
  readonly consumerLag: ConsumerLag;
  /**
   * How far each Kinesis consumer's poller was behind the tip of its shards
   * (GetRecords' MillisBehindLatest, Lambda's IteratorAge), sampled every
   * 500 ms over the same span, by function: a consumer that falls behind for
   * good (the archive) is not sustaining the rate even when windows stay fresh.
   */
  readonly behindLatestMs: Readonly<Record<string, { p95: number; max: number }>>;
  /** Ingested events/s over the direct-PutRecords baseline of the same run. */
  readonly ratioToDirect?: number;
}

const progress = progressLine;

const workDir = mkdtempSync(path.join(tmpdir(), 'tributary-bench-'));
const assemblyDir = path.join(workDir, 'cdk.out');
let runs = 0;

/** A fresh pipeline for each measurement, so no phase inherits another's full shards. */
async function withPipeline<T>(synth: boolean, body: (supervisor: PipelineSupervisor, api: LocalApiClient, stateDir: string) => Promise<T>): Promise<T> {
  const stateDir = path.join(workDir, `run-${++runs}`);
  const supervisor = await PipelineSupervisor.start({
    stateDir,
    assemblyDir,
    apiPort: 0,
    emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
    pollIntervalMs: POLL_INTERVAL_MS,
    config: { ...tributaryConfig, stream: { ...tributaryConfig.stream, shardCount: SHARDS } },
    synth,
    onProgress: (step) => progress(`boot: ${step}`),
  });
  try {
    // The bench calls the API as a producer and a dashboard would: signed (the local API refuses unsigned requests).
    return await body(supervisor, LocalApiClient.fromStateDir(supervisor.apiUrl, stateDir), stateDir);
  } finally {
    await supervisor.stop();
  }
}

async function main(): Promise<void> {
  const bootStarted = Date.now();
  const bootMs = await withPipeline(true, async () => Date.now() - bootStarted);
  const warmBootStarted = Date.now();
  const warmBootMs = await withPipeline(false, async () => Date.now() - warmBootStarted);
  progress(`boot: ${bootMs} ms with synth, ${warmBootMs} ms from an existing cdk.out\n`);

  const phases: LatencyPhase[] = [];
  const directEventsPerSecond = await withPipeline(false, directPutRecords);
  for (const rate of RATES) {
    const phase = await withPipeline(false, (supervisor, api, stateDir) => latencyPhase(supervisor, api, rate, path.join(stateDir, 'logs', 'functions.log')));
    phases.push({ ...phase, ratioToDirect: phase.achievedRatePerSecond / directEventsPerSecond });
  }
  const apiBurst = await withPipeline(false, async (_supervisor, api) => {
    const summary = await postEvents(`${api.apiUrl}/events`, BURST_EVENTS, (index) => syntheticOrder(index), {
      ratePerSecond: 1_000_000,
      batchSize: 500,
      send: signingAs(api),
      onProgress: (p) => progress(`burst through the API: ${p.sent}/${BURST_EVENTS}`),
    });
    return summary.ratePerSecond;
  });
  progress('\n');

  const result = {
    benchmark: 'e2e',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    shards: SHARDS,
    pollIntervalMs: POLL_INTERVAL_MS,
    bootMs,
    warmBootMs,
    objective: { ...OBJECTIVE, met: objectiveMet(phases) },
    latency: phases,
    burst: { events: BURST_EVENTS, apiEventsPerSecond: apiBurst, directPutRecordsEventsPerSecond: directEventsPerSecond, ratioToDirect: apiBurst / directEventsPerSecond },
  };
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'e2e.json'), `${JSON.stringify(result, null, 2)}\n`);

  console.log(`\nboot                  ${(bootMs / 1000).toFixed(1)} s with synth, ${(warmBootMs / 1000).toFixed(1)} s from cdk.out (emulators + provision + host)`);
  for (const phase of phases) {
    console.log(
      `${String(phase.targetRatePerSecond).padStart(5)} ev/s target    ingest ${phase.achievedRatePerSecond} ev/s · ` +
        `(${(phase.ratioToDirect ?? 0).toFixed(2)} × direct) · accepted→visible p50 ${phase.visibleLatencyMs.p50} ms, p99 ${phase.visibleLatencyMs.p99} ms ` +
        `(${phase.probes} probes${phase.probesNotVisible > 0 ? `, ${phase.probesNotVisible} never visible` : ''}) · ` +
        `lag p95 ${phase.consumerLag.p95Ms} ms · batch p95 ${phase.consumerLag.batchP95Ms} ms (${phase.consumerLag.batches} batches) · ${phase.failed} not accepted\n` +
        `                      sender at most ${phase.maxBehindScheduleMs} ms behind schedule (${phase.answeredOverRunPerSecond} ev/s over the whole run) · ` +
        `behind latest p95/max: ${Object.entries(phase.behindLatestMs).map(([name, behind]) => `${name} ${behind.p95}/${behind.max} ms`).join(', ')}`,
    );
  }
  console.log(
    `objective             ${OBJECTIVE.ratePerSecond} ev/s ingested, accepted→visible p99 < ${OBJECTIVE.visibleP99Ms} ms, lag p95 < ${OBJECTIVE.consumerLagP95Ms} ms: ${objectiveMet(phases) ? 'met' : 'NOT met'}`,
  );
  console.log(
    `burst ingest          ${apiBurst.toFixed(0)} ev/s through the API vs ${directEventsPerSecond.toFixed(0)} ev/s PutRecords straight into ` +
      `kinesis-mock (ratio ${(apiBurst / directEventsPerSecond).toFixed(2)}), ${SHARDS} shards, ${BURST_EVENTS} events`,
  );
  console.log('written to bench/results/e2e.json');
}

/**
 * Steady load at `rate`, plus probe events (one key → one shard, one group)
 * every 100 ms. A reader polls the probe group's count; when it reaches k,
 * probes 1..k are visible (one shard is applied in order). Latency = first
 * time visible − the moment the ingest API answered "accepted".
 */
/** postEvents' sender for the producer's route, signed. */
function signingAs(api: LocalApiClient): SendRequest {
  return (url, init) => signedFetch(url, init, api.signing('POST', '/events'));
}

/** The 2,000 ev/s phase against the objective. */
function objectiveMet(phases: readonly LatencyPhase[]): boolean {
  const phase = phases.find((candidate) => candidate.targetRatePerSecond === OBJECTIVE.ratePerSecond);
  if (!phase) return false;
  // A paced sender reaches its target only to within its last tick: 2 % slack on the rate.
  return (
    phase.achievedRatePerSecond >= OBJECTIVE.ratePerSecond * 0.98 &&
    phase.failed === 0 &&
    phase.probesNotVisible === 0 &&
    phase.visibleLatencyMs.p99 < OBJECTIVE.visibleP99Ms &&
    phase.consumerLag.p95Ms < OBJECTIVE.consumerLagP95Ms
  );
}

async function latencyPhase(supervisor: PipelineSupervisor, api: LocalApiClient, rate: number, functionsLog: string): Promise<LatencyPhase> {
  // A fresh pipeline's JVM (DynamoDB Local) and functions are cold: the first ~20 s run at about half speed.
  // `npm start` runs for hours, so the phase is measured warm, after WARMUP_SECONDS of the same load.
  await postEvents(`${api.apiUrl}/events`, rate * WARMUP_SECONDS, (index) => syntheticOrder(index), {
    ratePerSecond: rate,
    batchSize: 100,
    maxInFlight: PRODUCER_CONNECTIONS,
    send: signingAs(api),
    signal: AbortSignal.timeout((WARMUP_SECONDS + 5) * 1_000),
    onProgress: (p) => progress(`${rate} ev/s: warming up, sent ${p.sent}/${rate * WARMUP_SECONDS}`),
  });
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const phaseStartedAt = Date.now();
  const group = `probe-${rate}`;
  const probeAcceptedAt: number[] = [];
  const probeVisibleAt: number[] = [];
  let stopProbes = false;
  let stopReader = false;
  const behind = sampleBehindLatest(supervisor);

  const prober = (async () => {
    while (!stopProbes) {
      const response = await api.postJson('/events', { type: 'order.created', key: 'probe', time: Date.now(), data: { region: group, amount: 1 } });
      if (response.status === 200) probeAcceptedAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();
  const reader = (async () => {
    const from = Date.now() - 120_000;
    while (!stopReader) {
      const response = await api.fetch(`/metrics/orders-per-region?group=${group}&from=${from}&to=${Date.now() + 120_000}`);
      const body = (await response.json()) as { windows?: { eventCount: number }[] };
      const visible = (body.windows ?? []).reduce((sum, window) => sum + window.eventCount, 0);
      while (probeVisibleAt.length < visible) probeVisibleAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const meter = meteredSend(signingAs(api), rate);
  const load = await postEvents(`${api.apiUrl}/events`, rate * PHASE_SECONDS, (index) => syntheticOrder(index), {
    ratePerSecond: rate,
    batchSize: 100,
    maxInFlight: PRODUCER_CONNECTIONS,
    send: meter.send,
    // Bounded in time, not only in events: a pipeline that cannot keep up would otherwise stretch the phase for minutes.
    signal: AbortSignal.timeout((PHASE_SECONDS + 5) * 1_000),
    onProgress: (p) => progress(`${rate} ev/s: sent ${p.sent}/${rate * PHASE_SECONDS} · ${p.ratePerSecond.toFixed(0)} ev/s`),
  });
  stopProbes = true;
  await prober;
  const deadline = Date.now() + DRAIN_MS;
  while (probeVisibleAt.length < probeAcceptedAt.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  stopReader = true;
  await reader;
  const behindLatestMs = behind.stop();
  const sent = meter.summary();

  // A probe never seen counts as the whole drain: leaving it out would flatter the percentiles.
  const latencies = probeAcceptedAt.map((acceptedAt, i) => (i < probeVisibleAt.length ? Math.max(0, probeVisibleAt[i]! - acceptedAt) : DRAIN_MS));
  progress(`${rate} ev/s: done\n`);
  return {
    targetRatePerSecond: rate,
    achievedRatePerSecond: Math.round(sent.answeredPerSecond),
    answeredOverRunPerSecond: Math.round(load.ratePerSecond),
    maxBehindScheduleMs: sent.maxBehindScheduleMs,
    accepted: load.accepted,
    failed: load.failed + load.rejected,
    probes: latencies.length,
    probesNotVisible: Math.max(0, probeAcceptedAt.length - probeVisibleAt.length),
    consumerLag: consumerLagOf(functionsLog, phaseStartedAt, Date.now()),
    behindLatestMs,
    visibleLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
  };
}

/** `ArchiverFunction2B48C242` → `archiver`: a function's logical id without the construct suffix and hash. */
function functionLabel(logicalId: string): string {
  return logicalId.replace(/Function[0-9A-F]{8}$/, '').toLowerCase();
}

/** Samples every Kinesis mapping's MillisBehindLatest from the host's stats every 500 ms until stopped; p95 and max by function. */
function sampleBehindLatest(supervisor: PipelineSupervisor): { stop(): Record<string, { p95: number; max: number }> } {
  const functionOf = new Map(supervisor.plan.kinesisMappings.map((mapping) => [mapping.logicalId, functionLabel(mapping.functionLogicalId)]));
  const samples = new Map<string, number[]>();
  const timer = setInterval(() => {
    for (const [logicalId, stats] of Object.entries(supervisor.latestStats?.mappings ?? {})) {
      const name = functionOf.get(logicalId);
      if (name === undefined) continue;
      const values = samples.get(name) ?? [];
      values.push(stats.millisBehindLatest);
      samples.set(name, values);
    }
  }, 500);
  return {
    stop: () => {
      clearInterval(timer);
      return Object.fromEntries([...samples].map(([name, values]) => [name, { p95: percentile(values, 95), max: Math.max(...values) }]));
    },
  };
}

/** The baseline: the same envelopes PutRecords'd straight into the stream, 500 per call, from this process. */
async function directPutRecords(supervisor: PipelineSupervisor): Promise<number> {
  const { kinesis } = createLocalClients(supervisor.emulators.endpoints);
  const streamName = Object.entries(supervisor.plan.resources).find(([, resource]) => resource.type === 'AWS::Kinesis::Stream')![0];
  const started = Date.now();
  for (let sent = 0; sent < BURST_EVENTS; sent += 500) {
    const records = Array.from({ length: 500 }, (_, i) => {
      const event = syntheticOrder(sent + i);
      return { Data: Buffer.from(JSON.stringify({ ...event, id: `direct-${sent + i}`, receivedAt: Date.now() })), PartitionKey: String(event.key) };
    });
    await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
    progress(`burst baseline (PutRecords): ${sent + 500}/${BURST_EVENTS}`);
  }
  return (BURST_EVENTS / (Date.now() - started)) * 1_000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
