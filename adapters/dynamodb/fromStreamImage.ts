import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DOCUMENT_TRANSLATION } from './documentTranslation';

/**
 * A DynamoDB stream image, as a Lambda event carries it, as the item a
 * document client would read. The event is JSON, so binary values (`B`,
 * `BS`) come as base64 text: they become bytes again here, where a reader that
 * merges a window's partials decodes the sketches they hold.
 */
export function fromStreamImage(image: Record<string, unknown>): Record<string, unknown> {
  const typed: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(image)) typed[name] = withBytes(value as AttributeValue);
  return unmarshall(typed, DOCUMENT_TRANSLATION.unmarshallOptions);
}

function withBytes(value: AttributeValue): AttributeValue {
  // Typed as bytes by the SDK; text in a Lambda event.
  const binary = (value as { B?: unknown }).B;
  if (typeof binary === 'string') return { B: Buffer.from(binary, 'base64') };
  const binarySet = (value as { BS?: unknown[] }).BS;
  if (Array.isArray(binarySet)) return { BS: binarySet.map((bytes) => (typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : (bytes as Uint8Array))) };
  if (value.M) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, withBytes(v)])) };
  if (value.L) return { L: value.L.map(withBytes) };
  return value;
}
