import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { tributaryConfig } from '../../infra/tributary.config';
import { runLimited } from '../../core/async/runLimited';
import { eventDataTexts } from '../../core/envelope/eventDataTexts';
import type { EventEnvelope } from '../../core/envelope/EventEnvelope';
import { parseEventTime } from '../../core/envelope/parseEventTime';
import { compileMetric, type CompiledMetric } from '../../core/metrics/compileMetric';
import { groupKeyFor } from '../../core/metrics/groupKeyFor';
import { eventSortKey, keyPartition } from '../../adapters/dynamodb/eventKeys';
import { createLocalClients } from '../aws/localClients';
import { deadLetterDepth } from '../aws/queueDepth';
import { scanTable } from '../aws/scanTable';
import { fixedWindowStarts } from '../chaos/referenceWindows';
import { PipelineSupervisor } from '../runtime/PipelineSupervisor';
import { waitUntilDrained } from '../runtime/waitUntilDrained';
import { fuzzCases, type FuzzCase, type SentEvent } from './fuzzCases';
import { rawRequest } from './rawRequest';
import { toWindowResult } from '../../adapters/dynamodb/windowItems';
import { authenticateFuzzRequest } from './authenticateFuzzRequest';
import { LocalApiClient } from '../credentials/LocalApiClient';

export interface FuzzOptions {
  readonly seed: number;
  /** Requests sent, about 55 % of them ingest POSTs. */
  readonly requests: number;
  /** Requests in flight at once. @default 6 */
  readonly concurrency?: number;
  readonly onProgress?: (line: string) => void;
}

/** What became of one accepted event, per metric that takes it. */
export type Outcome = 'counted' | 'late' | 'future-event-time' | 'invalid-event-time' | 'rejected' | 'no-metric';

export interface FuzzSummary {
  readonly seed: number;
  readonly requests: number;
  /** Answers by status ("0" = none: an aborted upload or a closed connection), e.g. { "200": 310, "400": 512 }. */
  readonly byStatus: Record<string, number>;
  /** Requests answered 5xx, or not at all when an answer was due, with what was sent. */
  readonly serverErrors: readonly string[];
  /** Requests that failed authentication on purpose (unsigned, spoiled, stale, garbage Authorization). */
  readonly unauthenticated: number;
  /** Those of them answered anything but 403, with the status. */
  readonly unauthenticatedNotRefused: readonly string[];
  readonly eventsSent: number;
  readonly eventsAccepted: number;
  /** Accepted events by what became of them in each metric that takes them (an event can count in one and be late in another). */
  readonly outcomes: Record<Outcome, number>;
  /** Accepted events missing from the raw events store, or stored with other data than was sent. */
  readonly notArchived: readonly string[];
  /** Windows whose event count differs from the accepted events that belong there. */
  readonly mismatches: readonly string[];
  readonly windowsCompared: number;
  readonly dlqMessages: number;
  readonly hostRestarts: number;
  readonly seconds: number;
}

interface Accepted {
  readonly envelope: EventEnvelope;
  readonly dataText: string;
}

