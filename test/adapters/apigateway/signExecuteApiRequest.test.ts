import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueryAsSent, signExecuteApiRequest, type ApiSigning } from '../../../adapters/apigateway/signExecuteApiRequest';
import { signedFetch } from '../../../adapters/apigateway/signedFetch';
import { signedRawRequest } from '../../support/rawHttp';
import { parseAuthorization, referenceSignature } from '../../support/referenceSigV4';

/** AWS's documented example key pair (SigV4 "Create a signature" example). */
const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const LOCAL: ApiSigning = { credentials: EXAMPLE_CREDENTIALS, region: 'us-east-1' };
const AMZ_DATE = '20261122T080000Z';
const SIGNING_DATE = new Date('2026-11-22T08:00:00Z');

describe('Function: signExecuteApiRequest', () => {
  it("reproduces AWS's documented SigV4 example (IAM ListUsers, 2015-08-30T12:36:00Z)", async () => {
    // Act
    const headers = await signExecuteApiRequest(
      { method: 'GET', target: '/?Action=ListUsers&Version=2010-05-08', host: 'iam.amazonaws.com', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } },
      { ...LOCAL, service: 'iam' },
      new Date('2015-08-30T12:36:00Z'),
    );

    // Assess
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it('signs an encoded path segment once more and repeated query parameters sorted, as the reference computes from the request line', async () => {
    // Prepare: a metric name with a space (sent as %20) and a parameter given twice, out of order.
    const target = '/v1/metrics/orders%20eu?to=2&group=us&group=eu-west&from=1';

    // Act
    const headers = await signExecuteApiRequest({ method: 'GET', target, host: '127.0.0.1:3000' }, LOCAL, SIGNING_DATE);

    // Assess
    const expected = referenceSignature({
      method: 'GET',
      path: '/v1/metrics/orders%20eu',
      query: 'to=2&group=us&group=eu-west&from=1',
      headers: { host: '127.0.0.1:3000', 'x-amz-date': AMZ_DATE },
      body: '',
      ...EXAMPLE_CREDENTIALS,
      region: 'us-east-1',
      service: 'execute-api',
      amzDate: AMZ_DATE,
    });
    expect(parseAuthorization(headers.authorization!)).toEqual({ credential: 'AKIDEXAMPLE/20261122/us-east-1/execute-api/aws4_request', signedHeaders: ['host', 'x-amz-date'], signature: expected });
  });

  it('covers the body, the API key and the session token, and sends no x-amz-content-sha256', async () => {
    // Prepare
    const body = JSON.stringify({ events: [{ type: 'order.created', key: 'c-1', data: { note: '漢字' } }] });
    const signing: ApiSigning = { credentials: { ...EXAMPLE_CREDENTIALS, sessionToken: 'token/with+chars=' }, region: 'eu-west-1', apiKey: 'key-123' };

    // Act
    const headers = await signExecuteApiRequest({ method: 'POST', target: '/v1/events', host: 'abc123.execute-api.eu-west-1.amazonaws.com', headers: { 'Content-Type': 'application/json' }, body }, signing, SIGNING_DATE);

    // Assess
    const signedHeaders = { 'content-type': 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'x-amz-date': AMZ_DATE, 'x-amz-security-token': 'token/with+chars=', 'x-api-key': 'key-123' };
    expect(headers).toMatchObject(signedHeaders);
    expect(headers['x-amz-content-sha256']).toBeUndefined();
    const expected = referenceSignature({ method: 'POST', path: '/v1/events', query: '', headers: signedHeaders, body, ...EXAMPLE_CREDENTIALS, region: 'eu-west-1', service: 'execute-api', amzDate: AMZ_DATE });
    expect(parseAuthorization(headers.authorization!)).toEqual({
      credential: 'AKIDEXAMPLE/20261122/eu-west-1/execute-api/aws4_request',
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-security-token', 'x-api-key'],
      signature: expected,
    });
  });

  it('gives a different signature for another body, path or secret', async () => {
    const sign = (target: string, body: string, secretAccessKey = EXAMPLE_CREDENTIALS.secretAccessKey) =>
      signExecuteApiRequest({ method: 'POST', target, host: 'h', body }, { ...LOCAL, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey } }, SIGNING_DATE).then((h) => h.authorization);

    const base = await sign('/v1/events', '{}');

    expect(await sign('/v1/events', '{ }')).not.toBe(base);
    expect(await sign('/v1/events/', '{}')).not.toBe(base);
    expect(await sign('/v1/events', '{}', 'other')).not.toBe(base);
    expect(await sign('/v1/events', '{}')).toBe(base);
  });
});

