import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { functionEnvironment } from '../config/functionEnvironment';
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
import { LateEventsTable } from './constructs/LateEventsTable';
import { createTributaryFunction } from './constructs/createTributaryFunction';
import { PipelineApi } from './constructs/PipelineApi';

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
  /** Absent when `cache.dax` is false. */
  public readonly cache?: DaxCache;

  public constructor(scope: Construct, id: string, props: TributaryStackProps) {
    super(scope, id, props);
    // Throws ConfigError with every problem before any resource exists.
    this.config = resolveConfig(props.config, { target: props.target ?? (this.node.tryGetContext('target') as DeploymentTarget | undefined) });

    this.eventStream = new EventStream(this, 'Events', this.config.stream);
    this.aggregates = new AggregatesTable(this, 'Aggregates', { removalPolicy: this.config.storage.removalPolicy });
    this.lateEvents = new LateEventsTable(this, 'LateEvents', { removalPolicy: this.config.storage.removalPolicy });
    this.delivery = new DeliveryTable(this, 'Delivery', { removalPolicy: this.config.storage.removalPolicy });
    this.idempotency = new IdempotencyTable(this, 'Idempotency', { removalPolicy: this.config.storage.removalPolicy });
    this.aggregator = new Aggregator(this, 'Aggregator', {
      stream: this.eventStream.stream,
      table: this.aggregates.table,
      lateEventsTable: this.lateEvents.table,
      deliveryTable: this.delivery.table,
      idempotencyTable: this.idempotency.table,
      config: this.config,
    });

    this.changes = new ChangePublisher(this, 'Changes', { table: this.aggregates.table, idempotencyTable: this.idempotency.table, rejectsTable: this.lateEvents.table, config: this.config });

    this.events = new EventsTable(this, 'RawEvents', { removalPolicy: this.config.storage.removalPolicy });
    this.archiver = new Archiver(this, 'Archiver', { stream: this.eventStream.stream, eventsTable: this.events.table, rejectsTable: this.lateEvents.table, config: this.config });

    const ingestFunction = createTributaryFunction(this, 'IngestFunction', {
      name: 'ingest',
      environment: functionEnvironment('ingest', this.config, { streamName: this.eventStream.stream.streamName }),
    });
    this.eventStream.stream.grantWrite(ingestFunction);

    this.cache = this.config.cache.dax ? new DaxCache(this, 'Cache', { tables: [this.aggregates.table], settings: this.config.cache }) : undefined;
    const queryFunction = createTributaryFunction(this, 'QueryFunction', {
      ...(this.cache ? { vpc: this.cache.functionVpc } : {}),
      name: 'query',
      metrics: this.config.metrics,
      // Through DAX when there is a cluster, else DynamoDB directly.
      environment: functionEnvironment('query', this.config, {
        aggregatesTable: this.aggregates.table.tableName,
        eventsTable: this.events.table.tableName,
        daxEndpoint: this.cache?.endpoint,
      }),
    });
    this.aggregates.table.grantReadData(queryFunction);
    this.cache?.grantReads(queryFunction);
    this.events.table.grantReadData(queryFunction);

    this.pipelineApi = new PipelineApi(this, 'Http', { ingestFunction, queryFunction });

    new CfnOutput(this, 'ApiUrl', { value: this.pipelineApi.api.url });
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
  }
}
