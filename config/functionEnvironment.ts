import { ConfigError } from '../core/errors';
import type { ResolvedConfig } from './TributaryConfig';

/**
 * Every environment variable a Tributary function reads, in one place: its
 * name, type and reader, which functions read it, and the writer the stack
 * builds each function's `environment` with. Infra, handlers and the CLI
 * never spell a variable name. No reader has a default: every value the stack
 * writes comes from the resolved config (CONFIG_DEFAULTS, applied once at
 * synth), and the optional ones mean "absent" when unset, not a value.
 * docs/reference/environment-variables.md is checked against this module.
 */

/** A function's environment as Node.js hands it over. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Who puts a variable into a function's environment. */
export type VariableWriter = 'stack' | 'operator' | 'Lambda';

/** One variable a function reads: its name, what it holds, and how its text becomes a value. */
export interface FunctionVariable<T> {
  readonly name: string;
  /** Completes "the function was deployed without …". */
  readonly holds: string;
  readonly writtenBy: VariableWriter;
  /** Its value in `environment`; a problem goes into `problems` instead. */
  read(environment: Environment, problems: string[]): T;
  /** Its text, or undefined to leave it out. */
  write(value: T): string | undefined;
}

/** A variable that must be set to some text. */
function text(name: string, holds: string): FunctionVariable<string> {
  return {
    name,
    holds,
    writtenBy: 'stack',
    read: (environment, problems) => {
      const value = environment[name];
      if (!value) problems.push(`${name} is not set: the function was deployed without ${holds}`);
      return value ?? '';
    },
    write: (value) => value,
  };
}

/** A variable that may be absent: absent means the feature is off, not a default. */
function optionalText(name: string, holds: string, writtenBy: VariableWriter): FunctionVariable<string | undefined> {
  return { name, holds, writtenBy, read: (environment) => environment[name] || undefined, write: (value) => value };
}

/** A comma-separated list that may be absent: absent means an empty list (the feature is off). */
function optionalList(name: string, holds: string): FunctionVariable<readonly string[]> {
  return {
    name,
    holds,
    writtenBy: 'stack',
    read: (environment) => (environment[name] ?? '').split(',').filter((item) => item.length > 0),
    write: (value) => (value.length > 0 ? value.join(',') : undefined),
  };
}

/** A variable that must be set to a positive whole number (days, hours). */
function wholeNumber(name: string, holds: string): FunctionVariable<number> {
  return {
    name,
    holds,
    writtenBy: 'stack',
    read: (environment, problems) => {
      const value = environment[name];
      if (!value) {
        problems.push(`${name} is not set: the function was deployed without ${holds}`);
        return Number.NaN;
      }
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) problems.push(`${name} must be a positive whole number (got ${JSON.stringify(value)})`);
      return number;
    },
    write: (value) => String(value),
  };
}

/** A positive whole number that may be absent: absent means the feature is off. */
function optionalWholeNumber(name: string, holds: string): FunctionVariable<number | undefined> {
  return {
    name,
    holds,
    writtenBy: 'stack',
    read: (environment, problems) => {
      const value = environment[name];
      if (!value) return undefined;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) problems.push(`${name} must be a positive whole number (got ${JSON.stringify(value)})`);
      return number;
    },
    write: (value) => (value === undefined ? undefined : String(value)),
  };
}

