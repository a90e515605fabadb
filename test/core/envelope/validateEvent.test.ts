import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../../core/envelope/parseEventTime';
import { validateEvent } from '../../../core/envelope/validateEvent';

describe('Function: validateEvent', () => {
  it('accepts a complete event and normalises an ISO time to epoch ms', () => {
    // Act
    const result = validateEvent({ type: 'order.created', key: 'c1', time: '2026-01-01T00:00:01.5+01:00', data: { a: 1 } }, '');

    // Assess
    expect(result).toEqual({ ok: true, envelope: { type: 'order.created', key: 'c1', time: Date.UTC(2025, 11, 31, 23, 0, 1, 500), data: { a: 1 } } });
  });

  it('keeps a producer id', () => {
    const result = validateEvent({ id: 'order-42:v1', type: 't', key: 'k', time: 1_767_225_600_000, data: {} }, '');
    expect(result).toEqual({ ok: true, envelope: { id: 'order-42:v1', type: 't', key: 'k', time: 1_767_225_600_000, data: {} } });
  });

  it('reports every problem with the field it belongs to', () => {
    // Act
    const result = validateEvent({ type: 7, time: '2026-01-01 10:00', data: [1], region: 'eu' }, 'events[3]');

    // Assess
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'events[3].region', message: 'is not an envelope field (allowed: id, type, key, time, data); put payload fields inside data' },
        { field: 'events[3].type', message: 'must be a string' },
        { field: 'events[3].key', message: 'is required' },
        { field: 'events[3].time', message: 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds' },
        { field: 'events[3].data', message: 'must be a JSON object' },
      ],
    });
  });

  it('rejects a key longer than the 256 characters Kinesis allows', () => {
    const result = validateEvent({ type: 't', key: 'k'.repeat(257), time: 1_767_225_600_000, data: {} }, '');
    expect(result).toEqual({ ok: false, errors: [{ field: 'key', message: 'must be at most 256 characters (got 257)' }] });
  });

  it('rejects an id with characters outside the safe set', () => {
    const result = validateEvent({ id: 'a b', type: 't', key: 'k', time: 1_767_225_600_000, data: {} }, '');
    expect(result).toEqual({ ok: false, errors: [{ field: 'id', message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' }] });
  });

  it('rejects something that is not an object', () => {
    expect(validateEvent('hello', 'events[0]')).toEqual({
      ok: false,
      errors: [{ field: 'events[0]', message: 'must be a JSON object with type, key, time and data' }],
    });
  });
});

describe('Function: parseEventTime', () => {
  it.each([
    [1_700_000_000_000, 1_700_000_000_000],
    ['2026-03-04T05:06:07Z', Date.UTC(2026, 2, 4, 5, 6, 7)],
    ['2026-03-04T05:06Z', Date.UTC(2026, 2, 4, 5, 6)],
    ['2026-03-04T05:06:07.123456-02:30', Date.UTC(2026, 2, 4, 7, 36, 7, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2099-12-31T23:59:59.999Z', Date.UTC(2100, 0, 1) - 1],
    [Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 1)],
  ])('parses %s', (input, expected) => {
    expect(parseEventTime(input)).toEqual({ ok: true, epochMs: expected });
  });

  it.each([
    [1.5, 'must be whole epoch milliseconds'],
    [-1, 'must be epoch milliseconds from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    [0, 'must be epoch milliseconds from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    [1_767_225_600, 'looks like epoch seconds (2026-01-01T00:00:00.000Z); send epoch milliseconds (1767225600000)'],
    [Date.UTC(2100, 0, 1), 'must be epoch milliseconds from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    [Date.UTC(2999, 11, 31), 'must be epoch milliseconds from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    ['2026-02-30T00:00:00Z', 'is not a valid date-time: 2026-02-30T00:00:00Z'],
    ['2025-02-29T00:00:00Z', 'is not a valid date-time: 2025-02-29T00:00:00Z'],
    ['2026-03-04T24:00:00Z', 'is not a valid date-time: 2026-03-04T24:00:00Z'],
    ['2026-03-04T05:06:07+24:00', 'is not a valid date-time: 2026-03-04T05:06:07+24:00'],
    ['3000-01-01T00:00:00Z', 'must be from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    ['1999-12-31T23:59:59.999Z', 'must be from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z'],
    ['2026-03-04T05:06:07', 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds'],
    ['2026-13-45T05:06:07Z', 'is not a valid date-time: 2026-13-45T05:06:07Z'],
    [true, 'must be an ISO-8601 string or epoch milliseconds'],
  ])('refuses %s', (input, reason) => {
    expect(parseEventTime(input)).toEqual({ ok: false, reason });
  });
});