/**
 * The fuzz run: the whole offline pipeline over real HTTP, fed `requests`
 * seeded, generated requests — hostile JSON in every envelope field and in
 * `data`, odd content types, methods, paths, escapes, cursors, query
 * parameters, aborted uploads, garbage — then, once the consumers caught up,
 * every accepted event looked up: in the raw events store with the data as
 * sent, and in every metric that takes it either counted in its windows or in
 * the late output with a reason.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tributary-fuzz-'));
  const supervisor = await PipelineSupervisor.start({
    stateDir,
    assemblyDir: path.join(stateDir, 'cdk.out'),
    apiPort: 0,
    emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
    pollIntervalMs: 200,
    onProgress: progress,
  });
  try {
    const api = new URL(supervisor.apiUrl);
    const port = Number(api.port);
    const stage = api.pathname.replace(/^\//, '');
    const metrics = tributaryConfig.metrics.map(compileMetric);
    const cases = fuzzCases({ stage, nowMs: Date.now(), metrics: metrics.map((m) => m.name), runId: `fz${options.seed}` }, options.seed, options.requests);

    // Every well-formed request is signed as the role its route needs, as a real client would: the fuzz must reach the functions.
    const client = LocalApiClient.fromStateDir(supervisor.apiUrl, stateDir);
    const byStatus: Record<string, number> = {};
    const serverErrors: string[] = [];
    const unauthenticatedNotRefused: string[] = [];
    let unauthenticated = 0;
    const accepted: Accepted[] = [];
    let eventsSent = 0;
    let done = 0;
    await runLimited(cases, options.concurrency ?? 6, async (fuzzCase) => {
      const response = await rawRequest(port, await authenticateFuzzRequest(fuzzCase.request, fuzzCase.auth, stage, client));
      byStatus[String(response.status)] = (byStatus[String(response.status)] ?? 0) + 1;
      if (fuzzCase.auth !== 'signed') {
        unauthenticated += 1;
        if (response.status !== 403) unauthenticatedNotRefused.push(`${fuzzCase.label}: ${response.status} ${response.body.slice(0, 120)}`);
      }
      const answerDue = fuzzCase.request.abortAfterBytes === undefined && fuzzCase.label !== 'garbage';
      if (response.status >= 500 || (response.status === 0 && answerDue)) {
        serverErrors.push(`${fuzzCase.label}: ${response.status} ${response.error ?? response.body.slice(0, 200)} ← ${fuzzCase.request.head.slice(0, 160)}`);
      }
      if (fuzzCase.kind === 'ingest') {
        eventsSent += fuzzCase.events.length;
        if (response.status === 200 || response.status === 207) accepted.push(...acceptedEvents(fuzzCase, response.body));
      }
      done += 1;
      if (done % 250 === 0) progress(`sent ${done}/${cases.length} requests · ${accepted.length} events accepted`);
    });

    progress('waiting for the consumers to drain');
    await waitUntilDrained(supervisor, 90_000);

    progress('looking up every accepted event');
    const clients = createLocalClients(supervisor.emulators.endpoints);
    const tables = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    const table = (prefix: string) => tables.find((name) => name.startsWith(prefix))!;
    const [rawItems, sideItems, windowItems] = await Promise.all([
      scanTable(clients.documents, table('RawEventsTable')),
      scanTable(clients.documents, table('LateEventsTable')),
      scanTable(clients.documents, table('AggregatesTable')),
    ]);
    const archived = new Map(rawItems.map((item) => [`${item.pk}\u0000${item.sk}`, item.event as string]));
    const notArchived: string[] = [];
    for (const { envelope, dataText } of accepted) {
      const stored = archived.get(`${keyPartition(envelope.key)}\u0000${eventSortKey(envelope.time, envelope.id)}`);
      const storedData = stored === undefined ? undefined : eventDataTexts(stored, false)[0];
      if (storedData !== eventDataTexts(`{"data":${dataText}}`, false)[0]) notArchived.push(`${envelope.id}: ${stored === undefined ? 'not in the raw events store' : `stored data ${storedData?.slice(0, 80)} ≠ sent ${dataText.slice(0, 80)}`}`);
    }
    const { outcomes, mismatches, windowsCompared } = compareMetrics(metrics, accepted, sideItems, windowItems);
    const dlqMessages = await deadLetterDepth(clients.sqs);
    return {
      seed: options.seed,
      requests: cases.length,
      byStatus,
      serverErrors,
      unauthenticated,
      unauthenticatedNotRefused,
      eventsSent,
      eventsAccepted: accepted.length,
      outcomes,
      notArchived,
      mismatches,
      windowsCompared,
      dlqMessages,
      hostRestarts: supervisor.hostRestarts,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await supervisor.stop();
  }
}

/** The events of a POST the API answered accepted, as the consumers see them. */
function acceptedEvents(fuzzCase: Extract<FuzzCase, { kind: 'ingest' }>, body: string): Accepted[] {
  const answer = JSON.parse(body) as { results: { index: number; status: string; id?: string }[] };
  return answer.results
    .filter((result) => result.status === 'accepted')
    .map((result) => {
      const sent: SentEvent = fuzzCase.events[result.index]!;
      const time = parseEventTime(sent.fields.time);
      if (!time.ok || sent.dataText === undefined) throw new Error(`the API accepted an event it should have refused: ${JSON.stringify(sent.fields)}`);
      const envelope: EventEnvelope = { id: result.id!, type: sent.fields.type as string, key: sent.fields.key as string, time: time.epochMs, receivedAt: 0, data: JSON.parse(sent.dataText) };
      return { envelope, dataText: sent.dataText };
    });
}

