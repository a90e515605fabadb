import { describe, expect, it } from 'vitest';
import { newEventId } from '../../../core/envelope/newEventId';

describe('Function: newEventId', () => {
  it('makes 26-character Crockford base32 ids', () => {
    expect(newEventId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts ids by the millisecond they were made in', () => {
    const earlier = newEventId(1_000_000);
    const later = newEventId(2_000_000);
    expect(earlier < later).toBe(true);
  });

  it('stays unique and increasing within one millisecond', () => {
    const ids = Array.from({ length: 1_000 }, () => newEventId(5_000_000));
    expect(new Set(ids).size).toBe(1_000);
    expect([...ids].sort()).toEqual(ids);
  });
});
