import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowItemKey } from '../../../adapters/dynamodb/aggregateKeys';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { DynamoAuditSource } from '../../../adapters/dynamodb/DynamoAuditSource';
import { DynamoEventStore } from '../../../adapters/dynamodb/DynamoEventStore';
import { DynamoWindowStore } from '../../../adapters/dynamodb/DynamoWindowStore';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import type { LateEvent, LateEventSink } from '../../../core/ports/LateEventSink';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { createAudit, type AuditSettings } from '../../../functions/audit/createAudit';
import { LOCAL_CREDENTIALS } from '../../../local/aws/localClients';
import { Emulators, LOCAL_REGION } from '../../../local/emulators/Emulators';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';
import { createEventsTable } from '../../../local/tables/createEventsTable';
import { ordersPerRegion } from '../../support/factories';

/**
 * The audit against DynamoDB Local: windows written and finalised by the real
 * aggregator core through DynamoWindowStore (so the recent-final index is the
 * one finalisation fills), raw events written by the archive's store, and the
 * audit reading both through DynamoAuditSource.
 */
const SHARD = 'shardId-000000000000';
const hopping: MetricDefinition = { ...ordersPerRegion, name: 'orders-hopping', window: { kind: 'hopping', sizeMs: 60_000, slideMs: 30_000 } };
const sessions: MetricDefinition = { ...ordersPerRegion, name: 'order-sessions', window: { kind: 'session', gapMs: 30_000 } };
const placedAt: MetricDefinition = { ...ordersPerRegion, name: 'orders-by-placed-at', eventTime: 'data.placedAt' };
const METRICS = [ordersPerRegion, hopping, sessions, placedAt];

class DiscardingSink implements LateEventSink {
  public async write(_events: readonly LateEvent[]): Promise<void> {}
}

let emulators: Emulators;
let documents: DynamoDBDocumentClient;
const settings: AuditSettings = { aggregatesTable: 'aggregates', eventsTable: 'raw-events', auditWindowsPerRun: 20, auditSettleSeconds: 1, auditLookbackMinutes: 5 };
let finalizedAtMs: number;

/** 600 orders over 6 minutes in 3 regions (2 late ones), then one 10 minutes on that moves the watermark past them all. */
function orders(baseMs: number): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < 600; i++) {
    const time = baseMs + i * 600;
    events.push({ id: `o${String(i).padStart(4, '0')}`, type: 'order.created', key: `customer-${i % 7}`, time, receivedAt: time, data: { region: ['eu', 'us', 'ap'][i % 3], amount: i % 50, placedAt: time } });
  }
  // Behind the watermark by far: late for their windows, recorded as such.
  for (const id of ['late-1', 'late-2']) events.push({ id, type: 'order.created', key: 'customer-late', time: baseMs + 1_000, receivedAt: baseMs + 1_000, data: { region: 'eu', amount: 1 } });
  events.push({ id: 'tick', type: 'order.created', key: 'customer-0', time: baseMs + 16 * 60_000, receivedAt: baseMs + 16 * 60_000, data: { region: 'eu', amount: 1 } });
  return events;
}

