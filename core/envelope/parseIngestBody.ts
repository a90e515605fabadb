import { RequestError } from '../errors';
import { ENVELOPE_LIMITS } from './EventEnvelope';
import { eventDataTexts } from './eventDataTexts';

/** What a request body holds: the raw events, and whether the caller sent a batch. */
export interface IngestBody {
  readonly events: readonly unknown[];
  readonly batch: boolean;
  /** Each event's `data` as the producer wrote it (see eventDataTexts), by index. */
  readonly dataTexts: readonly (string | undefined)[];
}

/**
 * Splits a POST /events body into raw events: either one event object or
 * `{ "events": [...] }` with 1..500 entries. Problems with the body as a whole
 * throw a RequestError (400/413); per-event problems are left to validateEvent.
 */
export function parseIngestBody(body: string | null | undefined, isBase64Encoded = false): IngestBody {
  if (body === null || body === undefined || body.length === 0) {
    throw new RequestError(400, 'Request body is empty: send one event or {"events": [...]}');
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RequestError(400, 'Request body must be a JSON object: one event or {"events": [...]}');
  }
  const object = parsed as Record<string, unknown>;
  if (!('events' in object)) return { events: [object], batch: false, dataTexts: eventDataTexts(text, false) };

  const extra = Object.keys(object).filter((field) => field !== 'events');
  if (extra.length > 0) {
    throw new RequestError(400, `A batch body holds only "events"; unexpected field(s): ${extra.join(', ')}`);
  }
  if (!Array.isArray(object.events)) throw new RequestError(400, '"events" must be an array of events');
  if (object.events.length === 0) throw new RequestError(400, '"events" must hold at least one event');
  if (object.events.length > ENVELOPE_LIMITS.maxEventsPerRequest) {
    throw new RequestError(
      413,
      `"events" holds ${object.events.length} events; at most ${ENVELOPE_LIMITS.maxEventsPerRequest} per request`,
    );
  }
  return { events: object.events, batch: true, dataTexts: eventDataTexts(text, true) };
}
