import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_METRICS_VARIABLE,
  FUNCTION_VARIABLES,
  VARIABLES,
  allVariableNames,
  functionEnvironment,
  functionSettings,
  readFunctionEnvironment,
  stackWrittenNames,
  type FunctionName,
} from '../../config/functionEnvironment';
import { resolveConfig } from '../../config/resolveConfig';
import { CONFIG_DEFAULTS, type TributaryConfig } from '../../config/TributaryConfig';
import { ConfigError } from '../../core/errors';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

const ROOT = path.resolve(__dirname, '..', '..');
const FUNCTIONS = Object.keys(FUNCTION_VARIABLES) as FunctionName[];

/** Each function's logical-id prefix in the template. */
const LOGICAL_ID_PREFIX: Record<FunctionName, string> = {
  aggregator: 'AggregatorFunction',
  archive: 'ArchiverFunction',
  audit: 'AuditFunction',
  changes: 'ChangesFunction',
  clock: 'ClockFunction',
  ingest: 'IngestFunction',
  query: 'QueryFunction',
  alerts: 'AlertsFunction',
};

/** Every function's environment keys in the template of `config`, by function. */
function synthesizedEnvironments(config: TributaryConfig): Record<string, string[]> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const functions = Template.fromStack(new TributaryStack(app, 'Test', { config })).findResources('AWS::Lambda::Function');
  return Object.fromEntries(
    Object.entries(functions).map(([logicalId, fn]) => {
      const name = FUNCTIONS.find((candidate) => logicalId.startsWith(LOGICAL_ID_PREFIX[candidate])) ?? logicalId;
      return [name, Object.keys(fn.Properties.Environment.Variables as Record<string, unknown>).sort()];
    }),
  );
}

