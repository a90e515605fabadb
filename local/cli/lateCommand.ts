import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalClients } from '../aws/localClients';
import { CliError } from './CliError';
import { readRuntimeInfo } from './readRuntimeInfo';

/** What `tributary late` lists. */
export interface LateOptions {
  readonly metric: string;
  /** UTC day of the events' time, YYYY-MM-DD. */
  readonly day: string;
  readonly limit: number;
}

/**
 * `tributary late --metric <name> [--day YYYY-MM-DD]`: the late-event output of
 * the running offline pipeline, one line per event, oldest event time first.
 */
export async function lateCommand(options: LateOptions): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.day)) throw new CliError(`--day must be a UTC date YYYY-MM-DD (got ${options.day})`);
  const info = readRuntimeInfo();
  const clients = createLocalClients(info.endpoints);
  const tables = await clients.dynamodb.send(new ListTablesCommand({}));
  const table = tables.TableNames?.find((name) => name.startsWith('LateEventsTable'));
  if (!table) throw new CliError('The running pipeline has no late-event table; restart it with `npm start`');
  const result = await clients.documents.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${options.metric}#${options.day}` }, Limit: options.limit }),
  );
  const items = result.Items ?? [];
  console.log(`${items.length}${result.LastEvaluatedKey ? '+' : ''} late event(s) for ${options.metric} on ${options.day}`);
  for (const item of items) {
    const time = typeof item.eventTime === 'number' ? new Date(item.eventTime).toISOString() : 'no event time';
    const behind = typeof item.eventTime === 'number' && typeof item.watermark === 'number' ? ` · ${Math.round((item.watermark - item.eventTime) / 1000)} s behind the watermark` : '';
    const windows = (item.windowsMissed as { startMs: number }[]).map((w) => new Date(w.startMs).toISOString().slice(11, 19)).join(', ');
    console.log(`  ${time}  ${(item.event as { id: string }).id}  ${item.reason}${item.group !== undefined ? ` · group ${item.group}` : ''}${windows ? ` · missed ${windows}` : ''}${behind}`);
  }
  return items.length;
}