describe('Function: parseQueryAsSent', () => {
  it('decodes valid escapes once, keeps invalid ones and plus signs as written, and keeps every value of a repeated name', () => {
    expect(parseQueryAsSent('?a=%41%ZZ&b=1+2&a=%&flag&c=%E6%BC%A2&d=x%3Dy')).toEqual({ a: ['A%ZZ', '%'], b: '1+2', flag: '', c: '漢', d: 'x=y' });
  });

  it('keeps names like __proto__ as plain parameters', () => {
    const query = parseQueryAsSent('__proto__=1&constructor=2');

    expect(Object.keys(query)).toEqual(['__proto__', 'constructor']);
    expect(query.constructor).toBe('2');
  });
});

describe('Function: signedFetch', () => {
  let server: Server;
  let baseUrl: string;
  const received: { verified: boolean; apiKey: string | undefined; url: string }[] = [];

  /** A stand-in API that checks each signature with the reference, from the request as it arrived. */
  const verify = (request: IncomingMessage, body: Buffer): boolean => {
    const { signedHeaders, signature } = parseAuthorization(String(request.headers.authorization));
    const url = request.url!;
    const queryStart = url.indexOf('?');
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])]));
    const expected = referenceSignature({
      method: request.method!,
      path: queryStart < 0 ? url : url.slice(0, queryStart),
      query: queryStart < 0 ? '' : url.slice(queryStart + 1),
      headers,
      body,
      ...EXAMPLE_CREDENTIALS,
      region: 'us-east-1',
      service: 'execute-api',
      amzDate: String(request.headers['x-amz-date']),
    });
    return expected === signature;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ verified: verify(request, Buffer.concat(chunks)), apiKey: request.headers['x-api-key'] as string | undefined, url: request.url! });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends what it signed: the host with its port, the encoded path and query, the body bytes and the API key', async () => {
    // Act
    const read = await signedFetch(`${baseUrl}/v1/metrics/orders%20eu?group=eu-west&group=us%2Fwest&from=1`, {}, LOCAL);
    const post = await signedFetch(`${baseUrl}/v1/events`, { method: 'post', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"events":["漢"]}') }, { ...LOCAL, apiKey: 'k1' });

    // Assess
    expect([read.status, post.status]).toEqual([200, 200]);
    expect(received).toEqual([
      { verified: true, apiKey: undefined, url: '/v1/metrics/orders%20eu?group=eu-west&group=us%2Fwest&from=1' },
      { verified: true, apiKey: 'k1', url: '/v1/events' },
    ]);
  });
});

describe('Function: signedRawRequest', () => {
  it('writes a request whose signature the reference verifies from the bytes alone', async () => {
    const raw = await signedRawRequest('POST /v1/events?x=%2F HTTP/1.1', { 'content-type': 'application/json' }, '{"a":1}', LOCAL, SIGNING_DATE);

    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const headers = Object.fromEntries(head.split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const { signedHeaders, signature } = parseAuthorization(headers.authorization!);
    expect(signedHeaders).toEqual(['content-type', 'host', 'x-amz-date']);
    const expected = referenceSignature({
      method: 'POST',
      path: '/v1/events',
      query: 'x=%2F',
      headers: Object.fromEntries(signedHeaders.map((name) => [name, headers[name]!])),
      body,
      ...EXAMPLE_CREDENTIALS,
      region: 'us-east-1',
      service: 'execute-api',
      amzDate: AMZ_DATE,
    });
    expect(signature).toBe(expected);
  });
});
