import { tributaryConfig } from '../../infra/tributary.config';
import { functionSettings } from '../../config/functionEnvironment';
import { resolveConfig } from '../../config/resolveConfig';
import type { TributaryConfig } from '../../config/TributaryConfig';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { LateEventSink, RejectedRecordSink } from '../../core/ports/LateEventSink';
import { StaticShardDirectory } from '../../core/ports/ShardDirectory';
import type { WindowedAggregator } from '../../core/aggregator/WindowedAggregator';
import { DynamoEventStore } from '../../adapters/dynamodb/DynamoEventStore';
import { DynamoLateEventStore } from '../../adapters/dynamodb/DynamoLateEventStore';
import { createAggregator } from '../../functions/aggregator/createAggregator';
import { createChangePublisher } from '../../functions/changes/createChangePublisher';
import { aggregatorDeadLetters } from '../../ops/aggregatorDeadLetters';
import { archiveDeadLetters } from '../../ops/archiveDeadLetters';
import { changesDeadLetters } from '../../ops/changesDeadLetters';
import type { RedriveOptions } from '../../ops/redriveDeadLetters';
import type { LocalClients } from '../aws/localClients';
import { createTargetClients } from './createTargetClients';
import type { DeadLetterQueueName, PipelineTarget } from './PipelineTarget';

/** A pipeline, offline or deployed, as a repair command needs it: clients, its resources, and each consumer's code. */
export interface PipelineConnection {
  readonly target: PipelineTarget;
  readonly clients: LocalClients;
  readonly streamName: string;
  /** The aggregator's DLQ. */
  readonly deadLetterQueueUrl: string;
  readonly sideOutput: LateEventSink & RejectedRecordSink;
  /** The aggregator the function runs, over `metrics` (default: all), for repair modes (it never moves watermarks). */
  aggregator(metrics?: readonly MetricDefinition[]): WindowedAggregator;
  /** What a redrive of `queue`'s DLQ reads from and applies to (default: the aggregator's). */
  redriveTarget(queue?: DeadLetterQueueName): Omit<RedriveOptions, 'dryRun' | 'onProgress' | 'nowMs'>;
}

/**
 * Connects to a resolved pipeline target: clients built from it (emulator
 * endpoints offline, the SDK's defaults on AWS) and each consumer assembled
 * from the same settings and wiring functions its deployed function uses,
 * from the configuration the pipeline was synthesized from.
 */
export function connectToPipeline(target: PipelineTarget, config: TributaryConfig = tributaryConfig): PipelineConnection {
  const clients = createTargetClients(target);
  const resolved = resolveConfig(config);
  const { tables, streamName } = target;
  const settings = functionSettings('aggregator', resolved, {
    aggregatesTable: tables.aggregates,
    lateEventsTable: tables.lateEvents,
    deliveryTable: tables.delivery,
    idempotencyTable: tables.idempotency,
    streamName,
  });
  // Repairs never move watermarks, so they need no shard listing; a redriven range was recorded by batch idempotency when it failed.
  const assemble = (metrics: readonly MetricDefinition[]) =>
    createAggregator(settings, clients, { metrics, shardDirectory: new StaticShardDirectory([], Date.now()), batchIdempotency: false });
  const { sideOutput } = assemble(config.metrics);
  const aggregator = (metrics = config.metrics) => assemble(metrics).aggregator;
  const consumers = {
    aggregator: () => aggregatorDeadLetters({ kinesis: clients.kinesis, streamName, aggregator: aggregator(), rejects: sideOutput }),
    archive: () => {
      const archive = functionSettings('archive', resolved, { eventsTable: tables.events, lateEventsTable: tables.lateEvents });
      return archiveDeadLetters({
        kinesis: clients.kinesis,
        streamName,
        store: new DynamoEventStore(archive.eventsTable, archive.eventRetentionDays, clients.documents),
        rejects: new DynamoLateEventStore(archive.lateEventsTable, archive.lateEventRetentionDays, clients.documents),
      });
    },
    changes: () => {
      const changes = functionSettings('changes', resolved, { topicArn: target.topicArn, idempotencyTable: tables.idempotency, lateEventsTable: tables.lateEvents });
      return changesDeadLetters({ streams: clients.streams, publisher: createChangePublisher(changes, clients) });
    },
  } as const;
  return {
    target,
    clients,
    streamName,
    deadLetterQueueUrl: target.deadLetterQueues.aggregator,
    sideOutput,
    aggregator,
    redriveTarget: (queue = 'aggregator') => ({ sqs: clients.sqs, queueUrl: target.deadLetterQueues[queue], consumer: consumers[queue]() as RedriveOptions['consumer'] }),
  };
}
