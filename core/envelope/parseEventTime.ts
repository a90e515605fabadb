/**
 * ISO-8601 date-time with a mandatory offset: `2026-01-02T03:04:05Z`,
 * `2026-01-02T03:04:05.123+01:00`. A zone-less time would be read in the
 * function's local zone, silently shifting windows, so it is refused.
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** A span of accepted times, half-open: [minMs, endMs). */
export interface TimeRange {
  readonly minMs: number;
  readonly endMs: number;
  /** How the range reads in messages: `from 2000-01-01 to 2100-01-01 (exclusive)`. */
  readonly label: string;
}

/**
 * Event times the pipeline accepts: 2000-01-01T00:00:00Z up to, not including,
 * 2100-01-01T00:00:00Z. The lower bound makes an epoch-*seconds* value
 * (1.7e9) impossible to mistake for milliseconds (January 1970), and the upper
 * one keeps every window end and sort key well inside what is stored and read.
 */
export const EVENT_TIME_RANGE: TimeRange = {
  minMs: Date.UTC(2000, 0, 1),
  endMs: Date.UTC(2100, 0, 1),
  label: 'from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z',
};

/** Times a query may name (`from`, `to`): any instant from the epoch to the end of event times. */
export const QUERY_TIME_RANGE: TimeRange = {
  minMs: 0,
  endMs: EVENT_TIME_RANGE.endMs,
  label: 'from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z',
};

export type ParsedTime = { ok: true; epochMs: number } | { ok: false; reason: string };

/**
 * Parses an event time (ISO-8601 with offset, or epoch milliseconds) to epoch
 * ms, or explains why not: impossible calendar dates (30 February), times
 * outside `range`, and numbers that can only be epoch seconds are refused.
 */
export function parseEventTime(value: unknown, range: TimeRange = EVENT_TIME_RANGE): ParsedTime {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, reason: 'must be whole epoch milliseconds' };
    if (value >= range.minMs && value < range.endMs) return { ok: true, epochMs: value };
    if (value * 1000 >= EVENT_TIME_RANGE.minMs && value * 1000 < EVENT_TIME_RANGE.endMs) {
      return { ok: false, reason: `looks like epoch seconds (${new Date(value * 1000).toISOString()}); send epoch milliseconds (${value * 1000})` };
    }
    return { ok: false, reason: `must be epoch milliseconds ${range.label}` };
  }
  if (typeof value === 'string') {
    const match = ISO_8601.exec(value);
    if (!match) {
      return { ok: false, reason: 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds' };
    }
    const [year, month, day, hour, minute, second = '0', sign, offsetHours, offsetMinutes] = match.slice(1);
    const epochMs = Date.parse(value);
    // Date.parse rolls 2026-02-30 over to 2 March: check the fields it was given.
    const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    const validDate = calendar.getUTCFullYear() === Number(year) && calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day);
    const validTime = Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
    const validOffset = sign === undefined || (Number(offsetHours) <= 23 && Number(offsetMinutes) <= 59);
    if (Number.isNaN(epochMs) || !validDate || !validTime || !validOffset) return { ok: false, reason: `is not a valid date-time: ${value}` };
    if (epochMs < range.minMs || epochMs >= range.endMs) return { ok: false, reason: `must be ${range.label}` };
    return { ok: true, epochMs };
  }
  return { ok: false, reason: 'must be an ISO-8601 string or epoch milliseconds' };
}
