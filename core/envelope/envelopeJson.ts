import type { EventEnvelope } from './EventEnvelope';

/**
 * The stream record of an envelope: its JSON, with `data` spliced in as the
 * producer's own text when given (see eventDataTexts), so numbers beyond a
 * double's precision keep their digits in every store that keeps the record.
 */
export function envelopeJson(envelope: EventEnvelope, dataText?: string): string {
  const head = `{"id":${JSON.stringify(envelope.id)},"type":${JSON.stringify(envelope.type)},"key":${JSON.stringify(envelope.key)},"time":${envelope.time},"receivedAt":${envelope.receivedAt}`;
  return `${head},"data":${dataText ?? JSON.stringify(envelope.data)}}`;
}
