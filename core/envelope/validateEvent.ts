import { ENVELOPE_LIMITS, ID_PATTERN, type EventEnvelope } from './EventEnvelope';
import { isWellFormed } from '../json/wellFormed';
import { checkEventData } from './checkEventData';
import { parseEventTime } from './parseEventTime';

/** One reason an event was refused, naming the field (`events[3].time`). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type EventValidation =
  | { readonly ok: true; readonly envelope: Omit<EventEnvelope, 'id' | 'receivedAt'> & { readonly id?: string } }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const ALLOWED_FIELDS = new Set(['id', 'type', 'key', 'time', 'data']);

/**
 * Validates one producer event against the envelope `{ id?, type, key, time, data }`.
 * Collects every problem, not only the first, so a producer fixes them in one go.
 * @param fieldPrefix how the event is named in messages, e.g. `events[3]`
 */
export function validateEvent(value: unknown, fieldPrefix: string): EventValidation {
  const at = (field: string): string => (fieldPrefix ? `${fieldPrefix}.${field}` : field);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [{ field: fieldPrefix || 'body', message: 'must be a JSON object with type, key, time and data' }] };
  }
  const event = value as Record<string, unknown>;
  const errors: FieldError[] = [];

  for (const field of Object.keys(event)) {
    if (!ALLOWED_FIELDS.has(field)) {
      errors.push({ field: at(field), message: 'is not an envelope field (allowed: id, type, key, time, data); put payload fields inside data' });
    }
  }
  if (event.id !== undefined) {
    if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > ENVELOPE_LIMITS.maxIdLength || !ID_PATTERN.test(event.id)) {
      errors.push({ field: at('id'), message: `must be 1-${ENVELOPE_LIMITS.maxIdLength} characters of A-Z a-z 0-9 . _ : -` });
    }
  }
  requireString(event.type, at('type'), ENVELOPE_LIMITS.maxTypeLength, errors);
  requireString(event.key, at('key'), ENVELOPE_LIMITS.maxKeyLength, errors);
  let timeMs = 0;
  if (event.time === undefined) {
    errors.push({ field: at('time'), message: 'is required' });
  } else {
    const parsed = parseEventTime(event.time);
    if (parsed.ok) timeMs = parsed.epochMs;
    else errors.push({ field: at('time'), message: parsed.reason });
  }
  if (event.data === undefined) {
    errors.push({ field: at('data'), message: 'is required' });
  } else if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    errors.push({ field: at('data'), message: 'must be a JSON object' });
  } else {
    errors.push(...checkEventData(event.data as Record<string, unknown>, at('data')));
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    envelope: {
      ...(event.id !== undefined ? { id: event.id as string } : {}),
      type: event.type as string,
      key: event.key as string,
      time: timeMs,
      data: event.data as Record<string, unknown>,
    },
  };
}

function requireString(value: unknown, field: string, maxLength: number, errors: FieldError[]): void {
  if (value === undefined) errors.push({ field, message: 'is required' });
  else if (typeof value !== 'string') errors.push({ field, message: 'must be a string' });
  else if (value.length === 0) errors.push({ field, message: 'must not be empty' });
  else if (value.length > maxLength) errors.push({ field, message: `must be at most ${maxLength} characters (got ${value.length})` });
  else if (!isWellFormed(value)) errors.push({ field, message: 'must be well-formed Unicode (it holds an unpaired surrogate such as \\ud800)' });
}