/** Every variable Tributary code reads, by the setting it carries. */
export const VARIABLES = {
  streamName: text('STREAM_NAME', 'its stream'),
  streamRetentionHours: wholeNumber('STREAM_RETENTION_HOURS', 'the hours the stream keeps a record'),
  aggregatesTable: text('AGGREGATES_TABLE', 'its aggregates table'),
  aggregateRetentionDays: wholeNumber('AGGREGATE_RETENTION_DAYS', 'the days an aggregate window is kept'),
  lateEventsTable: text('LATE_EVENTS_TABLE', 'its late-event table'),
  lateEventRetentionDays: wholeNumber('LATE_EVENT_RETENTION_DAYS', 'the days a late event or rejected record is kept'),
  eventsTable: text('EVENTS_TABLE', 'its events table'),
  eventRetentionDays: wholeNumber('EVENT_RETENTION_DAYS', 'the days a raw event is kept'),
  deliveryTable: text('DELIVERY_TABLE', 'its delivery table'),
  dedupeHorizonHours: wholeNumber('DEDUPE_HORIZON_HOURS', 'the hours a producer re-send is dropped'),
  progressCacheMs: wholeNumber('PROGRESS_CACHE_MS', 'the milliseconds other shards\' progress is cached'),
  idempotencyTable: text('IDEMPOTENCY_TABLE', 'its idempotency table'),
  topicArn: text('TOPIC_ARN', 'its topic'),
  daxEndpoint: optionalText('DAX_ENDPOINT', 'the DAX cluster (absent: reads go to DynamoDB)', 'stack'),
  corsOrigins: optionalList('CORS_ORIGINS', 'the browser origins the read routes answer (absent: no CORS headers)'),
  cursorSigningKey: optionalText('CURSOR_SIGNING_KEY', 'the key page cursors are signed with (absent: derived from the table name)', 'operator'),
  region: optionalText('AWS_REGION', 'the region, for the DAX client', 'Lambda'),
  // The correctness audit (functions/audit).
  auditWindowsPerRun: wholeNumber('AUDIT_WINDOWS_PER_RUN', 'the number of windows one audit run recounts'),
  auditSettleSeconds: wholeNumber('AUDIT_SETTLE_SECONDS', 'the seconds a window is final before it is audited'),
  auditLookbackMinutes: wholeNumber('AUDIT_LOOKBACK_MINUTES', 'the minutes of finalisations one audit run takes (its schedule)'),
  // Alerts on windowed metrics (issue 14).
  alertStateTable: text('ALERT_STATE_TABLE', 'its alert-state table'),
  // KPL aggregation at ingest (issue 15).
  ingestAggregateMaxBytes: optionalWholeNumber('INGEST_AGGREGATE_MAX_BYTES', 'the largest KPL aggregated record (absent: one record per event)'),
} as const;

/** The settings each function reads, in the order the stack writes them. */
export const FUNCTION_VARIABLES = {
  aggregator: pickVariables('aggregatesTable', 'aggregateRetentionDays', 'lateEventsTable', 'lateEventRetentionDays', 'deliveryTable', 'streamRetentionHours', 'dedupeHorizonHours', 'idempotencyTable', 'streamName', 'progressCacheMs'),
  archive: pickVariables('eventsTable', 'eventRetentionDays', 'lateEventsTable', 'lateEventRetentionDays'),
  audit: pickVariables('aggregatesTable', 'eventsTable', 'auditWindowsPerRun', 'auditSettleSeconds', 'auditLookbackMinutes'),
  changes: pickVariables('topicArn', 'idempotencyTable', 'lateEventsTable', 'lateEventRetentionDays'),
  // The idle-finalisation tick: the watermark item, shard progress and windows of the aggregates table only.
  clock: pickVariables('aggregatesTable', 'aggregateRetentionDays'),
  ingest: pickVariables('streamName', 'ingestAggregateMaxBytes'),
  query: pickVariables('aggregatesTable', 'eventsTable', 'daxEndpoint', 'corsOrigins', 'cursorSigningKey', 'region'),
  alerts: pickVariables('topicArn', 'idempotencyTable', 'alertStateTable', 'aggregatesTable', 'aggregateRetentionDays'),
} as const;

/** A Tributary function, by its folder under functions/. */
export type FunctionName = keyof typeof FUNCTION_VARIABLES;

/** The typed settings a function reads from its environment. */
export type FunctionSettings<F extends FunctionName> = SettingsOf<(typeof FUNCTION_VARIABLES)[F]>;

/** The aggregator's settings (see createAggregator). */
export type AggregatorSettings = FunctionSettings<'aggregator'>;

/** The idle-finalisation tick's settings (see functions/clock/createClock). */
export type ClockSettings = FunctionSettings<'clock'>;

type SettingsOf<M> = { readonly [K in keyof M]: M[K] extends FunctionVariable<infer T> ? T : never };

