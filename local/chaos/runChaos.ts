import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth } from '../aws/queueDepth';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { tributaryConfig } from '../../infra/tributary.config';
import type { TributaryConfig } from '../../config/TributaryConfig';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import { compileMetric } from '../../core/metrics/compileMetric';
import { redriveDeadLetters } from '../../ops/redriveDeadLetters';
import { AGGREGATE_KEYS } from '../../adapters/dynamodb/aggregateKeys';
import { scanTable } from '../aws/scanTable';
import { connectToPipeline } from '../cli/connectToPipeline';
import { resolveOfflineTarget } from '../cli/resolveOfflineTarget';
import { waitUntilDrained } from '../runtime/waitUntilDrained';
import { PipelineSupervisor } from '../runtime/PipelineSupervisor';
import { LocalApiClient } from '../credentials/LocalApiClient';
import type { LocalCredentials } from '../credentials/LocalCredentials';
import { FaultProxy, type FaultKind, type FaultPolicy } from './FaultProxy';
import { toWindowResult } from '../../adapters/dynamodb/windowItems';
import { compareWithReference, recompute, type ObservedWindow } from './referenceWindows';
import { seededRandom } from './seededRandom';

export interface ChaosOptions {
  readonly seed: number;
  /** Distinct events produced. */
  readonly events: number;
  readonly keys: number;
  /** Share of events the producer sends again (same key and id). */
  readonly resendShare: number;
  /** Share of DynamoDB and Kinesis requests that get a fault. */
  readonly faultRate: number;
  /** Function host crashes injected right before or after a write. */
  readonly crashes: number;
  /**
   * Longest throttling storm: three quarters into the run, every write of one
   * shard's aggregator progress item is throttled (a hot partition) until the
   * aggregator's DLQ receives a message, or for this long. The retry policy
   * absorbs a short storm inside each invocation; this one outlasts it and the
   * mapping's retries and bisects, so its batch reaches the DLQ and the redrive.
   */
  readonly stormMs: number;
  readonly onProgress?: (line: string) => void;
}

