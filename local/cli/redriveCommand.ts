import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { redriveDeadLetters, type RedriveReport } from '../../ops/redriveDeadLetters';
import { connectToPipeline } from './connectToPipeline';
import type { DeadLetterQueueName } from './PipelineTarget';
import { endProgress, progressBar, progressLine } from './progressLine';
import { resolvePipelineTarget, type PipelineSelection } from './resolvePipelineTarget';

export interface RedriveCommandOptions extends PipelineSelection {
  readonly dryRun: boolean;
  /** Whose DLQ. @default 'aggregator' */
  readonly queue?: DeadLetterQueueName;
}

/** What a redrive of each queue does to what it applies, for the summary line. */
const APPLIED: Readonly<Record<DeadLetterQueueName, string>> = {
  aggregator: 'each window took only what it lacked',
  archive: 'each event was archived once (its row and its type page)',
  changes: 'each change was published at most once',
};

/**
 * `tributary redrive [--queue aggregator|archive|changes] [--dry-run] [--stack <name>]`:
 * drains one consumer's DLQ, of the running offline pipeline or of a deployed
 * stack, through the same code the function runs, with a progress line;
 * messages whose records left the stream, and messages it could not apply,
 * are kept and named one line each (the others are still redriven), and the
 * exit code says so.
 */
export async function redriveCommand(options: RedriveCommandOptions): Promise<RedriveReport> {
  const queue = options.queue ?? 'aggregator';
  const pipeline = connectToPipeline(await resolvePipelineTarget(options));
  const target = pipeline.redriveTarget(queue);
  const { Attributes } = await pipeline.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  // SQS's count is approximate: the bar never claims more than it knows.
  const expected = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  const started = Date.now();
  const report = await redriveDeadLetters({
    ...target,
    dryRun: options.dryRun,
    onProgress: (done, range, records) => {
      const bar = progressBar(done / Math.max(1, expected, done));
      progressLine(`${options.dryRun ? 'would redrive' : 'redrive'} ${bar} ${done}/${Math.max(expected, done)} message(s) · last: ${records} record(s) of ${range.shardId} ${range.first.slice(-8)}..${range.last.slice(-8)}`);
    },
  });
  endProgress();
  for (const line of redriveReportLines(report, options.dryRun, Date.now() - started, queue)) console.log(line);
  return report;
}

/** What `tributary redrive` prints once done: a summary, then one `kept:` line per message left in the DLQ and why. */
export function redriveReportLines(report: RedriveReport, dryRun: boolean, elapsedMs: number, queue: DeadLetterQueueName = 'aggregator'): string[] {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const of = queue === 'aggregator' ? '' : ` of the ${queue} DLQ`;
  const lines = [
    dryRun
      ? `dry run: ${report.messages} DLQ message(s)${of}, ${recordsOf(report)} still in the stream; nothing applied or deleted (${seconds} s)`
      : `redrove ${report.redriven} of ${report.messages} DLQ message(s)${of}, ${recordsOf(report)}; ${APPLIED[queue]} (${seconds} s)`,
  ];
  if ((report.rejected ?? 0) > 0) {
    lines.push(`  set aside: ${report.rejected} record(s) no retry can apply, in the rejected-records output (late-event table, ~rejected#<day>) with the reason`);
  }
  for (const error of report.expired) lines.push(`  kept: ${error.message}`);
  if (report.unreadable > 0) lines.push(`  kept: ${report.unreadable} message(s) that are not ${report.messageKind ?? 'Kinesis on-failure records'}`);
  for (const failure of report.failed) {
    const { shardId, first, last } = failure.range;
    lines.push(`  kept: message ${failure.messageId} (${first}..${last} of ${shardId}) could not be applied: ${failure.reason.replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines;
}

/** `9 record(s)`, and the events they hold where they are events: a KPL record holds many. */
function recordsOf(report: Pick<RedriveReport, 'records' | 'events'>): string {
  return `${report.records} record(s)${report.events === undefined ? '' : ` (${report.events} event(s))`}`;
}
