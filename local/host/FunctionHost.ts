import { createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalPlan } from '../assembly/LocalPlan';
import type { LocalCredentials } from '../credentials/LocalCredentials';
import { createLocalClients, localAwsEnvironment } from '../aws/localClients';
import { CheckpointStore } from '../esm/CheckpointStore';
import { DynamoDbStreamsEventSourceMapping } from '../esm/DynamoDbStreamsEventSourceMapping';
import { KinesisEventSourceMapping, type PollerTiming } from '../esm/KinesisEventSourceMapping';
import type { StreamEventSourceMapping } from '../esm/StreamEventSourceMapping';
import type { MappingStats } from '../esm/MappingStats';
import { ApiGatewayServer, type RouteStats } from './ApiGatewayServer';
import type { Invoke } from '../esm/InvokeResult';
import { LocalLambda, type FunctionStats } from './LocalLambda';
import { ScheduleRunner, type ScheduleStats } from './ScheduleRunner';
// Offline alarms (local/alarms): the host feeds them and reports them.
import type { LocalAlarmStatus } from '../alarms/LocalAlarmStatus';
import { DEFAULT_ALARM_TIME_SCALE } from '../alarms/alarmTimeScale';
import { HostAlarms } from './HostAlarms';
import { RecentMetricValues } from './RecentMetricValues';

export interface FunctionHostOptions {
  /** Port of the first REST API; 0 picks a free one. */
  readonly apiPort: number;
  readonly logDir: string;
  readonly timing?: PollerTiming;
  /** What the local API verifies signatures and API keys against; without it every AWS_IAM route answers 403. */
  readonly credentials?: LocalCredentials;
  /** Runs every schedule at this interval instead of its rate (TRIBUTARY_SCHEDULE_INTERVAL_MS, for tests and demos). */
  readonly scheduleIntervalMs?: number;
  /** Offline alarm periods are the template's divided by this (TRIBUTARY_ALARM_TIME_SCALE); @default 30 */
  readonly alarmTimeScale?: number;
}

/** What the host reports to the supervisor once a second. */
export interface HostStats {
  readonly functions: Record<string, FunctionStats>;
  readonly mappings: Record<string, MappingStats>;
  readonly routes: Record<string, RouteStats>;
  /** Per schedule rule (`<rule>→<function>`): ticks, failed attempts, events dead-lettered. */
  readonly schedules: Record<string, ScheduleStats>;
  /**
   * EMF values the functions emitted since the previous stats() call, keyed `<MetricName>` and, for dimensioned
   * ones, also `<MetricName>|<Dim>=<value>` (e.g. `ConsumerLagMs|Metric=orders-per-region`); `service`, which every
   * Powertools metric carries, is not part of a key (local/host/recentMetricKey.ts).
   */
  readonly recentMetricValues: Readonly<Record<string, readonly number[]>>;
  /** Every alarm of the template, as the local evaluator sees it now. */
  readonly alarms: readonly LocalAlarmStatus[];
}

/**
 * Lambda's side of the offline pipeline: runs the stack's functions from their
 * bundles, serves the REST APIs and polls the event source mappings. It holds
 * no state of its own (checkpoints live in DynamoDB Local), so it can be killed
 * and restarted while the emulators keep their data, as on AWS.
 */
export class FunctionHost {
  private readonly lambdas = new Map<string, LocalLambda>();
  private readonly mappings: StreamEventSourceMapping[] = [];
  private readonly servers: ApiGatewayServer[] = [];
  private readonly schedules: ScheduleRunner[] = [];
  public apiUrls: string[] = [];
  private readonly recentValues = new RecentMetricValues();
  private alarms: HostAlarms | undefined;
  private alarmTimer: NodeJS.Timeout | undefined;

  public constructor(
    private readonly plan: LocalPlan,
    private readonly options: FunctionHostOptions,
  ) {}

