import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { loadBundledMetrics } from '../../config/loadBundledMetrics';
import { AUDIT_METRICS } from '../../core/observability/AUDIT_METRICS';
import { createAudit } from './createAudit';

const logger = new Logger({ serviceName: AUDIT_METRICS.serviceDimension.value });
const cloudWatch = new Metrics({ namespace: AUDIT_METRICS.namespace, serviceName: AUDIT_METRICS.serviceDimension.value });
const settings = readFunctionEnvironment('audit', process.env);
const tracer = new Tracer({ serviceName: AUDIT_METRICS.serviceDimension.value });
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const audit = createAudit(settings, createDocumentClient(dynamodb), loadBundledMetrics());

/**
 * The scheduled correctness audit (EventBridge, asynchronous): recounts a
 * sample of recently final windows and publishes what it found as EMF. A run
 * that fails throws: Lambda retries it (bounded) and then sends the event to
 * the audit's DLQ, and AuditRunsFailed and Errors show it on the dashboard.
 */
export const handler = traceHandler(tracer, async (_event: ScheduledEvent, context: Context): Promise<void> => {
  logger.addContext(context);
  try {
    const report = await audit(Date.now());
    for (const { metric, reason } of report.skipped) logger.info('metric not audited', { metric, reason });
    // What the on-call needs to find a window: the query API's `GET /metrics/{metric}?group=…` shows it.
    for (const window of report.audits) {
      if (window.surplus > 0 || window.deficit > 0) logger.error('window does not match its recount', { ...window });
    }
    logger.info('audit run', {
      auditedWindows: report.auditedWindows,
      mismatchedWindows: report.mismatchedWindows,
      auditedEvents: report.auditedEvents,
      readUnits: report.readUnits,
      readUnitsPerWindow: report.auditedWindows > 0 ? report.readUnits / report.auditedWindows : 0,
    });
    cloudWatch.addMetric(AUDIT_METRICS.auditedWindows, MetricUnit.Count, report.auditedWindows);
    cloudWatch.addMetric(AUDIT_METRICS.mismatchedWindows, MetricUnit.Count, report.mismatchedWindows);
    cloudWatch.addMetric(AUDIT_METRICS.surplusEvents, MetricUnit.Count, report.surplusEvents);
    cloudWatch.addMetric(AUDIT_METRICS.deficitEvents, MetricUnit.Count, report.deficitEvents);
    cloudWatch.addMetric(AUDIT_METRICS.auditedEvents, MetricUnit.Count, report.auditedEvents);
    cloudWatch.addMetric(AUDIT_METRICS.readUnits, MetricUnit.Count, report.readUnits);
    cloudWatch.addMetric(AUDIT_METRICS.runsFailed, MetricUnit.Count, 0);
  } catch (error) {
    logger.error('audit run failed', { error: error as Error });
    cloudWatch.addMetric(AUDIT_METRICS.runsFailed, MetricUnit.Count, 1);
    throw error;
  } finally {
    cloudWatch.publishStoredMetrics();
  }
});
