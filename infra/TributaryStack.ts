import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { functionEnvironment } from '../config/functionEnvironment';
import { producerOutputId } from '../config/producerOutputId';
import { resolveConfig } from '../config/resolveConfig';
import type { DeploymentTarget, ResolvedConfig, TributaryConfig } from '../config/TributaryConfig';
import { AggregatesTable } from './constructs/AggregatesTable';
import { Aggregator } from './constructs/Aggregator';
import { Archiver } from './constructs/Archiver';
import { ChangePublisher } from './constructs/ChangePublisher';
import { DaxCache } from './constructs/DaxCache';
import { EventStream } from './constructs/EventStream';
import { DeliveryTable } from './constructs/DeliveryTable';
import { EventsTable } from './constructs/EventsTable';
import { IdempotencyTable } from './constructs/IdempotencyTable';
import { IdleFinalization } from './constructs/IdleFinalization';
import { LateEventsTable } from './constructs/LateEventsTable';
import { createStackKey } from './constructs/createStackKey';
import { createTributaryFunction, functionBaseline } from './constructs/createTributaryFunction';
import { grantTableActions } from './constructs/grantTableActions';
import { EVENT_KEYS } from '../adapters/dynamodb/eventKeys';
import { PipelineApi } from './constructs/PipelineApi';
import { AlarmTopic } from './constructs/AlarmTopic';
import { AlertEvaluator } from './constructs/AlertEvaluator';
import { PipelineMonitoring } from './constructs/PipelineMonitoring';
import { CorrectnessAudit } from './constructs/CorrectnessAudit';

export interface TributaryStackProps extends StackProps {
  readonly config: TributaryConfig;
  /** Where it deploys; else the CDK context's `target` (`-c target=localstack`), else `aws`. */
  readonly target?: DeploymentTarget;
}

/** The whole pipeline: ingest API → Kinesis → aggregator → DynamoDB → query API. */
export class TributaryStack extends Stack {
  public readonly config: ResolvedConfig;
  public readonly eventStream: EventStream;
  public readonly aggregates: AggregatesTable;
  public readonly lateEvents: LateEventsTable;
  public readonly delivery: DeliveryTable;
  public readonly idempotency: IdempotencyTable;
  public readonly aggregator: Aggregator;
  public readonly events: EventsTable;
  public readonly archiver: Archiver;
  public readonly changes: ChangePublisher;
  public readonly pipelineApi: PipelineApi;
  /** Every alarm's notifications. */
  public readonly alarmTopic: AlarmTopic;
  public readonly monitoring: PipelineMonitoring;
  /** The scheduled correctness audit; absent when `audit.enabled` is false. */
  public readonly audit?: CorrectnessAudit;
  /** Alerts on windowed metrics and published business metrics; absent when no metric declares `alerts` or `publish`. */
  public readonly alerts?: AlertEvaluator;
  /** Absent when `cache.dax` is false. */
  public readonly cache?: DaxCache;
  /** The idle-finalisation tick; absent unless some metric sets `watermark.advanceWhenIdleMs`. */
  public readonly idleFinalization?: IdleFinalization;
  /** The customer-managed key of the stream, tables, queues, topic and log groups; absent unless `encryption.customerManagedKey`. */
  public readonly key?: kms.IKey;

