import { ConfigError } from '../core/errors';
import { deriveApiDefaults } from './deriveApiDefaults';
import { ARCHIVE_FOLLOWS_AGGREGATOR, CHANGES_FOLLOW_AGGREGATOR, CONFIG_DEFAULTS, type DeploymentTarget, type ResolvedConfig, type TributaryConfig } from './TributaryConfig';
import { validateAlarmSubscriptions } from './validateAlarmSubscriptions';
import { validateSecurity } from './validateSecurity';
import { validateMetrics } from './validateMetrics';
import { validateAudit } from './validateAudit';

/** How the stack is synthesized, from the CDK context. */
export interface ResolveOptions {
  /** `localstack` turns off what LocalStack's free tier lacks: DAX, WAF and X-Ray. @default 'aws' */
  readonly target?: DeploymentTarget;
}

/** Applies the defaults (the caller's values win) and checks every value; throws ConfigError listing all problems. */
export function resolveConfig(config: TributaryConfig, options: ResolveOptions = {}): ResolvedConfig {
  const target = options.target ?? 'aws';
  const onLocalStack = target === 'localstack';
  const aggregator = { ...CONFIG_DEFAULTS.aggregator, ...config.aggregator };
  // What the archive and change sections say themselves; the rest is the aggregator's.
  const archive = { ...CONFIG_DEFAULTS.archive, ...config.archive };
  const changes = { ...CONFIG_DEFAULTS.changes, ...config.changes };
  const resolved: ResolvedConfig = {
    stream: { ...CONFIG_DEFAULTS.stream, ...config.stream },
    aggregator,
    archive: { ...pick(aggregator, ARCHIVE_FOLLOWS_AGGREGATOR), ...archive },
    changes: { ...pick(aggregator, CHANGES_FOLLOW_AGGREGATOR), ...changes },
    storage: { ...CONFIG_DEFAULTS.storage, ...config.storage },
    cache: { ...CONFIG_DEFAULTS.cache, ...config.cache, ...(onLocalStack ? { dax: false } : {}) },
    api: {
      ...CONFIG_DEFAULTS.api,
      ...config.api,
      ...deriveApiDefaults(config.stream?.shardCount ?? CONFIG_DEFAULTS.stream.shardCount, config.api),
      ...(onLocalStack ? { wafRateLimitPer5Minutes: 0 } : {}),
    },
    observability: { ...CONFIG_DEFAULTS.observability, ...config.observability, ...(onLocalStack ? { tracing: false } : {}) },
    encryption: { ...CONFIG_DEFAULTS.encryption, ...config.encryption },
    audit: { ...CONFIG_DEFAULTS.audit, ...config.audit },
    ingest: { aggregation: { ...CONFIG_DEFAULTS.ingest.aggregation, ...config.ingest?.aggregation } },
    target,
    metrics: config.metrics,
  };
  const problems: string[] = [];
  if (target !== 'aws' && target !== 'localstack') problems.push(`target must be "aws" or "localstack" (got ${JSON.stringify(target)}); pass it as -c target=localstack`);
  const range = (field: string, value: number, min: number, max: number, hint = ''): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${field} must be an integer from ${min} to ${max}${hint} (got ${JSON.stringify(value)})`);
    }
  };
  // A value the section takes from the aggregator is checked there, not reported twice.
  const ownRange = (field: string, value: number | undefined, min: number, max: number, hint = ''): void => {
    if (value !== undefined) range(field, value, min, max, hint);
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
  // Issue 15: the aggregator's marks need one batch per shard at a time (docs/decisions/0014-one-batch-per-shard.md).
  if (resolved.aggregator.parallelizationFactor !== 1) {
    problems.push(
      `aggregator.parallelizationFactor must be 1 (got ${JSON.stringify(resolved.aggregator.parallelizationFactor)}): its per-shard marks need each shard's batches one at a time, in order, or events are skipped as already applied; for more throughput raise stream.shardCount (every shard is one more batch in parallel)`,
    );
  }
  if (typeof resolved.aggregator.enhancedFanOut !== 'boolean') {
    problems.push(`aggregator.enhancedFanOut must be true or false (got ${JSON.stringify(resolved.aggregator.enhancedFanOut)})`);
  }
  range('aggregator.progressCacheMs', resolved.aggregator.progressCacheMs, 0, 60_000);
  ownRange('archive.batchSize', archive.batchSize, 1, 10_000);
  ownRange('archive.maxBatchingWindowSeconds', archive.maxBatchingWindowSeconds, 0, 300);
  ownRange('archive.maxRetryAttempts', archive.maxRetryAttempts, 0, 10_000, '; unbounded retries (-1) would let one bad record block a shard');
  ownRange('archive.maxRecordAgeSeconds', archive.maxRecordAgeSeconds, 60, 604_800);
  ownRange('archive.parallelizationFactor', archive.parallelizationFactor, 1, 10);
  ownRange('archive.memorySizeMb', archive.memorySizeMb, 128, 10_240);
  ownRange('archive.timeoutSeconds', archive.timeoutSeconds, 1, 900);
  ownRange('changes.batchSize', changes.batchSize, 1, 10_000);
  ownRange('changes.maxRetryAttempts', changes.maxRetryAttempts, 0, 10_000, '; unbounded retries (-1) would let one bad change block a shard');
  ownRange('changes.maxRecordAgeSeconds', changes.maxRecordAgeSeconds, 60, 604_800);
  ownRange('changes.memorySizeMb', changes.memorySizeMb, 128, 10_240);
  ownRange('changes.timeoutSeconds', changes.timeoutSeconds, 1, 900);
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
  if (archive.maxRecordAgeSeconds !== undefined && archive.maxRecordAgeSeconds > resolved.stream.retentionHours * 3_600) {
    problems.push(
      `archive.maxRecordAgeSeconds (${archive.maxRecordAgeSeconds}) must not exceed the stream retention (${resolved.stream.retentionHours * 3_600} s)`,
    );
  }
  // KPL aggregation at ingest (issue 15); 1 MiB is Kinesis's record limit.
  if (typeof resolved.ingest.aggregation.enabled !== 'boolean') problems.push(`ingest.aggregation.enabled must be true or false (got ${JSON.stringify(resolved.ingest.aggregation.enabled)})`);
  range('ingest.aggregation.maxRecordBytes', resolved.ingest.aggregation.maxRecordBytes, 1_024, 1_048_576, " (Kinesis's 1 MiB record limit)");
  problems.push(...validateAudit(resolved.audit));
  problems.push(...validateSecurity(resolved));
  problems.push(...validateAlarmSubscriptions(resolved.observability));
  problems.push(...validateMetrics(config.metrics));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/** The `keys` of `source`, as a new object. */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}
