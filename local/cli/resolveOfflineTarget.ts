import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from '../emulators/Emulators';
import { createLocalClients } from '../aws/localClients';
import { CliError } from './CliError';
import type { DeadLetterQueueName, PipelineTarget } from './PipelineTarget';
import { readRuntimeInfo } from './readRuntimeInfo';

/** Offline, each consumer's on-failure queue is named after its construct's logical id. */
const QUEUE_PATTERNS: Readonly<Record<DeadLetterQueueName, RegExp>> = {
  aggregator: /Aggregator.*DeadLetterQueue/,
  archive: /Archiver.*DeadLetterQueue/,
  changes: /Changes.*DeadLetterQueue/,
};

/**
 * The running offline pipeline as a PipelineTarget: its emulators' endpoints
 * from runtime.json, and its resources, which the provisioner names after their
 * logical ids, found by those ids' prefixes. A resource that is missing means
 * the pipeline was started by another version: start it again.
 */
export async function resolveOfflineTarget(stateDir?: string): Promise<PipelineTarget> {
  const { endpoints } = readRuntimeInfo(stateDir);
  const clients = createLocalClients(endpoints);
  const [tables, streams, queues, topics] = await Promise.all([
    clients.dynamodb.send(new ListTablesCommand({})),
    clients.kinesis.send(new ListStreamsCommand({})),
    clients.sqs.send(new ListQueuesCommand({})),
    clients.sns.send(new ListTopicsCommand({})),
  ]);
  const missing = (what: string) => new CliError(`the running pipeline has no ${what}: restart it with \`npm start\``);
  const table = (prefix: string) => {
    const name = tables.TableNames?.find((candidate) => candidate.startsWith(prefix));
    if (!name) throw missing(prefix);
    return name;
  };
  const queue = (name: DeadLetterQueueName) => {
    const url = queues.QueueUrls?.find((candidate) => QUEUE_PATTERNS[name].test(candidate));
    if (!url) throw missing(`${name} DLQ`);
    return url;
  };
  const streamName = streams.StreamNames?.[0];
  if (!streamName) throw missing('stream');
  const topicArn = topics.Topics?.map((topic) => topic.TopicArn ?? '').find((arn) => /CountValueUpdated/.test(arn));
  if (!topicArn) throw missing('count-value-updated topic');
  return {
    description: 'the offline pipeline',
    region: LOCAL_REGION,
    endpoints,
    streamName,
    tables: {
      aggregates: table('AggregatesTable'),
      lateEvents: table('LateEventsTable'),
      events: table('RawEventsTable'),
      delivery: table('DeliveryTable'),
      idempotency: table('IdempotencyTable'),
    },
    topicArn,
    deadLetterQueues: { aggregator: queue('aggregator'), archive: queue('archive'), changes: queue('changes') },
  };
}
