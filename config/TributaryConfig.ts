import { DEFAULT_PROGRESS_CACHE_MS } from '../core/aggregator/WindowedAggregator';
import type { MetricDefinition } from '../core/metrics/MetricDefinition';

/** The Kinesis stream. */
export interface StreamConfig {
  /**
   * Provisioned shards; each takes 1 MB/s or 1,000 records/s of writes.
   * @default 2
   */
  readonly shardCount?: number;
  /**
   * How long records stay readable (and redrivable), 24..8760 hours.
   * @default 24
   */
  readonly retentionHours?: number;
}

/** The aggregator's event source mapping and function. */
export interface AggregatorConfig {
  /**
   * Records per invocation, 1..10,000.
   * @default 500
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking, 0..300 s. 0 favours latency.
   * @default 0
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Retries of a failed batch before it goes to the DLQ, 0..10,000. Never unbounded:
   * an unbounded retry lets one bad record block its shard until it expires.
   * @default 5
   */
  readonly maxRetryAttempts?: number;
  /**
   * Records older than this skip processing and go to the DLQ, 60..604,800 s.
   * @default 3600
   */
  readonly maxRecordAgeSeconds?: number;
  /**
   * Function memory.
   * @default 512
   */
  readonly memorySizeMb?: number;
  /**
   * Function timeout, 1..900 s.
   * @default 60
   */
  readonly timeoutSeconds?: number;
  /**
   * How long an event's (key, id) is remembered to drop producer re-sends, 1..8,760 hours.
   * A re-send after this is counted again.
   * @default 24
   */
  readonly dedupeHorizonHours?: number;
  /**
   * Batches of one shard processed at once: only 1. The per-shard marks record
   * "every event of the shard up to sequence n is in this window", which holds
   * only while a shard's batches run one at a time, in order; with a higher
   * factor Lambda runs a later batch beside an earlier one and the earlier
   * one's events would be skipped as already applied. For more throughput add
   * shards (`stream.shardCount`). See docs/decisions/0014-one-batch-per-shard.md.
   * @default 1
   */
  readonly parallelizationFactor?: 1;
  /**
   * Read the stream through an enhanced fan-out consumer (SubscribeToShard, a
   * dedicated 2 MB/s per shard, ~70 ms propagation) instead of polling
   * GetRecords, whose 2 MB/s and 5 calls/s per shard the aggregator shares with
   * the archive consumer. Priced per consumer-shard-hour and per GB read; see
   * docs/reference/configuration.md for when it pays. Offline the host polls either way.
   * @default false
   */
  readonly enhancedFanOut?: boolean;
  /**
   * How long a consumer container uses the other shards' cached progress before it reads
   * them all again, 0..60,000 ms (0: every batch reads every shard's progress). A batch
   * otherwise reads only its own shard's progress and the pipeline watermark, so its reads do
   * not grow with the shard count; a window may become final up to this much later, never earlier.
   * @default 5000
   */
  readonly progressCacheMs?: number;
}

/**
 * The archive consumer's event source mapping and function (raw events into
 * the events table). Each mapping setting it leaves out follows the
 * aggregator's, so both consumers of the stream keep the same failure
 * handling unless told otherwise.
 */
export interface ArchiveConfig {
  /**
   * Records per invocation, 1..10,000.
   * @default the aggregator's batchSize
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking, 0..300 s.
   * @default the aggregator's maxBatchingWindowSeconds
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Retries of a failed batch before it goes to the archive's DLQ, 0..10,000; never unbounded.
   * @default the aggregator's maxRetryAttempts
   */
  readonly maxRetryAttempts?: number;
  /**
   * Records older than this skip the archive and go to its DLQ, 60..604,800 s.
   * @default the aggregator's maxRecordAgeSeconds
   */
  readonly maxRecordAgeSeconds?: number;
  /**
   * Batches of one shard processed at once, 1..10. Archive writes are
   * idempotent and need no order within a shard, so this may exceed 1 (the
   * aggregator's may not: its shard progress needs the records in order).
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * Function memory, 128..10,240 MB.
   * @default 256
   */
  readonly memorySizeMb?: number;
  /**
   * Function timeout, 1..900 s.
   * @default the aggregator's timeoutSeconds
   */
  readonly timeoutSeconds?: number;
}

