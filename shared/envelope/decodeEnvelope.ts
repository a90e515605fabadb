import { PoisonRecordError } from '../errors';
import type { EventEnvelope } from './EventEnvelope';

/**
 * Decodes a Kinesis record's base64 data into the envelope the ingest function
 * wrote. Anything else on the stream (a foreign producer, a corrupted record)
 * is a PoisonRecordError: it can never succeed, however often it is retried.
 */
export function decodeEnvelope(base64Data: string, sequenceNumber: string): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(base64Data, 'base64').toString('utf8'));
  } catch {
    throw new PoisonRecordError(sequenceNumber, 'data is not base64-encoded JSON');
  }
  if (typeof value !== 'object' || value === null) throw new PoisonRecordError(sequenceNumber, 'data is not a JSON object');
  const envelope = value as Record<string, unknown>;
  if (typeof envelope.id !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string id');
  if (typeof envelope.type !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string type');
  if (typeof envelope.key !== 'string') throw new PoisonRecordError(sequenceNumber, 'envelope has no string key');
  if (typeof envelope.time !== 'number' || !Number.isFinite(envelope.time)) {
    throw new PoisonRecordError(sequenceNumber, 'envelope time is not epoch milliseconds');
  }
  if (typeof envelope.data !== 'object' || envelope.data === null || Array.isArray(envelope.data)) {
    throw new PoisonRecordError(sequenceNumber, 'envelope data is not an object');
  }
  return value as EventEnvelope;
}
