import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowItemKey } from '../../adapters/dynamodb/aggregateKeys';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { AUDIT_METRICS } from '../../core/observability/AUDIT_METRICS';
import { tributaryConfig } from '../../infra/tributary.config';
import { createLocalClients } from '../../local/aws/localClients';
import { queueDepth } from '../../local/aws/queueDepth';
import { LocalApiClient } from '../../local/credentials/LocalApiClient';
import { PipelineSupervisor } from '../../local/runtime/PipelineSupervisor';
import { waitUntil } from '../support/waitUntil';

/**
 * The correctness audit offline, on its schedule in the function host: the
 * stack as configured but with a 1 s settle time, schedules every 2 s
 * (TRIBUTARY_SCHEDULE_INTERVAL_MS). Orders become final windows; the audit
 * reports them equal; one window item bumped in DynamoDB Local is reported
 * as a mismatch with its surplus, and named in the function's log; a run
 * that fails ends in the audit's DLQ.
 */
const config: TributaryConfig = { ...tributaryConfig, audit: { settleSeconds: 1 } };
const minuteMs = 60_000;
// Three minutes of orders well in the past, then a tick at "now" that moves the watermark past their lateness.
const T = Math.floor(Date.now() / minuteMs) * minuteMs - 10 * minuteMs;
const REGIONS = ['eu-west', 'us-east', 'ap-south'];
let supervisor: PipelineSupervisor;
let stateDir: string;
let auditId: string;

/** Running totals of the audit function's EMF metrics, as the host reads them from its log lines. */
function auditMetrics(): Record<string, number> {
  return supervisor.latestStats?.functions[auditId]?.metrics ?? {};
}

async function post(events: readonly Record<string, unknown>[]): Promise<void> {
  const response = await new LocalApiClient(supervisor.apiUrl, supervisor.credentials).postJson('/events', JSON.stringify({ events }));
  const answer = (await response.json()) as { accepted: number };
  expect(answer.accepted).toBe(events.length);
}

describe('E2E: the correctness audit on its schedule', () => {
  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'tributary-audit-e2e-'));
    supervisor = await PipelineSupervisor.start({
      stateDir,
      assemblyDir: path.join(stateDir, 'cdk.out'),
      apiPort: 0,
      emulatorPorts: { kinesis: 0, dynamodb: 0, sqs: 0 },
      pollIntervalMs: 200,
      config,
      hostEnvironment: { TRIBUTARY_SCHEDULE_INTERVAL_MS: '2000' },
    });
    auditId = supervisor.plan.functions.find((fn) => fn.logicalId.startsWith('AuditFunction'))!.logicalId;
  }, 180_000);
  afterAll(async () => {
    await supervisor?.stop();
  });

  it('reports 0 mismatches over the final windows of a clean run, then the one window whose count was bumped', async () => {
    // Prepare: 90 orders over three minutes in three regions, then ticks on many keys (every shard) at now.
    const orders = Array.from({ length: 90 }, (_, i) => ({ id: `audit-${i}`, type: 'order.created', key: `customer-${i % 9}`, time: T + i * 2_000, data: { region: REGIONS[i % 3], amount: 1 + (i % 7) } }));
    await post(orders);
    await post(Array.from({ length: 8 }, (_, i) => ({ id: `tick-${i}`, type: 'order.created', key: `tick-${i}`, time: Date.now(), data: { region: 'tick', amount: 1 } })));

    // Act / Assess 1: the nine order windows (3 regions × 3 minutes) are audited, all equal.
    await waitUntil('the audit to recount the nine final order windows', () => (auditMetrics()[AUDIT_METRICS.auditedWindows] ?? 0) >= 9, 120_000, 250);
    const clean = auditMetrics();
    expect({ mismatched: clean[AUDIT_METRICS.mismatchedWindows], surplus: clean[AUDIT_METRICS.surplusEvents], deficit: clean[AUDIT_METRICS.deficitEvents], failed: clean[AUDIT_METRICS.runsFailed] }).toEqual({
      mismatched: 0,
      surplus: 0,
      deficit: 0,
      failed: 0,
    });
    expect(clean[AUDIT_METRICS.auditedEvents]).toBeGreaterThanOrEqual(90);
    expect(clean[AUDIT_METRICS.readUnits]).toBeGreaterThan(0);

    // Corrupt: one window says it counted one order more than were sent.
    const resources = supervisor.plan.resources;
    const aggregatesTable = Object.entries(resources).find(([id, resource]) => id.startsWith('AggregatesTable') && resource.type === 'AWS::DynamoDB::Table')![1].physicalId;
    const documents = createDocumentClient(createLocalClients(supervisor.emulators.endpoints).dynamodb);
    await documents.send(
      new UpdateCommand({
        TableName: aggregatesTable,
        Key: windowItemKey({ metric: 'orders-per-region', group: 'us-east', startMs: T + minuteMs }),
        UpdateExpression: 'ADD eventCount :one',
        ConditionExpression: 'attribute_exists(finalAt)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );

    // Assess 2: a later run reports that window, and the log names it.
    const seen = await waitUntil('the audit to report the corrupted window', () => ((auditMetrics()[AUDIT_METRICS.mismatchedWindows] ?? 0) > 0 ? auditMetrics() : undefined), 60_000, 250);
    expect(seen[AUDIT_METRICS.surplusEvents]).toBeGreaterThanOrEqual(1);
    expect(seen[AUDIT_METRICS.surplusEvents]).toBe(seen[AUDIT_METRICS.mismatchedWindows]);
    expect(seen[AUDIT_METRICS.deficitEvents]).toBe(0);
    const reported = readFileSync(path.join(stateDir, 'logs', 'functions.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('window does not match its recount'))
      .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
    expect(reported[0]).toMatchObject({ metric: 'orders-per-region', group: 'us-east', startMs: T + minuteMs, endMs: T + 2 * minuteMs, surplus: 1, deficit: 0 });
    expect(reported[0]!.expected).toBe((reported[0]!.recounted as number) + 1);
  }, 240_000);

  it('sends a run that fails to the audit DLQ after its retries, and counts it as failed', async () => {
    // Prepare: the raw events table goes away (last test: the archive fails from now on too).
    const eventsTable = Object.entries(supervisor.plan.resources).find(([id, resource]) => id.startsWith('RawEventsTable') && resource.type === 'AWS::DynamoDB::Table')![1].physicalId;
    const auditDlq = Object.entries(supervisor.plan.resources).find(([id, resource]) => id.startsWith('AuditDeadLetterQueue') && resource.type === 'AWS::SQS::Queue')![1].physicalId;
    const clients = createLocalClients(supervisor.emulators.endpoints);
    await clients.dynamodb.send(new DeleteTableCommand({ TableName: eventsTable }));

    // Act / Assess: a run throws, is retried twice (the interval bounds Lambda's 1- and 2-minute waits), then lands in the DLQ.
    await waitUntil('a failed audit run in the audit DLQ', async () => (await queueDepth(clients.sqs, auditDlq)) > 0, 90_000, 500);
    expect(auditMetrics()[AUDIT_METRICS.runsFailed]).toBeGreaterThanOrEqual(3);
    expect(supervisor.latestStats!.functions[auditId]!.errors).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
