import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoWindowStore } from '../../adapters/dynamodb/DynamoWindowStore';
import type { ClockSettings } from '../../config/functionEnvironment';
import { WatermarkClock } from '../../core/aggregator/WatermarkClock';
import { compileMetric } from '../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { WindowStore } from '../../core/ports/WindowStore';

/** What to assemble besides the settings. */
export interface CreateClockOptions {
  readonly metrics: readonly MetricDefinition[];
  /** A window store instead of the aggregates table (tests). */
  readonly windowStore?: WindowStore;
}

/**
 * The one place the idle-finalisation tick is wired: the aggregator's own
 * window store over the aggregates table (the watermark item, the shards'
 * progress and the pending-window index), so the tick writes the watermark
 * and finalises windows exactly as a batch does.
 */
export function createClock(settings: ClockSettings, documents: DynamoDBDocumentClient, options: CreateClockOptions): WatermarkClock {
  const store = options.windowStore ?? new DynamoWindowStore({ tableName: settings.aggregatesTable, retentionDays: settings.aggregateRetentionDays, client: documents });
  return new WatermarkClock(options.metrics.map(compileMetric), store);
}