/**
 * The change publisher's mapping on the aggregates table's stream and its
 * function. The retry settings it leaves out follow the aggregator's.
 */
export interface ChangesConfig {
  /**
   * Change records per invocation, 1..10,000.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Retries of a failed change before it goes to the change DLQ, 0..10,000; never unbounded.
   * @default the aggregator's maxRetryAttempts
   */
  readonly maxRetryAttempts?: number;
  /**
   * Changes older than this skip publishing and go to the change DLQ, 60..604,800 s.
   * @default the aggregator's maxRecordAgeSeconds
   */
  readonly maxRecordAgeSeconds?: number;
  /**
   * Function memory, 128..10,240 MB.
   * @default 256
   */
  readonly memorySizeMb?: number;
  /**
   * Function timeout, 1..900 s.
   * @default 30
   */
  readonly timeoutSeconds?: number;
}

/** The aggregates table. */
export interface StorageConfig {
  /**
   * Days an aggregate window is kept after it ends (DynamoDB TTL), 1..3650.
   * @default 90
   */
  readonly aggregateRetentionDays?: number;
  /**
   * Days an entry stays in the late-event output (DynamoDB TTL), 1..3650.
   * @default 30
   */
  readonly lateEventRetentionDays?: number;
  /**
   * Days a raw event stays in the events table after it was accepted (DynamoDB TTL), 1..3650.
   * @default 30
   */
  readonly eventRetentionDays?: number;
  /**
   * What `cdk destroy` does with the tables.
   * @default 'retain'
   */
  readonly removalPolicy?: 'retain' | 'destroy';
}

/** The read cache in front of the aggregates table. */
export interface CacheConfig {
  /**
   * A DAX cluster (encrypted, in a VPC of private subnets) that the query API
   * reads through. `false` leaves DAX and the VPC out: for LocalStack (no DAX)
   * and small deployments; the query API then reads DynamoDB directly.
   * @default true
   */
  readonly dax?: boolean;
  /**
   * DAX node type.
   * @default 'dax.t3.small'
   */
  readonly nodeType?: string;
  /**
   * DAX nodes, 1..10; 3 spreads them over the availability zones.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * How long DAX's item cache keeps a window, 100..3,600,000 ms. The aggregator
   * writes DynamoDB directly, so this is the staleness bound of a read.
   * @default 1000
   */
  readonly itemTtlMs?: number;
  /**
   * How long DAX's query cache keeps a Query result (sessions, long ranges);
   * writes never invalidate it. 100..3,600,000 ms.
   * @default 1000
   */
  readonly queryTtlMs?: number;
}

/** A named producer with its own API key and usage plan (in addition to IAM, never instead of it). */
export interface ProducerConfig {
  /** 1–64 of `A-Z a-z 0-9 _ -`, unique; the API key and usage plan are named `tributary-<name>`. */
  readonly name: string;
  /** Steady requests per second this producer may send, 1..`api.rateLimitPerSecond`. */
  readonly rateLimitPerSecond: number;
  /** Requests this producer may send at once above the steady rate, 1..`api.burstLimit`. */
  readonly burstLimit: number;
  /** Requests per day (UTC); omitted = no quota. */
  readonly quotaPerDay?: number;
}

/** Who may call the API, and how much. */
export interface ApiConfig {
  /**
   * `iam`: every route needs a SigV4-signed request whose principal the stack's
   * producer or reader policies allow. `none` opens every route to anyone who
   * knows the URL — for a private sandbox only; synth warns.
   * @default 'iam'
   */
  readonly authorization?: 'iam' | 'none';
  /**
   * Stage-wide steady requests per second, 1..10,000.
   * Derived by default: 1,000 × `stream.shardCount` (the records/s the shards
   * take when every request carries one event).
   */
  readonly rateLimitPerSecond?: number;
  /** Stage-wide burst, 1..5,000. Derived by default: `rateLimitPerSecond`, at most 5,000. */
  readonly burstLimit?: number;
  /**
   * Producers with their own API key and usage plan. When any is configured,
   * `POST /events` needs an API key as well as a signature.
   * @default []
   */
  readonly producers?: readonly ProducerConfig[];
  /**
   * Browser origins (`https://host[:port]`; `http://localhost[:port]` for
   * development) that the read routes answer with CORS headers. `*` is refused.
   * @default []
   */
  readonly corsOrigins?: readonly string[];
  /**
   * A WAF web ACL on the stage with a rate-based rule: requests per 5 minutes
   * per client IP, 10..2,000,000,000; 0 leaves WAF out.
   * @default 0
   */
  readonly wafRateLimitPer5Minutes?: number;
  /**
   * Reserved concurrency of the ingest function, 1..1,000, or `false` for none.
   * Derived by default: ⌈`rateLimitPerSecond` × 0.05 s⌉ (requests in flight at
   * the stage limit when one takes 50 ms).
   */
  readonly ingestReservedConcurrency?: number | false;
  /**
   * Reserved concurrency of the query function, 1..1,000, or `false` for none.
   * @default 10
   */
  readonly queryReservedConcurrency?: number | false;
}