function pickVariables<K extends keyof typeof VARIABLES>(...settings: K[]): { readonly [S in K]: (typeof VARIABLES)[S] } {
  return Object.fromEntries(settings.map((setting) => [setting, VARIABLES[setting]])) as { readonly [S in K]: (typeof VARIABLES)[S] };
}

/** `fn`'s settings from `environment`; throws ConfigError naming every variable missing or malformed. */
export function readFunctionEnvironment<F extends FunctionName>(fn: F, environment: Environment): FunctionSettings<F> {
  const problems: string[] = [];
  const variables: Record<string, FunctionVariable<unknown>> = FUNCTION_VARIABLES[fn];
  const settings = Object.fromEntries(Object.entries(variables).map(([setting, variable]) => [setting, variable.read(environment, problems)]));
  if (problems.length > 0) throw new ConfigError(problems);
  return settings as FunctionSettings<F>;
}

/**
 * The settings of `fn` that come from the configuration, or that are not the
 * stack's to write (left unset); the rest are the names of resources only the
 * stack knows (tokens at synth).
 */
const SETTINGS_FROM_CONFIG = {
  aggregator: (config: ResolvedConfig) => ({
    aggregateRetentionDays: config.storage.aggregateRetentionDays,
    lateEventRetentionDays: config.storage.lateEventRetentionDays,
    streamRetentionHours: config.stream.retentionHours,
    dedupeHorizonHours: config.aggregator.dedupeHorizonHours,
    progressCacheMs: config.aggregator.progressCacheMs,
  }),
  archive: (config: ResolvedConfig) => ({ eventRetentionDays: config.storage.eventRetentionDays, lateEventRetentionDays: config.storage.lateEventRetentionDays }),
  changes: (config: ResolvedConfig) => ({ lateEventRetentionDays: config.storage.lateEventRetentionDays }),
  clock: (config: ResolvedConfig) => ({ aggregateRetentionDays: config.storage.aggregateRetentionDays }),
  ingest: (config: ResolvedConfig) => ({ ingestAggregateMaxBytes: config.ingest.aggregation.enabled ? config.ingest.aggregation.maxRecordBytes : undefined }),
  query: (config: ResolvedConfig) => ({ corsOrigins: config.api.corsOrigins, cursorSigningKey: undefined, region: undefined }),
  audit: (config: ResolvedConfig) => ({
    auditWindowsPerRun: config.audit.windowsPerRun,
    auditSettleSeconds: config.audit.settleSeconds,
    auditLookbackMinutes: config.audit.scheduleMinutes,
  }),
  alerts: (config: ResolvedConfig) => ({ aggregateRetentionDays: config.storage.aggregateRetentionDays }),
} as const satisfies { readonly [F in FunctionName]: (config: ResolvedConfig) => Partial<FunctionSettings<F>> };

/** What `fn`'s settings need beyond the configuration: the names of its resources. */
export type FunctionResources<F extends FunctionName> = Omit<FunctionSettings<F>, keyof ReturnType<(typeof SETTINGS_FROM_CONFIG)[F]>>;

/** `fn`'s settings as the stack configures them: the resolved config and the resources' names. */
export function functionSettings<F extends FunctionName>(fn: F, config: ResolvedConfig, resources: FunctionResources<F>): FunctionSettings<F> {
  return { ...SETTINGS_FROM_CONFIG[fn](config), ...resources } as FunctionSettings<F>;
}

/** Variables Node.js and Powertools read, written into every function. */
export const RUNTIME_VARIABLES = { nodeOptions: 'NODE_OPTIONS', logLevel: 'POWERTOOLS_LOG_LEVEL', traceEnabled: 'POWERTOOLS_TRACE_ENABLED' } as const;

/** The X-Ray SDK's switch off its promise hooks: written only where tracing is off (and by the offline host). */
export const XRAY_MANUAL_MODE_VARIABLE = 'AWS_XRAY_MANUAL_MODE';

/**
 * The metric definitions, as JSON text. Not in the environment: esbuild
 * replaces `process.env.TRIBUTARY_METRICS_JSON` with the text at synth (they
 * outgrow Lambda's 4 KB of environment), so code and configuration are one
 * versioned asset. Unbundled (unit tests) it is a real variable.
 */
