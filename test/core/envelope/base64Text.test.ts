import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Text } from '../../../core/envelope/base64Text';

/** What the function must equal for every input: Node's own lenient decode. */
const reference = (data: string): string => Buffer.from(data, 'base64').toString('utf8');

describe('Function: base64Text', () => {
  it('reads the base64 of any bytes as Buffer does: ASCII, multi-byte UTF-8, invalid UTF-8, any length', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 100 }).map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
      fc.string({ maxLength: 200 }).map((text) => new Uint8Array(Buffer.from(text, 'latin1'))),
    );
    fc.assert(
      fc.property(bytes, (data) => {
        const base64 = Buffer.from(data).toString('base64');
        expect(base64Text(base64)).toBe(reference(base64));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads malformed base64 as Buffer does: whitespace, base64url, no or stray padding, foreign characters', () => {
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', '=', '-', '_', ' ', '\n', '\t', '.', '%', 'é', '\u0000'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 80 }), (characters) => {
        const data = characters.join('');
        expect(base64Text(data)).toBe(reference(data));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads a record larger than its scratch buffer, ASCII and not', () => {
    for (const text of [`{"a":"${'x'.repeat(100_000)}"}`, `{"a":"${'é'.repeat(50_000)}"}`]) {
      const base64 = Buffer.from(text, 'utf8').toString('base64');
      expect(base64Text(base64)).toBe(text);
    }
  });
});