  public async start(): Promise<void> {
    mkdirSync(this.options.logDir, { recursive: true });
    const functionLog = createWriteStream(path.join(this.options.logDir, 'functions.log'), { flags: 'a' });
    const hostLog = createWriteStream(path.join(this.options.logDir, 'host.log'), { flags: 'a' });
    const log = (message: string): void => {
      hostLog.write(`${new Date().toISOString()} ${message}\n`);
    };
    // The SDK's retry settings reach the functions as a Lambda environment variable would (the chaos run sets them).
    const sdkRetries = Object.fromEntries(['AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE'].filter((name) => process.env[name]).map((name) => [name, process.env[name]!]));
    const environment = { ...localAwsEnvironment(this.plan.endpoints), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...sdkRetries };
    const clients = createLocalClients(this.plan.endpoints);
    // Before the functions: they feed the alarms from their first line.
    const alarms = new HostAlarms(this.plan, this.plan.alarms ?? [], this.options.alarmTimeScale ?? DEFAULT_ALARM_TIME_SCALE, { sqs: clients.sqs, sns: clients.sns, logDir: this.options.logDir, log });
    this.alarms = alarms;
    const invokers = new Map<string, Invoke>();
    for (const definition of this.plan.functions) {
      const lambda = new LocalLambda(definition, environment, functionLog, undefined, (datapoints) => {
        this.recentValues.add(datapoints);
        alarms.recordEmf(datapoints);
      });
      this.lambdas.set(definition.logicalId, lambda);
      invokers.set(definition.logicalId, async (event) => {
        const result = await lambda.invoke(event);
        alarms.recordInvocation(definition.functionName, result);
        return result;
      });
    }

    await Promise.all([...this.lambdas.values()].map((lambda) => lambda.warm()));

    const checkpoints = new CheckpointStore(clients.dynamodb, clients.documents);
    await checkpoints.ensureTable();
    for (const mapping of this.plan.kinesisMappings) {
      const target = this.plan.functions.find((fn) => fn.logicalId === mapping.functionLogicalId)!;
      const esm = new KinesisEventSourceMapping(
        mapping,
        { kinesis: clients.kinesis, sqs: clients.sqs, checkpoints, invoke: invokers.get(target.logicalId)!, functionArn: target.functionArn, log },
        this.options.timing,
      );
      await esm.start();
      this.mappings.push(esm);
    }
    for (const mapping of this.plan.dynamoDbMappings) {
      const target = this.plan.functions.find((fn) => fn.logicalId === mapping.functionLogicalId)!;
      const esm = new DynamoDbStreamsEventSourceMapping(
        mapping,
        { streams: clients.streams, sqs: clients.sqs, checkpoints, invoke: invokers.get(target.logicalId)!, functionArn: target.functionArn, log },
        this.options.timing,
      );
      await esm.start();
      this.mappings.push(esm);
    }

    for (const schedule of this.plan.schedules) {
      const target = this.plan.functions.find((fn) => fn.logicalId === schedule.functionLogicalId)!;
      const runner = new ScheduleRunner(schedule, { invoke: invokers.get(target.logicalId)!, target, sqs: clients.sqs, log }, this.options.scheduleIntervalMs ?? schedule.intervalMs);
      runner.start();
      this.schedules.push(runner);
    }

    // The stage's access log, offline: one JSON line per request.
    const accessLog = createWriteStream(path.join(this.options.logDir, 'api-access.log'), { flags: 'a' });
    let port = this.options.apiPort;
    for (const api of this.plan.restApis) {
      const server = new ApiGatewayServer(api, invokers, log, {
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        accessLog: (entry) => {
          accessLog.write(`${JSON.stringify(entry)}\n`);
          alarms.recordRequest(api, entry);
        },
      });
      this.apiUrls.push(await server.listen(port));
      this.servers.push(server);
      port = 0;
    }

    // The alarms evaluate once a second, as the supervisor reads stats; a tick never throws (HostAlarms logs).
    const functionNames = new Map(this.plan.functions.map((fn) => [fn.logicalId, fn.functionName]));
    const kinesisStreams = new Map(this.plan.kinesisMappings.map((mapping) => [mapping.logicalId, mapping.streamName]));
    this.alarmTimer = setInterval(() => {
      void alarms.tick(
        this.mappings.map((esm) => ({
          ...(kinesisStreams.has(esm.mapping.logicalId) ? { streamName: kinesisStreams.get(esm.mapping.logicalId)! } : {}),
          functionName: functionNames.get(esm.mapping.functionLogicalId) ?? esm.mapping.functionLogicalId,
          stats: esm.stats,
        })),
      );
    }, 1_000);
  }

  public stats(): HostStats {
    return {
      functions: Object.fromEntries([...this.lambdas].map(([id, lambda]) => [id, { ...lambda.stats, metrics: { ...lambda.stats.metrics } }])),
      mappings: Object.fromEntries(this.mappings.map((esm) => [esm.mapping.logicalId, { ...esm.stats }])),
      routes: Object.assign({}, ...this.servers.map((server) => structuredClone(server.stats))) as Record<string, RouteStats>,
      schedules: Object.fromEntries(this.schedules.map((runner) => [`${runner.schedule.logicalId}→${runner.schedule.functionLogicalId}`, { ...runner.stats }])),
      recentMetricValues: this.recentValues.take(),
      alarms: this.alarms?.statuses() ?? [],
    };
  }

  /** Stops taking requests, lets batches in flight finish, then ends the sandboxes. */
  public async stop(): Promise<void> {
    clearInterval(this.alarmTimer);
    await Promise.all(this.servers.map((server) => server.close()));
    await Promise.all(this.schedules.map((runner) => runner.stop()));
    await Promise.all(this.mappings.map((esm) => esm.stop()));
    await Promise.all([...this.lambdas.values()].map((lambda) => lambda.stop()));
  }
}
