import { describe, expect, it } from 'vitest';
import { decodeLeniently } from '../../../core/http/decodeLeniently';

describe('decodeLeniently', () => {
  it('decodes valid escapes as decodeURIComponent does', () => {
    expect(decodeLeniently('eu%2Dwest%20%C3%A9')).toBe('eu-west é');
  });

  it('keeps invalid escapes and a lone % as written, decoding the valid ones around them', () => {
    expect(decodeLeniently('%ZZ%41%')).toBe('%ZZA%');
  });

  it('turns bytes that are not UTF-8 into U+FFFD and keeps non-ASCII characters sent raw', () => {
    expect(decodeLeniently('%FF%41')).toBe('\uFFFDA');
    expect(decodeLeniently('😀%ZZ')).toBe('😀%ZZ');
  });
});
