import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ordersPerRegion } from '../../support/factories';

const documentMock = mockClient(DynamoDBDocumentClient);
let handler: (event: ScheduledEvent, context: Context) => Promise<void>;
const context = { functionName: 'audit', awsRequestId: 'r1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const scheduled = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-12-03T10:00:00Z', resources: [], detail: {} } as unknown as ScheduledEvent;

/** The EMF objects the handler printed (Powertools Metrics writes one JSON line per flush). */
function emfOf(spy: { readonly mock: { readonly calls: readonly (readonly unknown[])[] } }): Record<string, unknown>[] {
  return spy.mock.calls
    .map((call) => String(call[0]))
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Function: audit handler', () => {
  beforeAll(async () => {
    process.env.AGGREGATES_TABLE = 'aggregates';
    process.env.EVENTS_TABLE = 'raw-events';
    process.env.AUDIT_WINDOWS_PER_RUN = '20';
    process.env.AUDIT_SETTLE_SECONDS = '120';
    process.env.AUDIT_LOOKBACK_MINUTES = '5';
    process.env.TRIBUTARY_METRICS_JSON = JSON.stringify([ordersPerRegion]);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../../functions/audit/handler'));
  });
  afterEach(() => {
    documentMock.reset();
    vi.restoreAllMocks();
  });

  it('fails the run when a read fails, never swallowing it, and still publishes AuditRunsFailed 1', async () => {
    // Prepare: the index read is throttled (an injected failure).
    documentMock.on(QueryCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act / Assess: the invocation fails, so Lambda retries it and then sends it to the audit DLQ.
    await expect(handler(scheduled, context)).rejects.toThrow('Throughput exceeds the current capacity');
    expect(emfOf(stdout).map((emf) => ({ AuditRunsFailed: emf.AuditRunsFailed, AuditedWindows: emf.AuditedWindows, service: emf.service }))).toEqual([
      { AuditRunsFailed: 1, AuditedWindows: undefined, service: 'tributary-audit' },
    ]);
  });
});
