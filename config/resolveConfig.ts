import { ConfigError } from '../core/errors';
import { CONFIG_DEFAULTS, type ResolvedConfig, type TributaryConfig } from './TributaryConfig';
import { validateMetrics } from './validateMetrics';

/** Applies the defaults (the caller's values win) and checks every value; throws ConfigError listing all problems. */
export function resolveConfig(config: TributaryConfig): ResolvedConfig {
  const resolved: ResolvedConfig = {
    stream: { ...CONFIG_DEFAULTS.stream, ...config.stream },
    aggregator: { ...CONFIG_DEFAULTS.aggregator, ...config.aggregator },
    storage: { ...CONFIG_DEFAULTS.storage, ...config.storage },
    cache: { ...CONFIG_DEFAULTS.cache, ...config.cache },
    metrics: config.metrics,
  };
  const problems: string[] = [];
  const range = (field: string, value: number, min: number, max: number, hint = ''): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${field} must be an integer from ${min} to ${max}${hint} (got ${JSON.stringify(value)})`);
    }
  };
  range('stream.shardCount', resolved.stream.shardCount, 1, 500);
  range('stream.retentionHours', resolved.stream.retentionHours, 24, 8_760);
  range('aggregator.batchSize', resolved.aggregator.batchSize, 1, 10_000);
  range('aggregator.maxBatchingWindowSeconds', resolved.aggregator.maxBatchingWindowSeconds, 0, 300);
  range('aggregator.maxRetryAttempts', resolved.aggregator.maxRetryAttempts, 0, 10_000, '; unbounded retries (-1) would let one bad record block a shard');
  range('aggregator.maxRecordAgeSeconds', resolved.aggregator.maxRecordAgeSeconds, 60, 604_800);
  range('aggregator.memorySizeMb', resolved.aggregator.memorySizeMb, 128, 10_240);
  range('aggregator.timeoutSeconds', resolved.aggregator.timeoutSeconds, 1, 900);
  range('aggregator.dedupeHorizonHours', resolved.aggregator.dedupeHorizonHours, 1, 8_760);
  range('storage.aggregateRetentionDays', resolved.storage.aggregateRetentionDays, 1, 3_650);
  range('storage.lateEventRetentionDays', resolved.storage.lateEventRetentionDays, 1, 3_650);
  range('storage.eventRetentionDays', resolved.storage.eventRetentionDays, 1, 3_650);
  range('cache.nodes', resolved.cache.nodes, 1, 10);
  range('cache.itemTtlMs', resolved.cache.itemTtlMs, 100, 3_600_000);
  range('cache.queryTtlMs', resolved.cache.queryTtlMs, 100, 3_600_000);
  if (typeof resolved.cache.dax !== 'boolean') problems.push(`cache.dax must be true or false (got ${JSON.stringify(resolved.cache.dax)})`);
  if (!/^dax\.[a-z0-9]+\.[a-z0-9]+$/.test(resolved.cache.nodeType)) problems.push(`cache.nodeType must be a DAX node type such as "dax.t3.small" (got ${JSON.stringify(resolved.cache.nodeType)})`);
  if (resolved.storage.removalPolicy !== 'retain' && resolved.storage.removalPolicy !== 'destroy') {
    problems.push(`storage.removalPolicy must be "retain" or "destroy" (got ${JSON.stringify(resolved.storage.removalPolicy)})`);
  }
  if (resolved.aggregator.maxRecordAgeSeconds > resolved.stream.retentionHours * 3_600) {
    problems.push(
      `aggregator.maxRecordAgeSeconds (${resolved.aggregator.maxRecordAgeSeconds}) must not exceed the stream retention (${resolved.stream.retentionHours * 3_600} s)`,
    );
  }
  problems.push(...validateMetrics(config.metrics));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
