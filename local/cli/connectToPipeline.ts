import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { tributaryConfig } from '../../infra/tributary.config';
import { functionSettings } from '../../config/functionEnvironment';
import { resolveConfig } from '../../config/resolveConfig';
import type { TributaryConfig } from '../../config/TributaryConfig';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { LateEventSink, RejectedRecordSink } from '../../core/ports/LateEventSink';
import type { RedriveOptions } from '../../ops/redriveDeadLetters';
import { StaticShardDirectory } from '../../core/ports/ShardDirectory';
import type { WindowedAggregator } from '../../core/aggregator/WindowedAggregator';
import { createAggregator } from '../../functions/aggregator/createAggregator';
import { createLocalClients, type LocalClients } from '../aws/localClients';
import { CliError } from './CliError';
import { readRuntimeInfo } from './readRuntimeInfo';

/** The running offline pipeline as a repair command needs it: clients, its stream and DLQ, and the aggregation code. */
export interface PipelineConnection {
  readonly clients: LocalClients;
  readonly streamName: string;
  readonly deadLetterQueueUrl: string;
  readonly sideOutput: LateEventSink & RejectedRecordSink;
  /** The aggregator the function runs, over `metrics` (default: all), for repair modes (it never moves watermarks). */
  aggregator(metrics?: readonly MetricDefinition[]): WindowedAggregator;
  /** What a DLQ redrive of this pipeline reads from and applies to. */
  redriveTarget(): Omit<RedriveOptions, 'dryRun' | 'onProgress' | 'nowMs'>;
}

/** Finds the running pipeline's resources by their logical-id prefixes; says to `npm start` when one is missing. */
export async function connectToPipeline(stateDir?: string, config: TributaryConfig = tributaryConfig): Promise<PipelineConnection> {
  const info = readRuntimeInfo(stateDir);
  const clients = createLocalClients(info.endpoints);
  const [tables, streams, queues] = await Promise.all([
    clients.dynamodb.send(new ListTablesCommand({})),
    clients.kinesis.send(new ListStreamsCommand({})),
    clients.sqs.send(new ListQueuesCommand({})),
  ]);
  const table = (prefix: string) => {
    const name = tables.TableNames?.find((candidate) => candidate.startsWith(prefix));
    if (!name) throw new CliError(`the running pipeline has no ${prefix}: restart it with \`npm start\``);
    return name;
  };
  const deadLetterQueueUrl = queues.QueueUrls?.find((url) => /Aggregator.*DeadLetterQueue/.test(url));
  const streamName = streams.StreamNames?.[0];
  if (!deadLetterQueueUrl || !streamName) throw new CliError('the running pipeline has no aggregator DLQ or stream: restart it with `npm start`');
  // The settings the deployed aggregator reads, from the same config the pipeline was synthesized from.
  const settings = functionSettings('aggregator', resolveConfig(config), {
    aggregatesTable: table('AggregatesTable'),
    lateEventsTable: table('LateEventsTable'),
    deliveryTable: table('DeliveryTable'),
    idempotencyTable: table('IdempotencyTable'),
    streamName,
  });
  // Repairs never move watermarks, so they need no shard listing; a redriven range was recorded by batch idempotency when it failed.
  const assemble = (metrics: readonly MetricDefinition[]) =>
    createAggregator(settings, clients, { metrics, shardDirectory: new StaticShardDirectory([], Date.now()), batchIdempotency: false });
  const { sideOutput } = assemble(config.metrics);
  const aggregator = (metrics = config.metrics) => assemble(metrics).aggregator;
  return {
    clients,
    streamName,
    deadLetterQueueUrl,
    sideOutput,
    aggregator,
    redriveTarget: () => ({ sqs: clients.sqs, kinesis: clients.kinesis, queueUrl: deadLetterQueueUrl, streamName, aggregator: aggregator(), rejects: sideOutput }),
  };
}