/**
 * KPL-format aggregation at ingest (issue 15): the accepted events of one
 * request share Kinesis records, per shard, in the Kinesis Producer Library's
 * format; every consumer deaggregates (docs/decisions/0015-kpl-aggregation.md).
 */
export interface IngestAggregationConfig {
  /**
   * Pack a request's events into aggregated records; `false` writes one
   * Kinesis record per event.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Largest aggregated record, data plus partition key, 1,024..1,048,576
   * bytes; an event bigger than this goes as a plain record. The default
   * fits one 25 KB PUT payload unit, whichever way a KB is counted.
   * @default 25000
   */
  readonly maxRecordBytes?: number;
}

/** The ingest function. */
export interface IngestConfig {
  readonly aggregation?: IngestAggregationConfig;
}

/** Logs and traces. */
export interface ObservabilityConfig {
  /**
   * Days every log group of the stack (functions, API access logs) keeps its
   * events; one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150,
   * 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * X-Ray tracing on the API stage and every function (Powertools Tracer).
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * Addresses subscribed by email to the alarm topic (every alarm, warning and
   * critical, and its return to OK); each confirms by the link AWS mails it.
   * @default []
   */
  readonly alarmEmails?: readonly string[];
  /**
   * HTTPS endpoints (a paging service's webhook) subscribed to the alarm topic;
   * https only, so alarm messages never travel in the clear.
   * @default []
   */
  readonly alarmHttpsEndpoints?: readonly string[];
}

/** Encryption at rest. */
export interface EncryptionConfig {
  /**
   * One customer-managed KMS key (rotated yearly, retained on destroy) for the
   * stream, tables, queues, topic and log groups, instead of AWS-managed keys.
   * @default false
   */
  readonly customerManagedKey?: boolean;
}

/**
 * The continuous correctness audit (functions/audit): on a schedule it recounts
 * a sample of recently final windows of the fixed-window metrics from the raw
 * events table and publishes what it found (surplus = double counting,
 * deficit = loss); the duplicate-rate and loss-rate alarms read it.
 */
export interface AuditConfig {
  /**
   * Deploy the audit function and its schedule.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Minutes between runs, 1..1,440; a run takes the windows that became final
   * in the interval before the settle bound, so each window is a candidate once.
   * @default 5
   */
  readonly scheduleMinutes?: number;
  /**
   * Windows recounted per run, 1..1,000, spread evenly across metrics and groups.
   * Each costs a few RCUs (docs/operations/monitoring.md states the measured figure).
   * @default 20
   */
  readonly windowsPerRun?: number;
  /**
   * Seconds a window must have been final before it is audited, 1..86,400: the
   * archive consumer reads the stream on its own mapping and may be behind the
   * aggregator (retries, a throttled batch); an event it has not written yet
   * would show as a false deficit.
   * @default 120
   */
  readonly settleSeconds?: number;
}

/** Where the stack is deployed: `localstack` leaves out what LocalStack's free tier lacks (DAX, WAF, X-Ray). */
export type DeploymentTarget = 'aws' | 'localstack';

