import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkEventData } from '../../../core/envelope/checkEventData';
import { eventDataTexts } from '../../../core/envelope/eventDataTexts';
import { envelopeJson } from '../../../core/envelope/envelopeJson';

describe('Function: eventDataTexts', () => {
  it("keeps the producer's digits, which JSON.parse would round to a double", () => {
    const body = '{"type":"t","data": {"ns": 12345678901234567890, "tiny": 1e-400, "pi": 3.14159265358979323846264338327950288}}';
    expect(eventDataTexts(body, false)).toEqual(['{"ns":12345678901234567890,"tiny":1e-400,"pi":3.14159265358979323846264338327950288}']);
  });

  it('finds each event of a batch, with escaped names, strings full of delimiters, and the last of duplicate names', () => {
    const body = '{"events":[ {"d\\u0061ta":{"s":"a\\"}], {\\\\"}}, {"data":{"x":1},"data":{"x":2}}, {"type":"no data"}, {"key":"k","data":{"data":{"deep":[1,{"a":null}]}}} ]}';
    expect(eventDataTexts(body, true)).toEqual(['{"s":"a\\"}], {\\\\"}', '{"x":2}', undefined, '{"data":{"deep":[1,{"a":null}]}}']);
  });

  it('takes the events of the last "events" name, as JSON.parse does', () => {
    expect(eventDataTexts('{"events":[{"data":{"a":1}},{"data":{"b":2}}],"events":[{"data":{"c":3}}]}', true)).toEqual(['{"c":3}']);
  });

  it('scans nesting far deeper than the stack would allow a recursive parser', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(eventDataTexts(`{"data":{"a":${deep}}}`, false)[0]).toHaveLength(deep.length + 6);
  });

  it('gives, for any JSON object, a text that parses to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { minLength: 1, maxLength: 4 }), (value, datas) => {
        const body = JSON.stringify({ events: datas.map((data) => ({ type: 't', data, other: value })) }, null, 2);
        const texts = eventDataTexts(body, true);
        expect(texts.map((text) => JSON.parse(text!))).toEqual(JSON.parse(body).events.map((event: { data: unknown }) => event.data));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });
});

describe('Function: checkEventData', () => {
  it.each([
    [{ n: Infinity }, 'data.n', 'is beyond the range of a double (about ±1.8e308)'],
    [{ n: -1e101 }, 'data.n', 'must be at most 1e+100 in magnitude (got -1e+101)'],
    [{ items: [{ price: 1e-101 }] }, 'data.items[0].price', 'must be 0 or at least 1e-100 in magnitude (got 1e-101)'],
    [{ 'odd name': 1e200 }, 'data["odd name"]', 'must be at most 1e+100 in magnitude (got 1e+200)'],
  ])('refuses %j naming %s', (data, field, message) => {
    expect(checkEventData(data, 'data')).toEqual([{ field, message }]);
  });

  it('refuses nesting beyond 32 levels, and takes 32', () => {
    const nest = (levels: number): Record<string, unknown> => (levels === 1 ? {} : { a: nest(levels - 1) });
    expect(checkEventData(nest(32), 'data')).toEqual([]);
    expect(checkEventData(nest(33), 'data')).toEqual([{ field: `data${'.a'.repeat(32)}`, message: 'nests deeper than 32 levels (counting data itself as 1)' }]);
  });

  it('takes what a DynamoDB map could not hold: 2^53+ integers, empty and prototype names', () => {
    const data = JSON.parse('{"ns":12345678901234567890,"":1,"__proto__":{"constructor":{"toString":0}},"zero":-0}');
    expect(checkEventData(data, 'data')).toEqual([]);
  });
});

describe('Function: envelopeJson', () => {
  it('splices the producer text of data into the record', () => {
    const envelope = { id: 'e1', type: 't', key: 'k', time: 1, receivedAt: 2, data: { ns: 12345678901234567000 } };
    expect(envelopeJson(envelope, '{"ns":12345678901234567890}')).toBe('{"id":"e1","type":"t","key":"k","time":1,"receivedAt":2,"data":{"ns":12345678901234567890}}');
    expect(JSON.parse(envelopeJson(envelope))).toEqual(envelope);
  });
});
