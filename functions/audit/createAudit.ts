import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditSource } from '../../adapters/dynamodb/DynamoAuditSource';
import type { FunctionSettings } from '../../config/functionEnvironment';
import { runAudit, type AuditReport } from '../../core/audit/runAudit';
import { compileMetric } from '../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { AuditSource } from '../../core/ports/AuditSource';

/** The audit's settings, from its environment (config/functionEnvironment.ts). */
export type AuditSettings = FunctionSettings<'audit'>;

/** One audit run, at `nowMs`. */
export type Audit = (nowMs: number) => Promise<AuditReport>;

/**
 * The correctness audit wired to DynamoDB: the metric definitions compiled
 * once, the aggregates table's `recent-final` index and the raw events
 * table's `by-type` index as its source. `source` replaces the DynamoDB
 * source (tests).
 */
export function createAudit(settings: AuditSettings, client: DynamoDBDocumentClient, metrics: readonly MetricDefinition[], source?: AuditSource): Audit {
  const compiled = metrics.map(compileMetric);
  const reads = source ?? new DynamoAuditSource({ aggregatesTable: settings.aggregatesTable, eventsTable: settings.eventsTable, client });
  return (nowMs) =>
    runAudit(compiled, reads, {
      windowsPerRun: settings.auditWindowsPerRun,
      settleMs: settings.auditSettleSeconds * 1_000,
      lookbackMs: settings.auditLookbackMinutes * 60_000,
      nowMs,
    });
}
