import { describe, expect, it } from 'vitest';
import { parseIngestBody } from '../../../core/envelope/parseIngestBody';
import { RequestError } from '../../../core/errors';

const failure = (body: string | null): { status: number; message: string } => {
  try {
    parseIngestBody(body);
  } catch (error) {
    if (error instanceof RequestError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error('expected a RequestError');
};

describe('Function: parseIngestBody', () => {
  it('takes a single event as a batch of one', () => {
    expect(parseIngestBody('{"type":"t"}')).toEqual({ events: [{ type: 't' }], batch: false, dataTexts: [] });
  });

  it('takes an events array', () => {
    expect(parseIngestBody('{"events":[{"type":"a"},{"type":"b"}]}')).toEqual({ events: [{ type: 'a' }, { type: 'b' }], batch: true, dataTexts: [] });
  });

  it('decodes a base64 body', () => {
    expect(parseIngestBody(Buffer.from('{"type":"t","data":{"n": 1}}').toString('base64'), true)).toEqual({ events: [{ type: 't', data: { n: 1 } }], batch: false, dataTexts: ['{"n":1}'] });
  });

  it.each([
    [null, 400, 'Request body is empty: send one event or {"events": [...]}'],
    ['[1,2]', 400, 'Request body must be a JSON object: one event or {"events": [...]}'],
    ['{"events":{}}', 400, '"events" must be an array of events'],
    ['{"events":[]}', 400, '"events" must hold at least one event'],
    ['{"events":[],"extra":1}', 400, 'A batch body holds only "events"; unexpected field(s): extra'],
  ])('refuses %s', (body, status, message) => {
    expect(failure(body)).toEqual({ status, message });
  });

  it('names the JSON syntax error', () => {
    expect(failure('{"type":')).toEqual({ status: 400, message: expect.stringMatching(/^Request body is not valid JSON: /) });
  });

  it('refuses more than 500 events with 413', () => {
    const body = JSON.stringify({ events: Array.from({ length: 501 }, () => ({})) });
    expect(failure(body)).toEqual({ status: 413, message: '"events" holds 501 events; at most 500 per request' });
  });
});
