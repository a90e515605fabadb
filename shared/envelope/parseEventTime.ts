/**
 * ISO-8601 date-time with a mandatory offset: `2026-01-02T03:04:05Z`,
 * `2026-01-02T03:04:05.123+01:00`. A zone-less time would be read in the
 * function's local zone, silently shifting windows, so it is refused.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Earliest and latest event time accepted: years 1970..2999 keep arithmetic exact. */
const MIN_EPOCH_MS = 0;
const MAX_EPOCH_MS = 32_503_680_000_000;

/** Parses an event time (ISO-8601 with offset, or epoch milliseconds) to epoch ms, or explains why not. */
export function parseEventTime(value: unknown): { ok: true; epochMs: number } | { ok: false; reason: string } {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, reason: 'must be whole epoch milliseconds' };
    if (value < MIN_EPOCH_MS || value > MAX_EPOCH_MS) {
      return { ok: false, reason: 'must be epoch milliseconds between 1970 and 2999' };
    }
    return { ok: true, epochMs: value };
  }
  if (typeof value === 'string') {
    if (!ISO_8601.test(value)) {
      return { ok: false, reason: 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds' };
    }
    const epochMs = Date.parse(value);
    if (Number.isNaN(epochMs)) return { ok: false, reason: `is not a valid date-time: ${value}` };
    if (epochMs < MIN_EPOCH_MS || epochMs > MAX_EPOCH_MS) {
      return { ok: false, reason: 'must be between 1970 and 2999' };
    }
    return { ok: true, epochMs };
  }
  return { ok: false, reason: 'must be an ISO-8601 string or epoch milliseconds' };
}
