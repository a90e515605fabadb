import fc from 'fast-check';
import { httpRequest, type RawRequest } from './rawRequest';

/** One event as a fuzz body carried it: its fields as sent, and `data` as the exact JSON text sent. */
export interface SentEvent {
  readonly fields: Record<string, unknown>;
  readonly dataText: string | undefined;
}

/**
 * How a case authenticates: `signed` as the local identity its route needs
 * (signed when sent, so the date is fresh); the others must be refused with
 * 403 before any function runs: no Authorization at all, a signature with
 * one character changed, a signature dated an hour ago, or an Authorization
 * header that is no SigV4 header.
 */
export type FuzzAuth = 'signed' | 'unsigned' | 'bad-signature' | 'stale-signature' | 'garbage-authorization';

/** One generated request: an ingest POST (with the events it carried, by index) or anything else a client may send. */
export type FuzzCase =
  | { readonly kind: 'ingest'; readonly label: string; readonly request: RawRequest; readonly events: readonly SentEvent[]; readonly auth: FuzzAuth }
  | { readonly kind: 'other'; readonly label: string; readonly request: RawRequest; readonly auth: FuzzAuth };

/** Authorization headers that are not SigV4 headers a server could verify: each must be a 403, never a 5xx. */
export const GARBAGE_AUTHORIZATIONS = [
  'AWS4-HMAC-SHA256',
  'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000',
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/../../etc/passwd, SignedHeaders=host, Signature=zz',
  'AWS4-HMAC-SHA256 Credential=%00/%00, SignedHeaders=;;;, Signature=%%%',
  'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc',
  'Bearer eyJhbGciOiJub25lIn0.e30.',
  'Basic dXNlcjpwYXNz',
  `AWS4-HMAC-SHA256 Credential=${'A'.repeat(6_000)}/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=ab`,
  '   ',
] as const;

/** What the generators need to know about the running pipeline and the moment. */
export interface FuzzContext {
  readonly stage: string;
  readonly nowMs: number;
  /** The pipeline's metric names, for metric reads. */
  readonly metrics: readonly string[];
  /** A unique prefix for producer ids, so runs never collide. */
  readonly runId: string;
}

const TYPES = ['order.created', 'order.created', 'order.created', 'page.viewed', 'checkout.completed', 'checkout.failed'] as const;
const ODD_NAMES = ['', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'a.b', '$', '🙂', '\u0000', 'region '] as const;
/** Numbers the API takes though a double or a DynamoDB number could not hold them as written. */
const HOSTILE_NUMBERS = ['12345678901234567890', '-9007199254740993', '1700000000000000000', '1e16', '1e100', '-1e100', '1e-100', '0.1000000000000000000001', '123456789012345678901234567890.5', '-0', '0e0', '1E5', '1e-400'] as const;
/** Numbers it refuses: beyond a double, or beyond what an aggregate can be stored as. */
const REFUSED_NUMBERS = ['1e101', '1e400', '-1e400', '1e-101', '1e-200', '5e-324', '1.7976931348623157e308'] as const;

/** A JSON number as text, from the plain to the hostile. */
const numberText = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 }).filter((n) => n === 0 || Math.abs(n) >= 1e-100).map((n) => JSON.stringify(n)) },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(...REFUSED_NUMBERS) },
);

/** A JSON string as text: ASCII, full Unicode, escapes, unpaired surrogates, the long. */
const stringText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.constantFrom('"\\ud800"', '"a\\udc00b"', '"\\u0000"', '"漢字"', '"\\"}]"', '"\\\\"', '"line\\nbreak"') },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 5_000 }).map((n) => JSON.stringify('r'.repeat(n))) },
);

const nameText = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 2, arbitrary: fc.constantFrom(...ODD_NAMES) }).map((s) => JSON.stringify(s));

/** Any JSON value as text, nested a few levels. */
const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText,
    stringText,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(nameText, tie('value')), { maxLength: 4 }).map((members) => `{${members.map(([n, v]) => `${n}:${v}`).join(',')}}`),
  ),
})).value;

/** `{"a":{"a":…}}` this many levels deep, counting the outer object. */
const nested = (levels: number): string => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;

