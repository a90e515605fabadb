import { PoisonRecordError } from '../errors';
import { ENVELOPE_LIMITS, ID_PATTERN, type EventEnvelope } from './EventEnvelope';
import { EVENT_TIME_RANGE } from './parseEventTime';
import { base64Text } from './base64Text';

/**
 * Decodes a Kinesis record's base64 data into the envelope the ingest function
 * wrote. Anything else on the stream (a foreign producer, a corrupted record)
 * is a PoisonRecordError: it can never succeed, however often it is retried.
 */
export function decodeEnvelope(base64Data: string, sequenceNumber: string): EventEnvelope {
  return envelopeOf(base64Text(base64Data), sequenceNumber, undefined);
}

/**
 * The same, with the record's JSON text, which the stores keep as it is (the
 * producer's own digits). Besides the envelope's shape, the limits every store
 * relies on are checked here too, for records that did not come through the
 * ingest API: an id, type or key the API would refuse cannot be stored.
 */
export function decodeEnvelopeJson(base64Data: string, sequenceNumber: string): { event: EventEnvelope; json: string } {
  return decodeEnvelopeText(base64Text(base64Data), sequenceNumber);
}

/**
 * The same from the record's text: a user record of a KPL aggregated record
 * (issue 15) is bytes already. `subSequence` names it in the error.
 */
export function decodeEnvelopeText(json: string, sequenceNumber: string, subSequence?: number): { event: EventEnvelope; json: string } {
  return { event: envelopeOf(json, sequenceNumber, subSequence), json };
}

/** The envelope `json` holds, checked; no wrapper object, as the hot path decodes every record through here. */
function envelopeOf(json: string, sequenceNumber: string, subSequence: number | undefined): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PoisonRecordError(sequenceNumber, 'data is not base64-encoded JSON', subSequence);
  }
  if (typeof value !== 'object' || value === null) throw new PoisonRecordError(sequenceNumber, 'data is not a JSON object', subSequence);
  const envelope = value as Record<string, unknown>;
  if (typeof envelope.id !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string id', subSequence);
  if (typeof envelope.type !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string type', subSequence);
  if (typeof envelope.key !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string key', subSequence);
  if (typeof envelope.time !== 'number' || !Number.isFinite(envelope.time)) {
    throw new PoisonRecordError(sequenceNumber, 'envelope time is not epoch milliseconds', subSequence);
  }
  if (typeof envelope.data !== 'object' || envelope.data === null || Array.isArray(envelope.data)) {
    throw new PoisonRecordError(sequenceNumber, 'envelope data is not an object', subSequence);
  }
  if (envelope.id.length === 0 || envelope.id.length > ENVELOPE_LIMITS.maxIdLength || !ID_PATTERN.test(envelope.id)) {
    throw new PoisonRecordError(sequenceNumber, `envelope id is not 1-${ENVELOPE_LIMITS.maxIdLength} characters of A-Z a-z 0-9 . _ : -`, subSequence);
  }
  if (envelope.type.length === 0 || envelope.type.length > ENVELOPE_LIMITS.maxTypeLength) {
    throw new PoisonRecordError(sequenceNumber, `envelope type is not 1-${ENVELOPE_LIMITS.maxTypeLength} characters`, subSequence);
  }
  if (envelope.key.length === 0 || envelope.key.length > ENVELOPE_LIMITS.maxKeyLength) {
    throw new PoisonRecordError(sequenceNumber, `envelope key is not 1-${ENVELOPE_LIMITS.maxKeyLength} characters`, subSequence);
  }
  if (!Number.isInteger(envelope.time) || (envelope.time as number) < 0 || (envelope.time as number) >= EVENT_TIME_RANGE.endMs) {
    throw new PoisonRecordError(sequenceNumber, 'envelope time is not whole epoch milliseconds before 2100', subSequence);
  }
  return value as EventEnvelope;
}
