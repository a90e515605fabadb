/**
 * An item's size as DynamoDB counts it against its 400 KB limit and bills it
 * (read and write units), estimated from the document-client form of the item:
 * for every top-level attribute, the UTF-8 bytes of its name plus its value's.
 * Values: a string its UTF-8 bytes, binary its length, a number 1 byte per two
 * significant digits plus 1, a boolean or null 1, a map or list 3 bytes plus
 * 1 per element plus the elements (a map's keys counted like names), a set its
 * elements. DynamoDB documents the number rule as approximate, so this is an
 * estimate within a few bytes per number; its callers keep a margin (see
 * `WINDOW_ITEM_BUDGET`).
 */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += attributeBytes(name, value);
  return bytes;
}

/** One top-level attribute's size: its name's UTF-8 bytes plus its value's (`itemBytes` for the rules). */
export function attributeBytes(name: string, value: unknown): number {
  // The document client drops undefined attributes (removeUndefinedValues): they are not stored.
  return value === undefined ? 0 : Buffer.byteLength(name) + valueBytes(value);
}

/** Overhead of a map or list, whatever it holds. */
const CONTAINER_BYTES = 3;

function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let bytes = 0;
    for (const element of value) bytes += valueBytes(element);
    return bytes;
  }
  if (Array.isArray(value)) {
    let bytes = CONTAINER_BYTES;
    for (const element of value) bytes += 1 + valueBytes(element);
    return bytes;
  }
  if (typeof value === 'object') {
    let bytes = CONTAINER_BYTES;
    for (const [key, element] of Object.entries(value as Record<string, unknown>)) if (element !== undefined) bytes += 1 + Buffer.byteLength(key) + valueBytes(element);
    return bytes;
  }
  return Buffer.byteLength(String(value));
}

/** 1 byte per two significant digits (leading and trailing zeros trimmed), plus 1. */
function numberBytes(value: number | bigint): number {
  const mantissa = typeof value === 'bigint' ? value.toString() : value.toExponential().split('e')[0]!;
  const digits = mantissa.replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
