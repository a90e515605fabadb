import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tributaryConfig } from '../../infra/tributary.config';
import { createTargetClients } from './createTargetClients';
import { resolvePipelineTarget, type PipelineSelection } from './resolvePipelineTarget';
import { UsageError } from './UsageError';

/** What `tributary late` lists. */
export interface LateOptions extends PipelineSelection {
  readonly metric: string;
  /** UTC day of the events' time, YYYY-MM-DD. */
  readonly day: string;
  readonly limit: number;
}

/**
 * `tributary late --metric <name> [--day YYYY-MM-DD] [--stack <name>]`: the
 * late-event output of the running offline pipeline or of a deployed stack,
 * one line per entry with its reason, oldest event time first. The day and the metric are checked first, against the
 * calendar and the configuration, so a typo is an error instead of "0 late
 * events".
 */
export async function lateCommand(options: LateOptions): Promise<number> {
  const day = parseUtcDay(options.day);
  const known = tributaryConfig.metrics.map((metric) => metric.name);
  if (!known.includes(options.metric)) throw new UsageError(`--metric ${options.metric} is not a metric of this pipeline; known: ${known.join(', ')}`);
  const target = await resolvePipelineTarget(options);
  const clients = createTargetClients(target);
  const table = target.tables.lateEvents;
  const result = await clients.documents.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${options.metric}#${day}` }, Limit: options.limit }),
  );
  const items = result.Items ?? [];
  console.log(`${items.length}${result.LastEvaluatedKey ? '+' : ''} late event(s) for ${options.metric} on ${day}`);
  for (const item of items) console.log(`  ${describeLateEntry(item)}`);
  return items.length;
}

/** One late-output item as a line: event time, event id, reason (whatever it is), group, windows missed, distance to the watermark. */
export function describeLateEntry(item: Record<string, unknown>): string {
  const eventTime = typeof item.eventTime === 'number' ? item.eventTime : undefined;
  const time = eventTime !== undefined ? new Date(eventTime).toISOString() : 'no event time';
  const windows = (Array.isArray(item.windowsMissed) ? (item.windowsMissed as { startMs: number }[]) : []).map((w) => new Date(w.startMs).toISOString().slice(11, 19)).join(', ');
  const more = typeof item.windowsMissedCount === 'number' ? ` (of ${item.windowsMissedCount})` : '';
  const group = typeof item.group === 'string' ? ` · group ${item.group}` : typeof item.groupKey === 'string' ? ` · group key ${item.groupKey}` : '';
  let distance = '';
  if (eventTime !== undefined && typeof item.watermark === 'number') {
    const seconds = Math.round((item.watermark - eventTime) / 1000);
    distance = seconds >= 0 ? ` · ${seconds} s behind the watermark` : ` · ${-seconds} s ahead of the watermark`;
  }
  return `${time}  ${eventIdOf(item)}  ${String(item.reason ?? 'no reason')}${group}${windows ? ` · missed ${windows}${more}` : ''}${distance}`;
}

/** The event is stored as its record's JSON text (older items: as a map); the sort key ends with the id either way. */
function eventIdOf(item: Record<string, unknown>): string {
  let event = item.event;
  if (typeof event === 'string') {
    try {
      event = JSON.parse(event);
    } catch {
      event = undefined;
    }
  }
  const id = (event as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') return id;
  return typeof item.sk === 'string' ? item.sk.slice(item.sk.indexOf('#') + 1) : '(no id)';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** A real calendar day in UTC written YYYY-MM-DD, or a UsageError saying what is wrong with it. */
export function parseUtcDay(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const advice = 'give a UTC day as YYYY-MM-DD (default: today)';
  if (!match) throw new UsageError(`--day ${value} is not a day written YYYY-MM-DD; ${advice}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) throw new UsageError(`--day ${value} is not a calendar day (there is no month ${match[2]}); ${advice}`);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > daysInMonth) throw new UsageError(`--day ${value} is not a calendar day (${MONTHS[month - 1]} ${year} has ${daysInMonth} days); ${advice}`);
  return value;
}