describe('Conformance: createAudit on DynamoDB Local', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-audit-')));
    const client = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    documents = createDocumentClient(client);
    await createAggregatesTable(client, settings.aggregatesTable);
    await createEventsTable(client, settings.eventsTable);
    const events = orders(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000);
    const store = new DynamoWindowStore({ tableName: settings.aggregatesTable, retentionDays: 30, client: documents });
    const aggregator = new WindowedAggregator(METRICS.map(compileMetric), store, new DiscardingSink(), new StaticShardDirectory([SHARD], 0), { completions: new InMemoryCompletionLog() });
    // The orders, then the late pair and the tick (which finalises every window before it).
    finalizedAtMs = Date.now();
    await aggregator.processBatch(SHARD, events.slice(0, 600).map((event, i) => ({ event, sequenceNumber: String(i + 1) })), finalizedAtMs);
    await aggregator.processBatch(SHARD, [events[602]!].map((event) => ({ event, sequenceNumber: '700' })), finalizedAtMs);
    await aggregator.processBatch(SHARD, events.slice(600, 602).map((event, i) => ({ event, sequenceNumber: String(701 + i) })), finalizedAtMs);
    await new DynamoEventStore(settings.eventsTable, 30, documents).putEvents(events);
  }, 120_000);
  afterAll(async () => {
    await emulators?.stop();
  });

  it('recounts 20 final windows, spread over the two fixed-window metrics, finds them all equal, and says why it skipped the others', async () => {
    // Act
    const report = await createAudit(settings, documents, METRICS)(finalizedAtMs + 2_000);

    // Assess
    expect({ audited: report.auditedWindows, mismatched: report.mismatchedWindows, surplus: report.surplusEvents, deficit: report.deficitEvents }).toEqual({ audited: 20, mismatched: 0, surplus: 0, deficit: 0 });
    expect(new Set(report.audits.map((audit) => audit.metric))).toEqual(new Set(['orders-per-region', 'orders-hopping']));
    expect(report.audits.filter((audit) => audit.metric === 'orders-per-region')).toHaveLength(10);
    expect(new Set(report.audits.map((audit) => audit.group))).toEqual(new Set(['eu', 'us', 'ap']));
    expect(report.skipped.map((skip) => skip.metric)).toEqual(['order-sessions', 'orders-by-placed-at']);
    // A hopping minute holds ~100 orders; each audited one was recounted from its own range.
    expect(report.auditedEvents).toBeGreaterThan(20 * 20);
    expect(report.readUnits).toBeGreaterThan(0);
  });

  it('counts the late events a window recorded as held by it', async () => {
    // Prepare: the first eu minute holds the two late orders in its late count, not in eventCount.
    const listed = await new DynamoAuditSource({ aggregatesTable: settings.aggregatesTable, eventsTable: settings.eventsTable, client: documents }).finalWindows('orders-per-region', finalizedAtMs - 1, finalizedAtMs + 1, 100);
    const first = listed.items.filter((window) => window.group === 'eu').sort((a, b) => a.startMs - b.startMs)[0]!;

    // Act
    const report = await createAudit({ ...settings, auditWindowsPerRun: 1_000 }, documents, METRICS)(finalizedAtMs + 2_000);

    // Assess
    const audited = report.audits.find((audit) => audit.metric === 'orders-per-region' && audit.group === 'eu' && audit.startMs === first.startMs)!;
    expect(first.lateEventCount).toBe(2);
    expect(audited).toMatchObject({ expected: first.eventCount + 2, recounted: first.eventCount + 2, surplus: 0, deficit: 0 });
    expect(report.mismatchedWindows).toBe(0);
  });

  it('audits nothing before the settle time, and nothing finalised before its lookback', async () => {
    expect((await createAudit(settings, documents, METRICS)(finalizedAtMs + 500)).auditedWindows).toBe(0);
    expect((await createAudit(settings, documents, METRICS)(finalizedAtMs + 1_000 + 5 * 60_000 + 1)).auditedWindows).toBe(0);
  });

  it('reports a window whose count was bumped as surplus and one that lost an event as deficit, naming each', async () => {
    // Prepare: corrupt two windows the first run audited.
    const audit = createAudit(settings, documents, METRICS);
    const before = await audit(finalizedAtMs + 2_000);
    const [bumped, dropped] = before.audits.filter((window) => window.metric === 'orders-per-region' && window.recounted > 1);
    const adjust = (window: typeof bumped, by: number) =>
      documents.send(
        new UpdateCommand({ TableName: settings.aggregatesTable, Key: windowItemKey({ metric: window!.metric, group: window!.group, startMs: window!.startMs }), UpdateExpression: 'ADD eventCount :by', ExpressionAttributeValues: { ':by': by } }),
      );
    await adjust(bumped, 1);
    await adjust(dropped, -2);

    // Act
    const after = await audit(finalizedAtMs + 2_000);

    // Assess
    const mismatched = after.audits.filter((window) => window.surplus > 0 || window.deficit > 0);
    expect(mismatched.map(({ metric, group, startMs, surplus, deficit }) => ({ metric, group, startMs, surplus, deficit })).sort((a, b) => a.surplus - b.surplus)).toEqual([
      { metric: 'orders-per-region', group: dropped!.group, startMs: dropped!.startMs, surplus: 0, deficit: 2 },
      { metric: 'orders-per-region', group: bumped!.group, startMs: bumped!.startMs, surplus: 1, deficit: 0 },
    ]);
    expect({ mismatched: after.mismatchedWindows, surplus: after.surplusEvents, deficit: after.deficitEvents }).toEqual({ mismatched: 2, surplus: 1, deficit: 2 });
    await adjust(bumped, -1);
    await adjust(dropped, 2);
  });

  it('states its read cost: the RCUs DynamoDB reports for the listing and the raw-event queries, per audited window', async () => {
    const report = await createAudit(settings, documents, METRICS)(finalizedAtMs + 2_000);
    const perWindow = report.readUnits / report.auditedWindows;

    // 2 metrics × 8 listing queries + per shared range 4 suffix queries of ~25 orders each (DynamoDB Local counts an empty query as 0; AWS as 0.5).
    expect(perWindow).toBeGreaterThan(0.5);
    expect(perWindow).toBeLessThan(5);
    console.info(`audit read cost: ${report.readUnits} RCUs for ${report.auditedWindows} windows (${perWindow.toFixed(2)} per window, ${report.auditedEvents} events)`);
  });
});
