import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelopeJson } from '../../../core/envelope/decodeEnvelope';
import { PoisonRecordError } from '../../../core/errors';

const envelope = (data: Record<string, unknown>) => ({ id: 'e-1', type: 'order.created', key: 'c1', time: Date.UTC(2026, 0, 1), data, receivedAt: Date.UTC(2026, 0, 1) + 20 });
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** The text read, or the refusal's message. */
function outcome(record: string): { json: string } | { refused: string } {
  try {
    return { json: decodeEnvelopeJson(record, '1').json };
  } catch (error) {
    if (!(error instanceof PoisonRecordError)) throw error;
    return { refused: error.message };
  }
}

describe('Function: decodeEnvelopeJson', () => {
  it('reads the record text exactly as Buffer.from(data, "base64") does, for any base64-ish input', () => {
    // The decode goes through one reused buffer; whitespace, padding in odd places,
    // URL-safe and invalid characters must give Buffer.from's text, or its error.
    const noise = fc.array(fc.constantFrom('A', 'z', '9', '+', '/', '-', '_', '=', ' ', '\n', 'é', '\u{1F600}'), { maxLength: 12 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }))), noise, fc.nat(400), (data, junk, at) => {
        const clean = base64(envelope(data));
        const cut = at % (clean.length + 1);
        const record = clean.slice(0, cut) + junk + clean.slice(cut);
        const expected = Buffer.from(record, 'base64').toString('utf8');
        // The same text in plain base64: the record must decode exactly as that text does.
        expect(outcome(record)).toEqual(outcome(Buffer.from(expected, 'utf8').toString('base64')));
        const decoded = outcome(record);
        if ('json' in decoded) expect(decoded.json).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('decodes a record larger than the reused buffer (64 KiB) and a small one after it', () => {
    const large = envelope({ text: 'x'.repeat(100_000) });
    const small = envelope({ amount: 1 });
    expect(decodeEnvelopeJson(base64(large), '1').event).toEqual(large);
    expect(decodeEnvelopeJson(base64(small), '2').event).toEqual(small);
  });
});