  public constructor(scope: Construct, id: string, props: TributaryStackProps) {
    super(scope, id, props);
    // Throws ConfigError with every problem before any resource exists.
    this.config = resolveConfig(props.config, { target: props.target ?? (this.node.tryGetContext('target') as DeploymentTarget | undefined) });

    this.key = this.config.encryption.customerManagedKey ? createStackKey(this) : undefined;
    const key = this.key;
    const storage = { removalPolicy: this.config.storage.removalPolicy, ...(key ? { key } : {}) };
    const baseline = functionBaseline(this.config, key);

    this.eventStream = new EventStream(this, 'Events', { ...this.config.stream, ...(key ? { key } : {}) });
    this.aggregates = new AggregatesTable(this, 'Aggregates', storage);
    this.lateEvents = new LateEventsTable(this, 'LateEvents', storage);
    this.delivery = new DeliveryTable(this, 'Delivery', storage);
    this.idempotency = new IdempotencyTable(this, 'Idempotency', storage);
    this.aggregator = new Aggregator(this, 'Aggregator', {
      stream: this.eventStream.stream,
      table: this.aggregates.table,
      lateEventsTable: this.lateEvents.table,
      deliveryTable: this.delivery.table,
      idempotencyTable: this.idempotency.table,
      config: this.config,
      ...(key ? { key } : {}),
    });

    this.changes = new ChangePublisher(this, 'Changes', { table: this.aggregates.table, idempotencyTable: this.idempotency.table, rejectsTable: this.lateEvents.table, config: this.config, ...(key ? { key } : {}) });

    // Idle finalisation: only synthesized when a metric opts in (a tick with nothing to advance costs a minute's invocations for nothing).
    this.idleFinalization = this.config.metrics.some((metric) => metric.watermark?.advanceWhenIdleMs !== undefined)
      ? new IdleFinalization(this, 'Clock', { table: this.aggregates.table, config: this.config, ...(key ? { key } : {}) })
      : undefined;

    // Alerts (issue 14): a second consumer of the aggregates stream, only when some metric has alerts or published series.
    this.alerts = this.config.metrics.some((metric) => Object.keys(metric.alerts ?? {}).length > 0 || metric.publish !== undefined)
      ? new AlertEvaluator(this, 'Alerts', { table: this.aggregates.table, idempotencyTable: this.idempotency.table, config: this.config, storage })
      : undefined;

    this.events = new EventsTable(this, 'RawEvents', storage);
    this.archiver = new Archiver(this, 'Archiver', { stream: this.eventStream.stream, eventsTable: this.events.table, rejectsTable: this.lateEvents.table, config: this.config, ...(key ? { key } : {}) });

    // Reserved concurrency caps each API function (a flood cannot take the account's
    // whole pool) and guarantees it that much; `false` in the config is the
    // deployment's choice of neither, e.g. an account whose limit is too small to reserve from.
    const reserved = (setting: number | false): number | undefined => (setting === false ? undefined : setting);
    const ingestFunction = createTributaryFunction(this, 'IngestFunction', {
      name: 'ingest',
      baseline,
      reservedConcurrentExecutions: reserved(this.config.api.ingestReservedConcurrency),
      environment: functionEnvironment('ingest', this.config, { streamName: this.eventStream.stream.streamName }),
    });
    // putRecordsWithRetry sends PutRecords; with KPL aggregation (issue 15) KinesisShardMap lists the shards' hash ranges.
    const ingestActions = this.config.ingest.aggregation.enabled ? ['kinesis:PutRecords', 'kinesis:ListShards'] : ['kinesis:PutRecords'];
    ingestFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ingestActions, resources: [this.eventStream.stream.streamArn] }));
    this.eventStream.stream.encryptionKey?.grantEncrypt(ingestFunction);

    this.cache = this.config.cache.dax ? new DaxCache(this, 'Cache', { tables: [this.aggregates.table], settings: this.config.cache, baseline }) : undefined;
    const queryFunction = createTributaryFunction(this, 'QueryFunction', {
      ...(this.cache ? { vpc: this.cache.functionVpc } : {}),
      name: 'query',
      baseline,
      reservedConcurrentExecutions: reserved(this.config.api.queryReservedConcurrency),
      metrics: this.config.metrics,
      // Through DAX when there is a cluster, else DynamoDB directly.
      environment: functionEnvironment('query', this.config, {
        aggregatesTable: this.aggregates.table.tableName,
        eventsTable: this.events.table.tableName,
        daxEndpoint: this.cache?.endpoint,
      }),
    });
    // WindowQueries reads the windows through DAX when there is a cluster (DAX's role reads the table), else directly.
    if (this.cache) this.cache.grantReads(queryFunction);
    else grantTableActions(queryFunction, this.aggregates.table, ['GetItem', 'BatchGetItem', 'Query']);
    // DynamoEventStore's reads: a key's events from the table, a type's from the by-type index.
    grantTableActions(queryFunction, this.events.table, ['Query'], { queriedIndexes: [EVENT_KEYS.typeIndex] });
    for (const fn of [ingestFunction, queryFunction]) {
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by its API Gateway proxy integration: the caller gets the error as the response, and a function DLQ catches asynchronous invocations only',
      });
    }

    this.pipelineApi = new PipelineApi(this, 'Http', { ingestFunction, queryFunction, config: this.config, ...(key ? { logEncryptionKey: key } : {}) });

    this.audit = this.config.audit.enabled
      ? new CorrectnessAudit(this, 'Audit', { aggregatesTable: this.aggregates.table, eventsTable: this.events.table, config: this.config, ...(key ? { key } : {}) })
      : undefined;

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      ...(key ? { key } : {}),
      emails: this.config.observability.alarmEmails,
      httpsEndpoints: this.config.observability.alarmHttpsEndpoints,
    });
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      api: this.pipelineApi.api,
      apiFunctions: [
        { name: 'Ingest', resource: ingestFunction },
        { name: 'Query', resource: queryFunction },
      ],
      stream: this.eventStream.stream,
      streamRetentionHours: this.config.stream.retentionHours,
      maxRecordAgeSeconds: Math.min(this.config.aggregator.maxRecordAgeSeconds, this.config.archive.maxRecordAgeSeconds),
      streamConsumers: [
        { name: 'Aggregator', resource: this.aggregator.function },
        { name: 'Archiver', resource: this.archiver.function },
      ],
      changeConsumer: { name: 'ChangePublisher', resource: this.changes.function, maxRecordAgeSeconds: this.config.changes.maxRecordAgeSeconds },
      scheduledFunctions: [...(this.idleFinalization ? [{ name: 'Clock', resource: this.idleFinalization.function }] : [])],
      deadLetterQueues: [
        { name: 'AggregatorDlq', resource: this.aggregator.deadLetterQueue },
        { name: 'ArchiverDlq', resource: this.archiver.deadLetterQueue },
        { name: 'ChangesDlq', resource: this.changes.deadLetterQueue },
        ...(this.idleFinalization ? [{ name: 'ClockDlq', resource: this.idleFinalization.deadLetterQueue }] : []),
        ...(this.audit ? [{ name: 'AuditDlq', resource: this.audit.deadLetterQueue }] : []),
      ],
      tables: [
        { name: 'Aggregates', resource: this.aggregates.table },
        { name: 'RawEvents', resource: this.events.table },
        { name: 'LateEvents', resource: this.lateEvents.table },
        { name: 'Delivery', resource: this.delivery.table },
        { name: 'Idempotency', resource: this.idempotency.table },
      ],
      ...(this.cache ? { daxClusterName: this.cache.cluster.ref } : {}),
      alarmTopic: this.alarmTopic.topic,
      metricNames: this.config.metrics.map((metric) => metric.name),
      ...(this.audit ? { audit: { name: 'Audit', resource: this.audit.function, scheduleMinutes: this.config.audit.scheduleMinutes } } : {}),
      ...(this.alerts
        ? {
            alertConsumer: { name: 'AlertEvaluator', resource: this.alerts.function, maxRecordAgeSeconds: this.config.changes.maxRecordAgeSeconds, deadLetterQueue: this.alerts.deadLetterQueue },
            alertStateTable: this.alerts.stateTable,
          }
        : {}),
      publishedSeries: this.config.metrics.flatMap((metric) => metric.publish?.groups.flatMap((group) => metric.publish!.aggregations.map((value) => ({ metric: metric.name, group, value }))) ?? []),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.pipelineApi.api.url });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`,
      description: 'The pipeline dashboard: ingest, stream, consumers, DLQs, tables, DAX, objectives',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'Every alarm (warning and critical) notifies this topic; subscribe via observability.alarmEmails / alarmHttpsEndpoints' });
    new CfnOutput(this, 'ProducerPolicyArn', {
      value: this.pipelineApi.producerPolicy.managedPolicyArn,
      description: "Send events (POST /events): attach to the producer's role",
    });
    new CfnOutput(this, 'MetricsReaderPolicyArn', {
      value: this.pipelineApi.metricsReaderPolicy.managedPolicyArn,
      description: "Read metric windows (GET /metrics/{name}): attach to the reader's or dashboard's role",
    });
    new CfnOutput(this, 'EventsReaderPolicyArn', {
      value: this.pipelineApi.eventsReaderPolicy.managedPolicyArn,
      description: 'Read raw events with their data (GET /events): attach only to roles that may see producers\' payloads',
    });
    for (const [name, { apiKey }] of this.pipelineApi.producers) {
      new CfnOutput(this, producerOutputId(name), {
        value: apiKey.keyId,
        description: `API key id of producer ${name}; its value: aws apigateway get-api-key --api-key <id> --include-value`,
      });
    }
    new CfnOutput(this, 'StreamName', { value: this.eventStream.stream.streamName });
    new CfnOutput(this, 'AggregatesTableName', { value: this.aggregates.table.tableName });
    new CfnOutput(this, 'LateEventsTableName', { value: this.lateEvents.table.tableName });
    new CfnOutput(this, 'EventsTableName', { value: this.events.table.tableName });
    new CfnOutput(this, 'DeliveryTableName', { value: this.delivery.table.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.idempotency.table.tableName });
    new CfnOutput(this, 'CountValueUpdatedTopicArn', { value: this.changes.topic.topicArn });
    new CfnOutput(this, 'ChangesDeadLetterQueueUrl', { value: this.changes.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ArchiverDeadLetterQueueUrl', { value: this.archiver.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.aggregator.deadLetterQueue.queueUrl });
    if (this.audit) new CfnOutput(this, 'AuditDeadLetterQueueUrl', { value: this.audit.deadLetterQueue.queueUrl, description: 'Failed correctness-audit runs (their scheduled event); a message means a run could not complete' });
    if (this.alerts) {
      new CfnOutput(this, 'MetricAlertTopicArn', { value: this.alerts.topic.topicArn, description: 'metric-alert events (raised / resolved) of the alerts declared on metrics' });
      new CfnOutput(this, 'AlertsDeadLetterQueueUrl', { value: this.alerts.deadLetterQueue.queueUrl });
      new CfnOutput(this, 'AlertStateTableName', { value: this.alerts.stateTable.tableName });
    }
  }
}