/** The `data` of one event, as JSON text: fields the metrics read (sometimes hostile), plus odd extras. */
function dataText(): fc.Arbitrary<string | undefined> {
  const region = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('"eu-west"', '"us-east"', '"ap-south"') }, { weight: 2, arbitrary: stringText }, { weight: 1, arbitrary: numberText });
  const amount = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 500 }).map(String) }, { weight: 3, arbitrary: numberText }, { weight: 1, arbitrary: stringText });
  const known = fc.record({
    region: fc.option(region, { freq: 8 }),
    amount: fc.option(amount, { freq: 8 }),
    page: fc.option(fc.constantFrom('"/"', '"/cart"', '"/p/1"'), { freq: 2 }),
    latencyMs: fc.option(amount, { freq: 2 }),
  });
  const extras = fc.array(fc.tuple(nameText, valueText), { maxLength: 3 });
  const object = fc.tuple(known, extras).map(([fields, more]) => {
    const members = Object.entries(fields)
      .filter(([, text]) => text !== null)
      .map(([name, text]) => `"${name}":${text}`);
    members.push(...more.map(([n, v]) => `${n}:${v}`));
    return `{${members.join(', ')}}`;
  });
  return fc.oneof(
    { weight: 40, arbitrary: object },
    { weight: 1, arbitrary: fc.integer({ min: 28, max: 36 }).map(nested) },
    { weight: 1, arbitrary: fc.constantFrom('[]', '"text"', '42', 'null') },
    // Bigger than an event may be, in UTF-8 bytes though not in characters.
    { weight: 1, arbitrary: fc.constantFrom(`{"note":"${'漢'.repeat(90_000)}"}`, `{"note":"${'x'.repeat(200_000)}"}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** The event-time field: mostly now, then the past, the future, seconds, and nonsense. */
function timeValue(nowMs: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: -120_000, max: 20_000 }).map((offset) => nowMs + offset) },
    { weight: 2, arbitrary: fc.integer({ min: -60_000, max: 0 }).map((offset) => new Date(nowMs + offset).toISOString()) },
    { weight: 1, arbitrary: fc.integer({ min: 3_600_000, max: 7_200_000 }).map((back) => nowMs - back) },
    { weight: 1, arbitrary: fc.constantFrom(Date.UTC(2099, 0, 1), Date.UTC(2999, 0, 1), nowMs + 86_400_000, '2099-12-31T23:59:59Z') },
    // biome-ignore lint/correctness/noPrecisionLoss: 1e400 is hostile input on purpose (a number beyond a double; sent as text below)
    { weight: 1, arbitrary: fc.constantFrom(Math.floor(nowMs / 1000), 0, -1, 1.5, 1e400, '2026-02-30T00:00:00Z', '2026-13-45T00:00:00Z', '3000-01-01T00:00:00Z', '2026-01-01 10:00', 'soon', true, null) },
  );
}

function eventArbitrary(context: FuzzContext, ids: { next: number }): fc.Arbitrary<{ text: string; sent: SentEvent }> {
  return fc
    .record({
      type: fc.oneof({ weight: 25, arbitrary: fc.constantFrom(...TYPES) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('\ud800'), fc.integer()) }),
      key: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `customer-${n}`) },
        { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
        { weight: 1, arbitrary: fc.constantFrom('', 'k'.repeat(257), 'k'.repeat(256), '\ud800x', '漢'.repeat(256)) },
      ),
      time: timeValue(context.nowMs),
      withId: fc.boolean(),
      // Now and then a field the envelope does not have (payload belongs in data).
      extra: fc.oneof({ weight: 30, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('region', 'amount', '__proto__') }),
      data: dataText(),
    })
    .map(({ type, key, time, withId, extra, data }) => {
      const fields: Record<string, unknown> = { type, key, time };
      // Producer ids are unique (fast-check's integers favour small values, which would collide): duplicates are the chaos test's subject.
      if (withId) {
        ids.next += 1;
        fields.id = `${context.runId}-${ids.next}`;
      }
      if (extra !== null) fields[extra] = 1;
      // JSON.stringify writes 1e400 (Infinity) as null: a number beyond a double is sent as text.
      // biome-ignore lint/correctness/noPrecisionLoss: compares with the hostile 1e400 above (Infinity) to send its text
      const head = Object.entries(fields).map(([name, value]) => `${JSON.stringify(name)}:${value === 1e400 ? '1e400' : JSON.stringify(value)}`);
      const text = `{${[...head, ...(data !== undefined ? [`"data":${data}`] : [])].join(',')}}`;
      return { text, sent: { fields, dataText: data } };
    });
}

/** An ingest POST: one event or a batch, as a producer or a hostile client sends it. */
function ingestCase(context: FuzzContext, ids: { next: number }): fc.Arbitrary<FuzzCase> {
  const path = `/${context.stage}/events`;
  const single = eventArbitrary(context, ids).map((event) => ({ body: event.text, events: [event.sent] }));
  const batch = fc.array(eventArbitrary(context, ids), { minLength: 1, maxLength: 12 }).map((events) => ({ body: `{"events":[${events.map((e) => e.text).join(',')}]}`, events: events.map((e) => e.sent) }));
  return fc
    .tuple(fc.oneof({ weight: 1, arbitrary: single }, { weight: 2, arbitrary: batch }), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/cloudevents+json'))
    .map(([{ body, events }, contentType]) => ({ kind: 'ingest', label: `POST ${path}`, request: httpRequest('POST', path, { 'content-type': contentType }, body), events, auth: 'signed' }) as FuzzCase);
}

/** Everything else: broken bodies, content types, methods, paths, escapes, cursors, query parameters, aborted uploads, garbage. */
function otherCase(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const stage = `/${context.stage}`;
  const junkBody = fc.oneof(
    fc.constantFrom('', '{', '[1,2]', '{"events":[]}', '{"events":{}}', '{"events":[1],"x":1}', 'null', '"str"', '{"type":'.repeat(50), `{"events":[${Array.from({ length: 501 }, () => '{}').join(',')}]}`),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );
  const post = fc
    .tuple(junkBody, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json;;;'))
    .map(([body, type]) => ({ kind: 'other', label: `POST junk (${type || 'no type'})`, request: httpRequest('POST', `${stage}/events`, type ? { 'content-type': type } : {}, body) }) as FuzzCase);
  const queryValue = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '%ZZ', '%', '0', '-1', '1e400', '99999999999999999999', '2026-02-30T00:00:00Z', 'k'.repeat(3_000), String(context.nowMs)));
  const encode = (value: string) => (value.startsWith('%') ? value : encodeURIComponent(value));
  const metricRead = fc
    .tuple(fc.oneof(fc.constantFrom(...context.metrics), fc.constantFrom('%ZZ', 'nope', '..', '%2e%2e', 'orders-per-region%00')), fc.array(fc.tuple(fc.constantFrom('group', 'from', 'to', 'x'), queryValue), { maxLength: 3 }))
    .map(([name, params]) => {
      const query = params.map(([k, v]) => `${k}=${encode(v)}`).join('&');
      const target = `${stage}/metrics/${name}${query ? `?${query}` : ''}`;
      return { kind: 'other', label: 'GET metrics', request: httpRequest('GET', target) } as FuzzCase;
    });
  const forgedCursor = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(Buffer.from(JSON.stringify({ query: 'key:customer-1:0:1', lastSortKey: '~' })).toString('base64url'), `${Buffer.from(JSON.stringify({ query: 'x', lastSortKey: '' })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`, 'a.b.c', '.'),
  );
  const eventsRead = fc
    .tuple(fc.constantFrom('key', 'type', 'both', 'none'), queryValue, fc.array(fc.tuple(fc.constantFrom('from', 'to', 'limit'), queryValue), { maxLength: 3 }), fc.option(forgedCursor, { freq: 2 }))
    .map(([selector, value, params, cursor]) => {
      const parts: string[] = [];
      if (selector === 'key' || selector === 'both') parts.push(`key=${encode(value)}`);
      if (selector === 'type' || selector === 'both') parts.push(`type=${encode(value)}`);
      parts.push(...params.map(([k, v]) => `${k}=${encode(v)}`));
      if (cursor !== null) parts.push(`cursor=${encodeURIComponent(cursor)}`);
      return { kind: 'other', label: 'GET events', request: httpRequest('GET', `${stage}/events?${parts.join('&')}`) } as FuzzCase;
    });
  const oddPath = fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'get', 'post', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'FOO'),
      fc.constantFrom(`${stage}/../${context.stage}/events`, `${stage}/%2e%2e/events`, `${stage}/events/`, `${stage}//events`, '/', '/v2/events', `${stage}/metrics/%ZZ`, `${stage}/metrics/`, `${stage}/metrics/a/b`, '*', 'http://[::1', `http://127.0.0.1${stage}/events`, `//x:99999${stage}/events`, `${stage}/events?%ZZ=1`, `${stage}/events#frag`),
    )
    .map(([method, target]) => ({ kind: 'other', label: `${method} odd path`, request: httpRequest(method, target, method.toUpperCase() === 'POST' ? { 'content-type': 'application/json' } : {}, method.toUpperCase() === 'POST' ? '{}' : undefined) }) as FuzzCase);
  const aborted = fc.integer({ min: 0, max: 50 }).map(
    (sent) =>
      ({
        kind: 'other',
        label: 'aborted body',
        request: { ...httpRequest('POST', `${stage}/events`, { 'content-type': 'application/json' }, `{"type":"order.created","data":{"pad":"${'x'.repeat(1_000)}"}}`), abortAfterBytes: sent },
      }) as FuzzCase,
  );
  const garbage = fc
    .oneof(
      fc.constantFrom('GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET ${stage}/events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`, `POST ${stage}/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`, `GET ${stage}/events HTTP/1.1\r\n${'X: y\r\n'.repeat(2_000)}\r\n`),
      fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => `${Buffer.from(bytes).toString('latin1')}\r\n\r\n`),
    )
    .map((head) => ({ kind: 'other', label: 'garbage', request: { head } }) as FuzzCase);
  return fc
    .oneof({ weight: 3, arbitrary: post }, { weight: 3, arbitrary: metricRead }, { weight: 3, arbitrary: eventsRead }, { weight: 2, arbitrary: oddPath }, { weight: 1, arbitrary: aborted }, { weight: 1, arbitrary: garbage })
    .map((fuzzCase) => ({ ...fuzzCase, auth: 'signed' }) as FuzzCase);
}

/** A request to a real route that fails authentication, one way or another: an ingest POST (whose events must then not be stored) or a read. */
function unauthenticatedCase(context: FuzzContext, ids: { next: number }): fc.Arbitrary<FuzzCase> {
  const read = fc.constantFrom(`/${context.stage}/metrics/${context.metrics[0]}?group=eu-west`, `/${context.stage}/events?key=customer-1`).map(
    (target) => ({ kind: 'other', label: `GET ${target.split('?')[0]}`, request: httpRequest('GET', target), auth: 'signed' }) as FuzzCase,
  );
  const mode = fc.oneof(
    fc.constantFrom<FuzzAuth>('unsigned', 'bad-signature', 'stale-signature'),
    fc.constantFrom(...GARBAGE_AUTHORIZATIONS).map((authorization) => ({ authorization })),
  );
  return fc.tuple(fc.oneof({ weight: 2, arbitrary: ingestCase(context, ids) }, { weight: 1, arbitrary: read }), mode).map(([fuzzCase, how]) => {
    if (typeof how === 'string') return { ...fuzzCase, label: `${fuzzCase.label} (${how})`, auth: how };
    const message = fuzzCase.request.message!;
    const request = httpRequest(message.method, message.target, { ...message.headers, authorization: how.authorization, 'x-amz-date': 'yesterday' }, message.body);
    return { ...fuzzCase, label: `${fuzzCase.label} (garbage authorization)`, request, auth: 'garbage-authorization' as const };
  });
}

/** `count` requests, the same for the same seed: about 55 % ingest POSTs, about 5 % failing authentication. */
export function fuzzCases(context: FuzzContext, seed: number, count: number): FuzzCase[] {
  const ids = { next: 0 };
  const arbitrary = fc.oneof({ weight: 11, arbitrary: ingestCase(context, ids) }, { weight: 9, arbitrary: otherCase(context) }, { weight: 1, arbitrary: unauthenticatedCase(context, ids) });
  return fc.sample(arbitrary, { seed, numRuns: count });
}