export const BUNDLED_METRICS_VARIABLE = 'TRIBUTARY_METRICS_JSON';

/** The esbuild `define` that bundles `metricsJson` into a function. */
export function bundledMetricsDefine(metricsJson: string): Record<string, string> {
  return { [`process.env.${BUNDLED_METRICS_VARIABLE}`]: JSON.stringify(metricsJson) };
}

/** The bundled metric definitions' JSON text; written out in full so esbuild's define finds it. */
export function readBundledMetricsJson(): string | undefined {
  return process.env.TRIBUTARY_METRICS_JSON;
}

/** Young-generation semi-space for a function of `memorySizeMb`: 1/16 of it, 16..64 MB. */
export function semiSpaceMb(memorySizeMb: number): number {
  return Math.min(64, Math.max(16, Math.floor(memorySizeMb / 16)));
}

/** Node.js and Powertools settings of `fn`. */
function runtimeEnvironment(fn: FunctionName, config: ResolvedConfig): Record<string, string> {
  // A batch's decoded events live until its windows are written; with V8's default
  // 16 MB semi-space each scavenge copies them and promotes them, which was most of
  // the gap between the hot path and bare JSON parsing (bench/aggregate.ts).
  const semiSpace = fn === 'aggregator' ? ` --max-semi-space-size=${semiSpaceMb(config.aggregator.memorySizeMb)}` : '';
  return {
    [RUNTIME_VARIABLES.nodeOptions]: `--enable-source-maps${semiSpace}`,
    [RUNTIME_VARIABLES.logLevel]: 'INFO',
    // Powertools Tracer follows the stack's tracing switch. It also stays off wherever AWS_EXECUTION_ENV is
    // unset (the offline host never sets it), so offline it neither patches clients nor sends to a daemon.
    [RUNTIME_VARIABLES.traceEnabled]: String(config.observability.tracing),
    // The X-Ray SDK (under Powertools Tracer) hooks every promise from the moment it is
    // loaded, to carry the segment along: about ten times the cost of each await. Without
    // tracing nothing reads that context, so its manual mode turns the hooks off.
    ...(config.observability.tracing ? {} : { [XRAY_MANUAL_MODE_VARIABLE]: 'true' }),
  };
}

/** The `environment` map of `fn`, as the stack writes it: its settings from the resolved config and its resources, and the runtime's. */
export function functionEnvironment<F extends FunctionName>(fn: F, config: ResolvedConfig, resources: FunctionResources<F>): Record<string, string> {
  const settings: Record<string, unknown> = functionSettings(fn, config, resources);
  const variables: Record<string, FunctionVariable<unknown>> = FUNCTION_VARIABLES[fn];
  const written = Object.entries(variables).flatMap(([setting, variable]) => {
    const value = variable.write(settings[setting]);
    return value === undefined ? [] : [[variable.name, value] as const];
  });
  return { ...runtimeEnvironment(fn, config), ...Object.fromEntries(written) };
}

/** Every variable name this module knows, Tributary's, the runtime's and the bundled one. */
export function allVariableNames(): string[] {
  return [...Object.values(VARIABLES).map((variable) => variable.name), ...Object.values(RUNTIME_VARIABLES), XRAY_MANUAL_MODE_VARIABLE, BUNDLED_METRICS_VARIABLE];
}

/**
 * The names the stack writes into `fn`'s environment with tracing on, the default
 * (DAX_ENDPOINT only when there is a cluster, CORS_ORIGINS only with origins;
 * without tracing AWS_XRAY_MANUAL_MODE as well).
 */
export function stackWrittenNames(fn: FunctionName, options: { readonly dax: boolean; readonly cors?: boolean }): string[] {
  const variables: Record<string, FunctionVariable<unknown>> = FUNCTION_VARIABLES[fn];
  const own = Object.values(variables)
    .filter(
      (variable) =>
        variable.writtenBy === 'stack' && (options.dax || variable !== VARIABLES.daxEndpoint) && (options.cors === true || variable !== VARIABLES.corsOrigins),
    )
    .map((variable) => variable.name);
  return [...Object.values(RUNTIME_VARIABLES), ...own];
}