/** Everything a Tributary deployment is configured with. */
export interface TributaryConfig {
  readonly stream?: StreamConfig;
  readonly aggregator?: AggregatorConfig;
  readonly archive?: ArchiveConfig;
  readonly changes?: ChangesConfig;
  readonly storage?: StorageConfig;
  readonly cache?: CacheConfig;
  readonly api?: ApiConfig;
  readonly observability?: ObservabilityConfig;
  readonly encryption?: EncryptionConfig;
  readonly audit?: AuditConfig;
  readonly ingest?: IngestConfig;
  /** The metrics to compute. At least one. */
  readonly metrics: readonly MetricDefinition[];
}

/** A configuration with every default applied and every value checked. */
export interface ResolvedConfig {
  readonly stream: Required<StreamConfig>;
  readonly aggregator: Required<AggregatorConfig>;
  readonly archive: Required<ArchiveConfig>;
  readonly changes: Required<ChangesConfig>;
  readonly storage: Required<StorageConfig>;
  readonly cache: Required<CacheConfig>;
  readonly api: Required<ApiConfig>;
  readonly observability: Required<ObservabilityConfig>;
  readonly encryption: Required<EncryptionConfig>;
  readonly audit: Required<AuditConfig>;
  readonly ingest: { readonly aggregation: Required<IngestAggregationConfig> };
  /** From the CDK context (`-c target=localstack`); `aws` by default. */
  readonly target: DeploymentTarget;
  readonly metrics: readonly MetricDefinition[];
}

/** The archive settings that default to the aggregator's (see ArchiveConfig). */
export const ARCHIVE_FOLLOWS_AGGREGATOR = ['batchSize', 'maxBatchingWindowSeconds', 'maxRetryAttempts', 'maxRecordAgeSeconds', 'timeoutSeconds'] as const;

/** The change publisher settings that default to the aggregator's (see ChangesConfig). */
export const CHANGES_FOLLOW_AGGREGATOR = ['maxRetryAttempts', 'maxRecordAgeSeconds'] as const;

/** The API settings whose defaults are computed from others (see ApiConfig and deriveApiDefaults). */
export const API_DERIVED = ['rateLimitPerSecond', 'burstLimit', 'ingestReservedConcurrency'] as const;

/**
 * The defaults, applied once by resolveConfig; the caller's values win. The
 * archive and change settings missing here are the aggregator's resolved ones.
 */
export const CONFIG_DEFAULTS = {
  stream: { shardCount: 2, retentionHours: 24 },
  aggregator: {
    batchSize: 500,
    maxBatchingWindowSeconds: 0,
    maxRetryAttempts: 5,
    maxRecordAgeSeconds: 3_600,
    memorySizeMb: 512,
    timeoutSeconds: 60,
    dedupeHorizonHours: 24,
    parallelizationFactor: 1,
    enhancedFanOut: false,
    progressCacheMs: DEFAULT_PROGRESS_CACHE_MS,
  },
  archive: { parallelizationFactor: 1, memorySizeMb: 256 },
  changes: { batchSize: 100, memorySizeMb: 256, timeoutSeconds: 30 },
  storage: { aggregateRetentionDays: 90, lateEventRetentionDays: 30, eventRetentionDays: 30, removalPolicy: 'retain' },
  cache: { dax: true, nodeType: 'dax.t3.small', nodes: 3, itemTtlMs: 1_000, queryTtlMs: 1_000 },
  api: { authorization: 'iam', producers: [], corsOrigins: [], wafRateLimitPer5Minutes: 0, queryReservedConcurrency: 10 },
  observability: { logRetentionDays: 30, tracing: true, alarmEmails: [], alarmHttpsEndpoints: [] },
  encryption: { customerManagedKey: false },
  audit: { enabled: true, scheduleMinutes: 5, windowsPerRun: 20, settleSeconds: 120 },
  ingest: { aggregation: { enabled: true, maxRecordBytes: 25_000 } },
} as const satisfies Omit<ResolvedConfig, 'metrics' | 'archive' | 'changes' | 'api' | 'target'> & {
  api: Omit<ResolvedConfig['api'], (typeof API_DERIVED)[number]>;
  archive: Omit<ResolvedConfig['archive'], (typeof ARCHIVE_FOLLOWS_AGGREGATOR)[number]>;
  changes: Omit<ResolvedConfig['changes'], (typeof CHANGES_FOLLOW_AGGREGATOR)[number]>;
};
