import { RequestError } from '../errors';

/** Where a paginated events read stopped: the last sort key returned, and for by-type reads its hour bucket. */
export interface EventCursor {
  /** What the cursor was issued for, so it cannot be replayed against another query. */
  readonly query: string;
  readonly lastSortKey: string;
  readonly bucketStartMs?: number;
}

/** Opaque to clients: base64url JSON. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Reads a cursor from a client; a 400 naming the problem when it is not one we issued for this query. */
export function decodeCursor(text: string, query: string): EventCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new RequestError(400, 'Query parameter "cursor" is not a cursor this API issued (pass back the "cursor" of the previous page unchanged)');
  }
  const cursor = value as Partial<EventCursor> | null;
  if (!cursor || typeof cursor.lastSortKey !== 'string' || typeof cursor.query !== 'string' || (cursor.bucketStartMs !== undefined && !Number.isInteger(cursor.bucketStartMs))) {
    throw new RequestError(400, 'Query parameter "cursor" is not a cursor this API issued (pass back the "cursor" of the previous page unchanged)');
  }
  if (cursor.query !== query) {
    throw new RequestError(400, 'Query parameter "cursor" belongs to a different query (key, type, from and to must stay the same across pages)');
  }
  return cursor as EventCursor;
}
