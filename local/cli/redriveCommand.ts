import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { tributaryConfig } from '../../infra/tributary.config';
import { compileMetric } from '../../shared/metrics/compileMetric';
import { redriveDeadLetters, type RedriveReport } from '../../shared/redrive/redriveDeadLetters';
import { DynamoCompletionLog } from '../../shared/storage/DynamoCompletionLog';
import { DynamoDuplicateLedger } from '../../shared/storage/DynamoDuplicateLedger';
import { DynamoLateEventStore } from '../../shared/storage/DynamoLateEventStore';
import { DynamoWindowStore } from '../../shared/storage/DynamoWindowStore';
import { StaticShardDirectory } from '../../shared/windowing/ShardDirectory';
import { WindowedAggregator } from '../../shared/windowing/WindowedAggregator';
import { createLocalClients } from '../aws/localClients';
import { CliError } from './CliError';
import { readRuntimeInfo } from './readRuntimeInfo';

/**
 * `tributary redrive [--dry-run]`: drains the aggregator's DLQ of the running
 * offline pipeline through the same aggregation code the function runs (redrive
 * mode), with a progress line; messages whose records left the stream are kept
 * and named, and the exit code says so.
 */
export async function redriveCommand(options: { readonly dryRun: boolean; readonly stateDir?: string }): Promise<RedriveReport> {
  const info = readRuntimeInfo(options.stateDir);
  const clients = createLocalClients(info.endpoints);
  const [tables, streams, queues] = await Promise.all([
    clients.dynamodb.send(new ListTablesCommand({})),
    clients.kinesis.send(new ListStreamsCommand({})),
    clients.sqs.send(new ListQueuesCommand({})),
  ]);
  const table = (prefix: string) => {
    const name = tables.TableNames?.find((candidate) => candidate.startsWith(prefix));
    if (!name) throw new CliError(`The running pipeline has no ${prefix}; restart it with \`npm start\``);
    return name;
  };
  const queueUrl = queues.QueueUrls?.find((url) => /Aggregator.*DeadLetterQueue/.test(url));
  const streamName = streams.StreamNames?.[0];
  if (!queueUrl || !streamName) throw new CliError('The running pipeline has no aggregator DLQ or stream; restart it with `npm start`');

  const sideOutput = new DynamoLateEventStore(table('LateEventsTable'), tributaryConfig.storage?.lateEventRetentionDays ?? 30, clients.documents);
  const aggregator = new WindowedAggregator(
    tributaryConfig.metrics.map(compileMetric),
    new DynamoWindowStore({ tableName: table('AggregatesTable'), retentionDays: tributaryConfig.storage?.aggregateRetentionDays ?? 90, client: clients.documents }),
    sideOutput,
    // A redrive never moves watermarks, so it needs no shard listing.
    new StaticShardDirectory([], Date.now()),
    {
      completions: new DynamoCompletionLog(table('DeliveryTable'), 24, clients.documents),
      duplicates: new DynamoDuplicateLedger(table('DeliveryTable'), tributaryConfig.aggregator?.dedupeHorizonHours ?? 24, clients.documents),
    },
  );
  const started = Date.now();
  const report = await redriveDeadLetters({
    sqs: clients.sqs,
    kinesis: clients.kinesis,
    queueUrl,
    streamName,
    aggregator,
    rejects: sideOutput,
    dryRun: options.dryRun,
    onProgress: (done, range, records) => {
      const line = `${options.dryRun ? 'would redrive' : 'redriven'} ${done} message(s) · last: ${records} record(s) of ${range.shardId} ${range.first.slice(-8)}..${range.last.slice(-8)}`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}\u001b[K`);
      else console.error(line);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    options.dryRun
      ? `dry run: ${report.messages} DLQ message(s), ${report.records} record(s) still in the stream; nothing applied or deleted (${seconds} s)`
      : `redrove ${report.redriven} of ${report.messages} DLQ message(s), ${report.records} record(s); each window took only what it lacked (${seconds} s)`,
  );
  for (const error of report.expired) console.log(`  kept: ${error.message}`);
  if (report.unreadable > 0) console.log(`  kept: ${report.unreadable} message(s) that are not Kinesis on-failure records`);
  return report;
}