export interface ChaosSummary {
  readonly seed: number;
  readonly eventsSent: number;
  readonly duplicatesInjected: number;
  readonly poisonRecords: number;
  readonly faults: Record<FaultKind | 'hostKill9', number>;
  /** SDK requests that were a retry of a failed attempt (counted by the fault proxies). */
  readonly retriedRequests: number;
  /** Messages in the aggregator's DLQ before the redrive. */
  readonly dlqMessages: number;
  /** Of those, the ones the redrive applied (the rest it kept, naming why). */
  readonly dlqMessagesRedriven: number;
  /** Of those, the ones that did not arrive during the storm: what ordinary faults still pushed past the retries. */
  readonly dlqMessagesOutsideStorm: number;
  /** The archive consumer's DLQ: it has nothing to fail on but faults, which the retry policy absorbs. */
  readonly archiveDlqMessages: number;
  /**
   * The change publisher's DLQ. A host killed right after a change's
   * idempotency record was written leaves it INPROGRESS until that
   * invocation's deadline (30 s); the mapping's retries end sooner and the
   * rest of that batch lands here.
   */
  readonly changesDlqMessages: number;
  readonly stormSeconds: number;
  readonly recordsRedriven: number;
  readonly windowsCompared: number;
  readonly mismatches: readonly string[];
  readonly eventsLost: number;
  readonly lateEvents: number;
  readonly rejectedRecords: number;
  readonly seconds: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

/**
 * The chaos run: the whole offline pipeline (real emulators, real function
 * bundles, real HTTP) with a fault proxy between the functions and the
 * emulators, a producer that re-sends and retries, a poison record, host
 * crashes at writes and a kill -9 mid-stream; then a DLQ redrive, and every
 * window compared with a recomputation from the events.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  // Two streams: the events must not depend on how many requests the faults were decided for.
  const random = seededRandom(options.seed);
  const faultRandom = seededRandom(options.seed ^ 0x5bd1e995);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tributary-chaos-'));
  // The example metrics, with lateness and idleness out of the way: host crashes stall shards for seconds,
  // and the comparison is about counting each event once, not about the watermark.
  const config: TributaryConfig = {
    ...tributaryConfig,
    aggregator: { ...tributaryConfig.aggregator, batchSize: 100, maxRetryAttempts: 2 },
    metrics: tributaryConfig.metrics.map((metric) => ({ ...metric, watermark: { maxDelayMs: 5_000, idleTimeoutMs: 600_000, allowedLatenessMs: 3_600_000 } })),
  };
  const faults = { throttle: 0, lostResponse: 0, partialPutRecords: 0, crashBeforeWrite: 0, crashAfterWrite: 0, hostKill9: 0 };
  let faultRate = options.faultRate;
  // The throttling storm's shard, while it lasts: its aggregator progress writes fail (see stormMs).
  let stormShard: string | undefined;
  let crashesLeft = options.crashes;
  let lastCrashMs = 0;
  /** DynamoDB writes a fault was decided for. */
  let writeFaults = 0;
  const killHost = (): boolean => {
    try {
      process.kill(Number(readFileSync(path.join(stateDir, 'host.pid'), 'utf8')), 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  };
  let partialPutRecordsDone = false;
  const policy: FaultPolicy = {
    decide: ({ service, operation, body }) => {
      if (stormShard && service === 'dynamodb' && WRITES.has(operation) && isProgressWrite(body, stormShard)) return 'throttle';
      // At least one partial PutRecords per run, whatever the seed.
      if (service === 'kinesis' && operation === 'PutRecords' && !partialPutRecordsDone) {
        partialPutRecordsDone = true;
        return 'partialPutRecords';
      }
      if (faultRandom() >= faultRate) return undefined;
      const roll = faultRandom();
      if (service === 'kinesis') {
        if (operation === 'PutRecords') return roll < 0.6 ? 'partialPutRecords' : 'lostResponse';
        return operation === 'GetRecords' ? 'throttle' : undefined;
      }
      if (!WRITES.has(operation)) return roll < 0.5 ? 'throttle' : undefined;
      writeFaults += 1;
      // A crash at most every 6 s, so the restarted host gets to work in between; at least one
      // per run, whatever the seed and the machine's timing: the 20th write fault if none came before.
      const noCrashYet = crashesLeft === options.crashes;
      if (crashesLeft > 0 && (roll < 0.08 || (noCrashYet && writeFaults >= 20)) && Date.now() - lastCrashMs > 6_000) {
        crashesLeft -= 1;
        lastCrashMs = Date.now();
        return faultRandom() < 0.5 ? 'crashBeforeWrite' : 'crashAfterWrite';
      }
      return roll < 0.6 ? 'throttle' : 'lostResponse';
    },
  };
  const proxies: FaultProxy[] = [];
  progress('starting the pipeline with fault proxies in front of DynamoDB Local and kinesis-mock');
  const supervisor = await PipelineSupervisor.start({
    stateDir,
    assemblyDir: path.join(stateDir, 'cdk.out'),
    apiPort: 0,
    emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
    pollIntervalMs: 200,
    config,
    // Every injected fault reaches the code that must cope with it, instead of being absorbed by the SDK's own retries.
    hostEnvironment: { AWS_MAX_ATTEMPTS: '1' },
    hostEndpoints: async (endpoints) => {
      const dynamodb = new FaultProxy('dynamodb', endpoints.dynamodb, policy, killHost);
      const kinesis = new FaultProxy('kinesis', endpoints.kinesis, policy, killHost);
      proxies.push(dynamodb, kinesis);
      return { ...endpoints, dynamodb: await dynamodb.listen(), kinesis: await kinesis.listen() };
    },
  });
  try {
    const pipeline = connectToPipeline(await resolveOfflineTarget(stateDir), config);
    // The chaos producer signs as the local producer.
    const { credentials } = supervisor;
    // Produce: several minutes of event time, out of order within the watermark bound, many keys.
    const baseMs = Math.floor(Date.now() / 60_000) * 60_000 - 15 * 60_000;
    const events: EventEnvelope[] = [];
    for (let i = 0; i < options.events; i++) {
      const key = `user-${Math.floor(random() * options.keys)}`;
      const time = baseMs + Math.floor((i * 300_000) / options.events) - Math.floor(random() * 4_000);
      const roll = random();
      const kind = roll < 0.5 ? 'order' : roll < 0.8 ? 'checkout' : 'page';
      const data: Record<string, unknown> =
        kind === 'order'
          ? { region: ['eu-west', 'us-east', 'ap-south', 'sa-east'][Math.floor(random() * 4)], amount: 1 + Math.floor(random() * 500) }
          : kind === 'checkout'
            ? { latencyMs: Math.floor(random() * 2_000) }
            : { page: `/p/${Math.floor(random() * 20)}`, position: Math.floor(random() * 100) };
      const type = kind === 'order' ? 'order.created' : kind === 'checkout' ? (random() < 0.1 ? 'checkout.failed' : 'checkout.completed') : 'page.viewed';
      events.push({ id: `chaos-${options.seed}-${i}`, type, key, time, data, receivedAt: 0 });
    }
    const sent = [...events];
    let duplicatesInjected = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      if (random() < options.resendShare) {
        sent.splice(Math.min(sent.length, i + 1 + Math.floor(random() * 200)), 0, events[i]!);
        duplicatesInjected += 1;
      }
    }
    const batches: EventEnvelope[][] = [];
    for (let offset = 0; offset < sent.length; offset += 50) batches.push(sent.slice(offset, offset + 50));
    let killed = false;
    let stormOver: Promise<{ seconds: number; dlqMessages: number }> | undefined;
    const shards = (await pipeline.clients.kinesis.send(new ListShardsCommand({ StreamName: pipeline.streamName }))).Shards ?? [];
    for (const [index, batch] of batches.entries()) {
      await postUntilAccepted(supervisor, credentials, batch);
      if (!stormOver && index >= batches.length * 0.75) {
        stormOver = storm(pipeline.clients.sqs, pipeline.deadLetterQueueUrl, options.stormMs, (shard) => (stormShard = shard), shards[shards.length - 1]!.ShardId!);
      }
      if (!killed && index >= batches.length / 2) {
        // Mid-stream: kill -9 of the process that hosts the functions and pollers; the emulators keep running.
        killed = killHost();
        faults.hostKill9 += killed ? 1 : 0;
        // A record no retry can fix: it must go to the rejected-records output without blocking its shard.
        await pipeline.clients.kinesis.send(new PutRecordCommand({ StreamName: pipeline.streamName, PartitionKey: 'poison', Data: Buffer.from('{"this is": not an event') }));
      }
      if (index % 10 === 0) progress(`sent ${Math.min(sent.length, (index + 1) * 50)}/${sent.length} events · faults so far: ${describeFaults(proxies)}`);
    }

    progress('waiting for the storm to reach the DLQ');
    const stormed = await stormOver!;
    progress('waiting for the consumers to drain');
    await waitUntilDrained(supervisor, 120_000);
    faultRate = 0;
    await waitUntilDrained(supervisor, 60_000);

    const dlqMessages = await queueDepth(pipeline.clients.sqs, pipeline.deadLetterQueueUrl);
    const queueUrls = (await pipeline.clients.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    const dlqDepth = async (consumer: RegExp) => {
      const url = queueUrls.find((candidate) => consumer.test(candidate.split('/').pop()!) && /DeadLetterQueue/.test(candidate));
      return url ? queueDepth(pipeline.clients.sqs, url) : 0;
    };
    const [archiveDlqMessages, changesDlqMessages] = await Promise.all([dlqDepth(/^Archiver/), dlqDepth(/^Change/)]);

    progress('redriving the DLQ');
    const redrive = await redriveDeadLetters({
      ...pipeline.redriveTarget(),
      dryRun: false,
    });

    progress('comparing every window with the reference');
    const metrics = config.metrics.map(compileMetric);
    const tables = (await pipeline.clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    const items = await scanTable(pipeline.clients.documents, tables.find((t) => t.startsWith('AggregatesTable'))!);
    const windows: ObservedWindow[] = items
      .filter((item) => typeof item.metric === 'string' && typeof item.windowEnd === 'number')
      // As every reader sees them: an open window merged over its per-shard partials.
      .map(toWindowResult);
    const comparison = compareWithReference(windows, metrics, recompute(metrics, events));
    const sideOutput = await scanTable(pipeline.clients.documents, tables.find((t) => t.startsWith('LateEventsTable'))!);
    const rejectedRecords = sideOutput.filter((item) => String(item.pk).startsWith('~rejected#')).length;
    // Tumbling windows partition a metric's events: what they hold short of the events is lost.
    const ordersHeld = windows.filter((w) => w.metric === 'orders-per-region').reduce((sum, w) => sum + w.eventCount, 0);
    const ordersSent = events.filter((e) => e.type === 'order.created').length;
    for (const proxy of proxies) for (const [kind, count] of Object.entries(proxy.injected)) faults[kind as FaultKind] += count;
    return {
      seed: options.seed,
      eventsSent: sent.length,
      duplicatesInjected,
      poisonRecords: 1,
      faults,
      retriedRequests: proxies.reduce((sum, proxy) => sum + proxy.retriedRequests, 0),
      dlqMessages,
      dlqMessagesRedriven: redrive.redriven,
      dlqMessagesOutsideStorm: Math.max(0, dlqMessages - stormed.dlqMessages),
      archiveDlqMessages,
      changesDlqMessages,
      stormSeconds: stormed.seconds,
      recordsRedriven: redrive.records,
      windowsCompared: comparison.compared,
      mismatches: comparison.mismatches,
      eventsLost: Math.max(0, ordersSent - ordersHeld),
      lateEvents: sideOutput.length - rejectedRecords,
      rejectedRecords,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await supervisor.stop();
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
}

/** One line for people: what was sent, what was broken, what came out. */
export function formatChaosSummary(summary: ChaosSummary): string {
  const f = summary.faults;
  return [
    `chaos (seed ${summary.seed}): ${summary.eventsSent} events sent incl. ${summary.duplicatesInjected} producer duplicates, ${summary.poisonRecords} poison record`,
    `faults: ${f.throttle} throttles, ${f.lostResponse} lost responses, ${f.partialPutRecords} partial PutRecords, ${f.crashBeforeWrite} crashes before a write, ${f.crashAfterWrite} after one, ${f.hostKill9} kill -9 of the host · ${summary.retriedRequests} requests retried`,
    `DLQ: ${summary.dlqMessages} message(s) (${summary.dlqMessagesOutsideStorm} outside the ${summary.stormSeconds} s storm), ${summary.dlqMessagesRedriven} redriven with ${summary.recordsRedriven} record(s) · archive DLQ: ${summary.archiveDlqMessages}, change publisher DLQ: ${summary.changesDlqMessages} · ${summary.rejectedRecords} rejected record(s), ${summary.lateEvents} late`,
    `${summary.windowsCompared} windows compared: ${summary.mismatches.length} mismatches, ${summary.eventsLost} events lost (${summary.seconds} s)`,
  ].join('\n');
}

/** True for a write of `shardId`'s progress item in the aggregates table (its marshalled key and shard attribute). */
function isProgressWrite(body: string, shardId: string): boolean {
  return body.includes(`"${AGGREGATE_KEYS.partitionKey}":{"S":"${AGGREGATE_KEYS.watermarkPartition}"}`) && body.includes(`"shardId":{"S":"${shardId}"}`);
}

/**
 * Runs the throttling storm on `shardId` until the aggregator's DLQ receives a
 * message or `maxMs` pass; resolves with its length and the messages that
 * arrived meanwhile.
 */
async function storm(sqs: SQSClient, queueUrl: string, maxMs: number, setStormShard: (shardId: string | undefined) => void, shardId: string): Promise<{ seconds: number; dlqMessages: number }> {
  const startedAt = Date.now();
  const before = await queueDepth(sqs, queueUrl);
  setStormShard(shardId);
  let depth = before;
  while (Date.now() - startedAt < maxMs && depth <= before) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    depth = await queueDepth(sqs, queueUrl);
  }
  setStormShard(undefined);
  return { seconds: Math.round((Date.now() - startedAt) / 1000), dlqMessages: depth - before };
}

function describeFaults(proxies: readonly FaultProxy[]): string {
  let total = 0;
  for (const proxy of proxies) for (const count of Object.values(proxy.injected)) total += count;
  return String(total);
}

/** Posts until every event got an answer: network errors, 429s (throttled) and 5xx (the host is down) are retried with the same ids; a 403 ends the run. */
async function postUntilAccepted(supervisor: PipelineSupervisor, credentials: LocalCredentials, batch: readonly EventEnvelope[]): Promise<void> {
  const body = JSON.stringify({ events: batch.map(({ receivedAt: _ignored, ...event }) => event) });
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      // Signed anew each attempt (a fresh date); the host's URL is read each time, as a restarted host may move.
      const response = await new LocalApiClient(supervisor.apiUrl, credentials).postJson('/events', body);
      if (response.status === 403) throw new Error(`the ingest API rejected the chaos producer's signature: 403 ${await response.text()}`);
      if (response.status !== 429 && response.status < 500) {
        const answer = (await response.json()) as { accepted: number; rejected: number };
        if (answer.rejected > 0) throw new Error(`the ingest API rejected ${answer.rejected} chaos event(s): ${JSON.stringify(answer)}`);
        return;
      }
    } catch (error) {
      if ((error as Error).message.startsWith('the ingest API rejected')) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the ingest API did not accept a batch in 200 attempts');
}