/**
 * Each accepted event, per metric that takes it: in the late output (with the
 * windows it missed, or whole for a future or unreadable time), in the
 * rejected output, or else counted. Then every window's event count is
 * compared with the events counted there; sessions per group, as merges
 * decide their bounds.
 */
function compareMetrics(metrics: readonly CompiledMetric[], accepted: readonly Accepted[], sideItems: readonly Record<string, unknown>[], windowItems: readonly Record<string, unknown>[]) {
  const outcomes: Record<Outcome, number> = { counted: 0, late: 0, 'future-event-time': 0, 'invalid-event-time': 0, rejected: 0, 'no-metric': 0 };
  const late = new Map<string, Record<string, unknown>>();
  const rejectedIds = new Set<string>();
  for (const item of sideItems) {
    if (String(item.pk).startsWith('~rejected#')) {
      try {
        rejectedIds.add((JSON.parse(Buffer.from(String(item.data), 'base64').toString('utf8')) as { id: string }).id);
      } catch {
        // not an event: nothing the API accepted
      }
    } else late.set(`${item.metric}\u0000${item.sk}`, item);
  }
  const expected = new Map<string, number>();
  const add = (id: string) => expected.set(id, (expected.get(id) ?? 0) + 1);
  for (const { envelope } of accepted) {
    const taking = metrics.filter((metric) => metric.types.has(envelope.type) && metric.where(envelope));
    if (rejectedIds.has(envelope.id)) outcomes.rejected += 1;
    else if (taking.length === 0) outcomes['no-metric'] += 1;
    for (const metric of taking) {
      const entry = late.get(`${metric.name}\u0000${eventSortKey(envelope.time, envelope.id)}`);
      const reason = (entry?.reason as Outcome | undefined) ?? 'counted';
      outcomes[reason] = (outcomes[reason] ?? 0) + 1;
      if (reason === 'future-event-time' || reason === 'invalid-event-time') continue;
      const group = groupKeyFor(envelope, metric.groupBy);
      if (metric.window.kind === 'session') {
        if (reason !== 'late') add(`${metric.name}\u0000${group}`);
        continue;
      }
      const missed = new Set(((entry?.windowsMissed as { startMs: number }[] | undefined) ?? []).map((w) => w.startMs));
      for (const startMs of fixedWindowStarts(metric.window, envelope.time)) if (!missed.has(startMs)) add(`${metric.name}\u0000${group}\u0000${startMs}`);
    }
  }
  const observed = new Map<string, number>();
  for (const item of windowItems) {
    if (typeof item.metric !== 'string' || typeof item.windowEnd !== 'number') continue;
    const metric = metrics.find((m) => m.name === item.metric);
    const id = metric?.window.kind === 'session' ? `${item.metric}\u0000${item.group}` : `${item.metric}\u0000${item.group}\u0000${item.windowStart}`;
    // As every reader sees it: an open window merged over its per-shard partials.
    observed.set(id, (observed.get(id) ?? 0) + toWindowResult(item).eventCount);
  }
  const mismatches: string[] = [];
  for (const id of new Set([...expected.keys(), ...observed.keys()])) {
    const want = expected.get(id) ?? 0;
    const got = observed.get(id) ?? 0;
    if (want !== got) mismatches.push(`${id.replaceAll('\u0000', ' | ').slice(0, 160)}: ${got} counted, ${want} expected`);
  }
  return { outcomes, mismatches, windowsCompared: observed.size };
}

/** A few lines for people: what was sent, how it was answered, what became of it. */
export function formatFuzzSummary(summary: FuzzSummary): string {
  const statuses = Object.entries(summary.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status === '0' ? 'no answer' : status} ×${count}`)
    .join(', ');
  const outcomes = Object.entries(summary.outcomes)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
  return [
    `fuzz (seed ${summary.seed}): ${summary.requests} requests → ${statuses}`,
    `${summary.unauthenticated} failing authentication on purpose: ${summary.unauthenticated - summary.unauthenticatedNotRefused.length} refused with 403, ${summary.unauthenticatedNotRefused.length} not`,
    `${summary.eventsSent} events sent, ${summary.eventsAccepted} accepted → per metric: ${outcomes}`,
    `${summary.windowsCompared} windows compared: ${summary.mismatches.length} mismatches · ${summary.notArchived.length} not archived as sent · ${summary.serverErrors.length} server errors · DLQ ${summary.dlqMessages} · host restarts ${summary.hostRestarts} (${summary.seconds} s)`,
  ].join('\n');
}
