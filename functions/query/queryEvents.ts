import { parseEventTime, QUERY_TIME_RANGE } from '../../core/envelope/parseEventTime';
import { ENVELOPE_LIMITS, type EventEnvelope } from '../../core/envelope/EventEnvelope';
import { RequestError } from '../../core/errors';
import type { DynamoEventStore, EventPage } from '../../adapters/dynamodb/DynamoEventStore';

/** What GET /events answers. */
export interface EventsQueryResult {
  readonly key?: string;
  readonly type?: string;
  readonly from: number;
  readonly to: number;
  readonly events: readonly EventEnvelope[];
  /** The events as stored (the producer's own digits), when the store has them: what the API answers. */
  readonly eventsJson?: readonly string[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly cursor?: string;
}

/** Events per page unless `limit` says otherwise. */
export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1_000;
/** Range used when `from` is omitted. */
const DEFAULT_RANGE_MS = 3_600_000;

/**
 * GET /events?key=…|type=…&from=…&to=…&limit=…&cursor=…: raw events of one key
 * or one type with time in [from, to), oldest first, a page at a time.
 */
export async function queryEvents(
  store: Pick<DynamoEventStore, 'byKey' | 'byType'>,
  params: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): Promise<EventsQueryResult> {
  const { key, type } = params;
  if ((key === undefined) === (type === undefined)) {
    throw new RequestError(400, 'Give exactly one of the query parameters "key" or "type"');
  }
  const name = key !== undefined ? 'key' : 'type';
  const value = (key ?? type)!;
  if (value === '') throw new RequestError(400, `Query parameter "${name}" must not be empty`);
  const maxLength = key !== undefined ? ENVELOPE_LIMITS.maxKeyLength : ENVELOPE_LIMITS.maxTypeLength;
  if (value.length > maxLength) throw new RequestError(400, `Query parameter "${name}" must be at most ${maxLength} characters, as at ingest (got ${value.length})`);
  const to = params.to === undefined ? nowMs : parseTime('to', params.to);
  const from = params.from === undefined ? to - DEFAULT_RANGE_MS : parseTime('from', params.from);
  if (from >= to) throw new RequestError(400, `"from" (${from}) must be before "to" (${to})`);
  const limit = params.limit === undefined ? DEFAULT_EVENTS_LIMIT : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new RequestError(400, `Query parameter "limit" must be a whole number from 1 to ${MAX_EVENTS_LIMIT} (got ${JSON.stringify(params.limit)})`);
  }
  const query = { fromMs: from, toMs: to, limit, ...(params.cursor !== undefined ? { cursor: params.cursor } : {}) };
  const page: EventPage = key !== undefined ? await store.byKey(key, query) : await store.byType(type!, query);
  return {
    ...(key !== undefined ? { key } : { type: type! }),
    from,
    to,
    events: page.events,
    ...(page.eventsJson ? { eventsJson: page.eventsJson } : {}),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/** The response body of GET /events: the result with its events spliced in as stored, so no digit is lost. */
export function eventsResponseJson(result: EventsQueryResult): string {
  const { events, eventsJson, ...rest } = result;
  const texts = eventsJson ?? events.map((event) => JSON.stringify(event));
  return `${JSON.stringify(rest).slice(0, -1)},"events":[${texts.join(',')}]}`;
}

function parseTime(name: string, value: string): number {
  const parsed = parseEventTime(/^-?\d+$/.test(value) ? Number(value) : value, QUERY_TIME_RANGE);
  if (!parsed.ok) throw new RequestError(400, `Query parameter "${name}" ${parsed.reason}`);
  return parsed.epochMs;
}