const problemsOf = (read: () => unknown): readonly string[] => {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

/** Resource names for every function, as the stack would pass them. */
const RESOURCES = {
  aggregator: { aggregatesTable: 'aggregates', lateEventsTable: 'late', deliveryTable: 'delivery', idempotencyTable: 'idempotency', streamName: 'events' },
  archive: { eventsTable: 'raw-events', lateEventsTable: 'late' },
  audit: { aggregatesTable: 'aggregates', eventsTable: 'raw-events' },
  changes: { topicArn: 'arn:aws:sns:eu-west-1:0:topic', idempotencyTable: 'idempotency', lateEventsTable: 'late' },
  clock: { aggregatesTable: 'aggregates' },
  ingest: { streamName: 'events' },
  query: { aggregatesTable: 'aggregates', eventsTable: 'raw-events', daxEndpoint: 'dax://cluster' },
  alerts: { topicArn: 'arn:aws:sns:eu-west-1:0:alerts', idempotencyTable: 'idempotency', alertStateTable: 'alert-states', aggregatesTable: 'aggregates' },
} as const;

/** The example metric with an alert: the stack has the alert function only when some metric declares one. */
const withAlert = { ...ordersPerRegion, alerts: { noOrders: { aggregation: 'orders', comparison: 'below', threshold: 1 } } } as const;

describe('Module: functionEnvironment', () => {
  describe('what the stack writes', () => {
    let withDax: Record<string, string[]>;
    let withoutDax: Record<string, string[]>;
    let withCors: Record<string, string[]>;
    beforeAll(() => {
      // Idle finalisation on and an alert declared, so that the clock and the alert function are synthesized too.
      const metrics = [{ ...withAlert, watermark: { advanceWhenIdleMs: 60_000 } }];
      withDax = synthesizedEnvironments({ metrics });
      withoutDax = synthesizedEnvironments({ metrics, cache: { dax: false } });
      withCors = synthesizedEnvironments({ metrics, cache: { dax: false }, api: { corsOrigins: ['https://dashboard.example.com'] } });
    });

    it('gives every function exactly the variables the module says the stack writes for it, with DAX', () => {
      expect(withDax).toEqual(Object.fromEntries(FUNCTIONS.map((fn) => [fn, stackWrittenNames(fn, { dax: true }).sort()])));
    });

    it('gives every function exactly the variables the module says the stack writes for it, without DAX', () => {
      expect(withoutDax).toEqual(Object.fromEntries(FUNCTIONS.map((fn) => [fn, stackWrittenNames(fn, { dax: false }).sort()])));
      expect(withoutDax.query).not.toContain(VARIABLES.daxEndpoint.name);
      expect(withoutDax.query).not.toContain(VARIABLES.corsOrigins.name);
    });

    it('gives the query function the CORS origins only when some are configured', () => {
      expect(withCors).toEqual(Object.fromEntries(FUNCTIONS.map((fn) => [fn, stackWrittenNames(fn, { dax: false, cors: true }).sort()])));
      expect(withCors.query).toContain(VARIABLES.corsOrigins.name);
    });
  });

  describe('the reference page', () => {
    const rows = readFileSync(path.join(ROOT, 'docs', 'reference', 'environment-variables.md'), 'utf8')
      .split('\n')
      .map((line) => /^\| `([A-Z0-9_]+)` \| ([^|]+) \|/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ name: match[1]!, readBy: match[2]!.trim() }));

    it('lists exactly the variables the module declares', () => {
      expect(rows.map((row) => row.name).sort()).toEqual(allVariableNames().sort());
    });

    it('names the functions that read each Tributary variable', () => {
      for (const variable of Object.values(VARIABLES)) {
        const readers = FUNCTIONS.filter((fn) => Object.values(FUNCTION_VARIABLES[fn]).includes(variable as never));
        expect({ name: variable.name, readBy: rows.find((row) => row.name === variable.name)?.readBy }).toEqual({ name: variable.name, readBy: readers.join(', ') });
      }
    });
  });

  describe('the runtime variables', () => {
    it.each(FUNCTIONS)('writes the tracing switch into the %s as Powertools Tracer reads it', (fn) => {
      const on = functionEnvironment(fn, resolveConfig({ metrics: [ordersPerRegion] }), RESOURCES[fn] as never);
      const off = functionEnvironment(fn, resolveConfig({ metrics: [ordersPerRegion], observability: { tracing: false } }), RESOURCES[fn] as never);

      expect([on.POWERTOOLS_TRACE_ENABLED, off.POWERTOOLS_TRACE_ENABLED]).toEqual(['true', 'false']);
      // Without tracing the X-Ray SDK's promise hooks are turned off; with it Powertools needs them.
      expect([on.AWS_XRAY_MANUAL_MODE, off.AWS_XRAY_MANUAL_MODE]).toEqual([undefined, 'true']);
    });
  });

  describe('reading', () => {
    it.each(FUNCTIONS)('reads back what the stack writes for the %s, the configured values from CONFIG_DEFAULTS', (fn) => {
      const config = resolveConfig({ metrics: [ordersPerRegion] });
      const environment = functionEnvironment(fn, config, RESOURCES[fn] as never);

      expect(readFunctionEnvironment(fn, environment)).toEqual(functionSettings(fn, config, RESOURCES[fn] as never));
    });

    it('gives the aggregator the default retentions and horizon through the environment, each written once in CONFIG_DEFAULTS', () => {
      const environment = functionEnvironment('aggregator', resolveConfig({ metrics: [ordersPerRegion] }), RESOURCES.aggregator);

      expect(readFunctionEnvironment('aggregator', environment)).toEqual({
        ...RESOURCES.aggregator,
        aggregateRetentionDays: CONFIG_DEFAULTS.storage.aggregateRetentionDays,
        lateEventRetentionDays: CONFIG_DEFAULTS.storage.lateEventRetentionDays,
        streamRetentionHours: CONFIG_DEFAULTS.stream.retentionHours,
        dedupeHorizonHours: CONFIG_DEFAULTS.aggregator.dedupeHorizonHours,
        progressCacheMs: CONFIG_DEFAULTS.aggregator.progressCacheMs,
      });
    });

    it('has no default of its own: every variable the stack writes is required, and each missing one is named', () => {
      expect(problemsOf(() => readFunctionEnvironment('aggregator', {}))).toEqual([
        'AGGREGATES_TABLE is not set: the function was deployed without its aggregates table',
        'AGGREGATE_RETENTION_DAYS is not set: the function was deployed without the days an aggregate window is kept',
        'LATE_EVENTS_TABLE is not set: the function was deployed without its late-event table',
        'LATE_EVENT_RETENTION_DAYS is not set: the function was deployed without the days a late event or rejected record is kept',
        'DELIVERY_TABLE is not set: the function was deployed without its delivery table',
        'STREAM_RETENTION_HOURS is not set: the function was deployed without the hours the stream keeps a record',
        'DEDUPE_HORIZON_HOURS is not set: the function was deployed without the hours a producer re-send is dropped',
        'IDEMPOTENCY_TABLE is not set: the function was deployed without its idempotency table',
        'STREAM_NAME is not set: the function was deployed without its stream',
        "PROGRESS_CACHE_MS is not set: the function was deployed without the milliseconds other shards' progress is cached",
      ]);
      expect(problemsOf(() => readFunctionEnvironment('changes', {}))).toEqual([
        'TOPIC_ARN is not set: the function was deployed without its topic',
        'IDEMPOTENCY_TABLE is not set: the function was deployed without its idempotency table',
        'LATE_EVENTS_TABLE is not set: the function was deployed without its late-event table',
        'LATE_EVENT_RETENTION_DAYS is not set: the function was deployed without the days a late event or rejected record is kept',
      ]);
      expect(problemsOf(() => readFunctionEnvironment('ingest', {}))).toEqual(['STREAM_NAME is not set: the function was deployed without its stream']);
    });

    it('refuses a number that is not a positive whole number', () => {
      const environment = { EVENTS_TABLE: 'raw-events', LATE_EVENTS_TABLE: 'late', EVENT_RETENTION_DAYS: 'thirty', LATE_EVENT_RETENTION_DAYS: '0' };

      expect(problemsOf(() => readFunctionEnvironment('archive', environment))).toEqual([
        'EVENT_RETENTION_DAYS must be a positive whole number (got "thirty")',
        'LATE_EVENT_RETENTION_DAYS must be a positive whole number (got "0")',
      ]);
    });

    it('reads the optional settings as absent, never as a made-up value', () => {
      expect(readFunctionEnvironment('query', { AGGREGATES_TABLE: 'aggregates', EVENTS_TABLE: 'raw-events' })).toEqual({
        aggregatesTable: 'aggregates',
        eventsTable: 'raw-events',
        daxEndpoint: undefined,
        corsOrigins: [],
        cursorSigningKey: undefined,
        region: undefined,
      });
    });

    it('gives ingest the KPL aggregation cap when aggregation is on, and leaves it out (one record per event) when off', () => {
      const on = functionEnvironment('ingest', resolveConfig({ metrics: [ordersPerRegion] }), RESOURCES.ingest);
      const off = functionEnvironment('ingest', resolveConfig({ metrics: [ordersPerRegion], ingest: { aggregation: { enabled: false } } }), RESOURCES.ingest);

      expect(on[VARIABLES.ingestAggregateMaxBytes.name]).toBe('25000');
      expect(readFunctionEnvironment('ingest', on)).toEqual({ streamName: 'events', ingestAggregateMaxBytes: 25_000 });
      expect(off).not.toHaveProperty(VARIABLES.ingestAggregateMaxBytes.name);
      expect(readFunctionEnvironment('ingest', off)).toEqual({ streamName: 'events', ingestAggregateMaxBytes: undefined });
      expect(problemsOf(() => readFunctionEnvironment('ingest', { STREAM_NAME: 'events', INGEST_AGGREGATE_MAX_BYTES: '25kb' }))).toEqual([
        'INGEST_AGGREGATE_MAX_BYTES must be a positive whole number (got "25kb")',
      ]);
    });

    it('reads the CORS origins back as the list the configuration holds', () => {
      const config = resolveConfig({ metrics: [ordersPerRegion], api: { corsOrigins: ['https://dashboard.example.com', 'http://localhost:5173'] } });
      const environment = functionEnvironment('query', config, RESOURCES.query);

      expect(environment[VARIABLES.corsOrigins.name]).toBe('https://dashboard.example.com,http://localhost:5173');
      expect(readFunctionEnvironment('query', environment).corsOrigins).toEqual(['https://dashboard.example.com', 'http://localhost:5173']);
    });
  });

  it('is the only product code that spells a Tributary variable name', () => {
    const names = [...Object.values(VARIABLES).filter((variable) => variable.writtenBy !== 'Lambda').map((variable) => variable.name), BUNDLED_METRICS_VARIABLE];
    const pattern = new RegExp(`\\b(${names.join('|')})\\b`);
    const spelled = ['adapters', 'bench', 'config', 'core', 'functions', 'infra', 'local', 'ops']
      .flatMap((folder) => sourceFiles(path.join(ROOT, folder)))
      .filter((file) => !file.endsWith(path.join('config', 'functionEnvironment.ts')) && pattern.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(spelled).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|cjs|js)$/.test(entry) ? [full] : [];
  });
}
