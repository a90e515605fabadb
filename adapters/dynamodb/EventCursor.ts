import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestError } from '../../core/errors';

/** Where a paginated events read stopped: the last sort key returned, and for by-type reads its hour bucket. */
export interface EventCursor {
  /** What the cursor was issued for, so it cannot be replayed against another query. */
  readonly query: string;
  readonly lastSortKey: string;
  readonly bucketStartMs?: number;
}

/** Bytes of HMAC-SHA256 kept in a cursor: enough that guessing one is hopeless. */
const SIGNATURE_BYTES = 16;
/** Longer texts are not cursors we issue (a query identity holds a 256-character key). */
const MAX_CURSOR_CHARS = 4_096;

const NOT_OURS = 'Query parameter "cursor" is not a cursor this API issued (pass back the "cursor" of the previous page unchanged)';

/**
 * Opaque to clients: base64url of the JSON, a dot, and an HMAC of it. The
 * signature makes a modified or forged cursor a 400 before any read: a cursor
 * is an exclusive start key, and DynamoDB answers a crafted one with a
 * ValidationException (a 500) rather than an empty page.
 */
export function encodeCursor(cursor: EventCursor, signingKey: string): string {
  const body = Buffer.from(JSON.stringify(cursor)).toString('base64url');
  return `${body}.${sign(body, signingKey)}`;
}

/** Reads a cursor from a client; a 400 naming the problem when it is not one we issued for this query. */
export function decodeCursor(text: string, query: string, signingKey: string): EventCursor {
  const dot = text.indexOf('.');
  if (text.length > MAX_CURSOR_CHARS || dot < 0) throw new RequestError(400, NOT_OURS);
  const body = text.slice(0, dot);
  const expected = Buffer.from(sign(body, signingKey));
  const given = Buffer.from(text.slice(dot + 1));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new RequestError(400, NOT_OURS);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new RequestError(400, NOT_OURS);
  }
  const cursor = value as Partial<EventCursor> | null;
  if (!cursor || typeof cursor.lastSortKey !== 'string' || typeof cursor.query !== 'string' || (cursor.bucketStartMs !== undefined && !Number.isInteger(cursor.bucketStartMs))) {
    throw new RequestError(400, NOT_OURS);
  }
  if (cursor.query !== query) {
    throw new RequestError(400, 'Query parameter "cursor" belongs to a different query (key, type, from and to must stay the same across pages)');
  }
  return cursor as EventCursor;
}

/** The refusal for a cursor whose contents do not fit its query (signed, yet not ours: a leaked key). */
export function cursorNotOurs(): RequestError {
  return new RequestError(400, NOT_OURS);
}

function sign(body: string, signingKey: string): string {
  return createHmac('sha256', signingKey).update(body).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');
}
