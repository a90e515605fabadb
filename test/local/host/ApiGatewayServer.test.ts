import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRestApi } from '../../../local/assembly/LocalPlan';
import { ApiGatewayServer, type ApiGatewayServerOptions } from '../../../local/host/ApiGatewayServer';
import type { Invoke, InvokeResult } from '../../../local/esm/InvokeResult';
import { rawRequest, sendRaw, type RawResponse } from '../../support/rawHttp';
import { waitUntil } from '../../support/waitUntil';

/** Open routes (authorization NONE, no key, no throttle): these tests are about HTTP itself; test/local/host/apiSecurity.test.ts covers the rest. */
const open = { authorizationType: 'NONE', apiKeyRequired: false, requiredParameters: [] } as const;
const api: LocalRestApi = {
  logicalId: 'Api',
  restApiId: 'abc123',
  stageName: 'v1',
  routes: [
    { httpMethod: 'POST', resourcePath: '/events', functionLogicalId: 'Ingest', ...open },
    { httpMethod: 'GET', resourcePath: '/events', functionLogicalId: 'Query', ...open },
    { httpMethod: 'GET', resourcePath: '/metrics/{name}', functionLogicalId: 'Query', ...open },
    { httpMethod: 'ANY', resourcePath: '/anything', functionLogicalId: 'Query', ...open },
  ],
  usagePlans: [],
  managedPolicies: [],
  corsPreflights: [],
};
const ROUTE_LIST = 'routes: POST /v1/events, GET /v1/events, GET /v1/metrics/{name}, ANY /v1/anything';
const JSON_415 = (got: string): string =>
  `Content-Type must be application/json or application/*+json (got ${got}); with curl add -H 'content-type: application/json'`;

/** Every event a fake function received, in order, with the function's id. */
interface Call {
  readonly functionId: string;
  readonly event: APIGatewayProxyEvent;
}

const ok = (body: unknown): InvokeResult => ({
  ok: true,
  payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  durationMs: 1,
});

/** Fake functions: record the event, answer what `answers` holds for them (200 by default). */
function fakeInvokers(calls: Call[], answers: Map<string, (event: APIGatewayProxyEvent) => Promise<InvokeResult>>): Map<string, Invoke> {
  const invoker =
    (functionId: string): Invoke =>
    async (event) => {
      calls.push({ functionId, event: event as APIGatewayProxyEvent });
      const answer = answers.get(functionId);
      return answer ? answer(event as APIGatewayProxyEvent) : ok({ functionId });
    };
  return new Map([
    ['Ingest', invoker('Ingest')],
    ['Query', invoker('Query')],
  ]);
}

/** A server on a free port with its recorded calls and log lines. */
async function startServer(options: ApiGatewayServerOptions = {}): Promise<{
  server: ApiGatewayServer;
  port: number;
  baseUrl: string;
  calls: Call[];
  logs: string[];
  answers: Map<string, (event: APIGatewayProxyEvent) => Promise<InvokeResult>>;
}> {
  const calls: Call[] = [];
  const logs: string[] = [];
  const answers = new Map<string, (event: APIGatewayProxyEvent) => Promise<InvokeResult>>();
  const server = new ApiGatewayServer(api, fakeInvokers(calls, answers), (message) => logs.push(message), options);
  const baseUrl = await server.listen(0);
  return { server, port: Number(new URL(baseUrl).port), baseUrl, calls, logs, answers };
}

const only = (responses: readonly RawResponse[]): { statusCode: number; body: unknown } => {
  expect(responses).toHaveLength(1);
  return { statusCode: responses[0]!.statusCode, body: JSON.parse(responses[0]!.body) as unknown };
};

describe('Class: ApiGatewayServer', () => {
  let harness: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    harness = await startServer();
  });
  afterAll(async () => {
    await harness.server.close();
  });
  afterEach(() => {
    harness.calls.length = 0;
    harness.logs.length = 0;
    harness.answers.clear();
  });

  /** The server answers a plain GET through its function: whatever came before did not break it. */
  async function expectStillServing(): Promise<void> {
    const before = harness.calls.length;
    const response = await fetch(`${harness.baseUrl}/events?probe=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ functionId: 'Query' });
    expect(harness.calls.slice(before).map((call) => `${call.functionId} ${call.event.httpMethod} ${call.event.path}`)).toEqual(['Query GET /events']);
  }

  describe('valid requests', () => {
    it('turns a GET into an API Gateway proxy event with decoded path parameters and the query', async () => {
      // Act
      const response = await fetch(`${harness.baseUrl}/metrics/orders%20eu?group=eu-west&group=us`, { headers: { 'x-trace': 't1' } });

      // Assess
      expect(response.status).toBe(200);
      expect(harness.calls).toHaveLength(1);
      const { functionId, event } = harness.calls[0]!;
      expect(functionId).toBe('Query');
      expect(event).toEqual({
        resource: '/metrics/{name}',
        path: '/metrics/orders%20eu',
        httpMethod: 'GET',
        headers: expect.objectContaining({ 'x-trace': 't1', host: `127.0.0.1:${harness.port}` }),
        multiValueHeaders: expect.objectContaining({ 'x-trace': ['t1'] }),
        queryStringParameters: { group: 'us' },
        multiValueQueryStringParameters: { group: ['eu-west', 'us'] },
        pathParameters: { name: 'orders eu' },
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'abc123',
          authorizer: null,
          httpMethod: 'GET',
          identity: {
            accessKey: null,
            accountId: null,
            apiKey: null,
            apiKeyId: null,
            caller: null,
            clientCert: null,
            cognitoAuthenticationProvider: null,
            cognitoAuthenticationType: null,
            cognitoIdentityId: null,
            cognitoIdentityPoolId: null,
            principalOrgId: null,
            sourceIp: '127.0.0.1',
            user: null,
            userAgent: 'node',
            userArn: null,
          },
          path: '/v1/metrics/orders%20eu',
          protocol: 'HTTP/1.1',
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          requestTimeEpoch: expect.any(Number),
          resourceId: '/metrics/{name}',
          resourcePath: '/metrics/{name}',
          stage: 'v1',
        },
      });
    });

    it('invokes the function for a POST with application/json and with a +json type and parameters', async () => {
      // Act
      const plain = await fetch(`${harness.baseUrl}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      const structured = await fetch(`${harness.baseUrl}/events`, {
        method: 'POST',
        headers: { 'content-type': 'Application/Vnd.Api+JSON; charset=utf-8' },
        body: '{"b":2}',
      });

      // Assess
      expect([plain.status, structured.status]).toEqual([200, 200]);
      expect(harness.calls.map((call) => [call.functionId, call.event.httpMethod, call.event.body])).toEqual([
        ['Ingest', 'POST', '{"a":1}'],
        ['Ingest', 'POST', '{"b":2}'],
      ]);
    });

    it('takes an absolute-form request target by its path, as a proxy would send it', async () => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest(`GET http://127.0.0.1:${harness.port}/v1/events?x=1 HTTP/1.1`));

      // Assess
      expect(only(responses)).toEqual({ statusCode: 200, body: { functionId: 'Query' } });
      expect(harness.calls.map((call) => [call.event.path, call.event.queryStringParameters])).toEqual([['/events', { x: '1' }]]);
    });

    it('passes the function status, headers and base64 body through', async () => {
      // Prepare
      harness.answers.set('Query', async () => ({
        ok: true,
        payload: { statusCode: 201, headers: { 'x-count': 3 }, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true },
        durationMs: 1,
      }));

      // Act
      const response = await fetch(`${harness.baseUrl}/events`);

      // Assess
      expect([response.status, response.headers.get('x-count'), await response.text()]).toEqual([201, '3', 'hi']);
    });
  });

  describe('malformed request targets', () => {
    it('answers 400 for an absolute URL that does not parse, and keeps serving', async () => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest('GET http://[::1 HTTP/1.1'));

      // Assess
      expect(only(responses)).toEqual({ statusCode: 400, body: { message: 'Malformed absolute URL in the request line: http://[::1' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('treats a target starting with // as a path, never as a host to resolve against', async () => {
      // Act
      const badPort = await sendRaw(harness.port, rawRequest('GET //x:99999/ HTTP/1.1'));
      const hostLike = await sendRaw(harness.port, rawRequest('GET //evil.example/v1/events HTTP/1.1'));

      // Assess
      expect(only(badPort.responses)).toEqual({ statusCode: 404, body: { message: "No stage in //x:99999/: this API's routes are under /v1/" } });
      expect(only(hostLike.responses)).toEqual({ statusCode: 404, body: { message: "No stage in //evil.example/v1/events: this API's routes are under /v1/" } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 400 for a malformed percent-escape and for escapes that are not UTF-8', async () => {
      // Act
      const malformed = await sendRaw(harness.port, rawRequest('GET /v1/metrics/%ZZ HTTP/1.1'));
      const truncated = await sendRaw(harness.port, rawRequest('GET /v1/metrics/ab% HTTP/1.1'));
      const notUtf8 = await sendRaw(harness.port, rawRequest('GET /v1/metrics/%C0%80 HTTP/1.1'));

      // Assess
      expect(only(malformed.responses)).toEqual({ statusCode: 400, body: { message: 'Malformed percent-escape "%ZZ" in the request path /v1/metrics/%ZZ' } });
      expect(only(truncated.responses)).toEqual({ statusCode: 400, body: { message: 'Malformed percent-escape "%" in the request path /v1/metrics/ab%' } });
      expect(only(notUtf8.responses)).toEqual({ statusCode: 400, body: { message: 'Path parameter name is not percent-encoded UTF-8: %C0%80' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it.each([
      ['/v1/../v1/events', '..'],
      ['/v1/%2e%2e/v1/events', '%2e%2e'],
      ['/v1/.%2E/v1/events', '.%2E'],
      ['/v1/./events', '.'],
      ['/v1/%2E/events', '%2E'],
      ['/v1/events/..', 'trailing ..'],
      ['/x/../v1/events', '.. before the stage'],
    ])('answers 404 for %s (%s): dot segments are no route, as on API Gateway', async (target) => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest(`GET ${target} HTTP/1.1`));

      // Assess
      expect(only(responses)).toEqual({
        statusCode: 404,
        body: { message: `No route for ${target}: "." and ".." path segments are not resolved, as on API Gateway` },
      });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 400 for a backslash, which URL parsing would turn into a slash', async () => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest('GET /v1\\..\\v1/events HTTP/1.1'));

      // Assess
      expect(only(responses)).toEqual({ statusCode: 400, body: { message: 'Backslash in the request path /v1\\..\\v1/events' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 400 for an asterisk target', async () => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest('OPTIONS * HTTP/1.1'));

      // Assess
      expect(only(responses)).toEqual({ statusCode: 400, body: { message: 'Request target must be a path or an absolute URL, got *' } });
      await expectStillServing();
    });
  });

  describe('methods', () => {
    it('refuses a lower-case method with 400 on the socket (Node parser) and closes the connection', async () => {
      // Act
      const { responses, closedByServer } = await sendRaw(
        harness.port,
        rawRequest('post /v1/events HTTP/1.1', { 'content-type': 'application/json', 'content-length': '2' }, '{}'),
        { endAfterWrite: false },
      );

      // Assess
      expect(only(responses)).toEqual({ statusCode: 400, body: { message: 'Malformed HTTP request: Parse Error: Invalid method encountered' } });
      expect(closedByServer).toBe(true);
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 405 with Allow for a method the path does not have, and for one API Gateway never routes, even on ANY', async () => {
      // Act
      const del = await sendRaw(harness.port, rawRequest('DELETE /v1/events HTTP/1.1'));
      const propfind = await sendRaw(harness.port, rawRequest('PROPFIND /v1/anything HTTP/1.1'));

      // Assess
      expect(del.responses.map((response) => [response.statusCode, response.headers.allow, JSON.parse(response.body)])).toEqual([
        [405, 'GET, POST', { message: `No route for DELETE /v1/events; ${ROUTE_LIST}` }],
      ]);
      expect(propfind.responses.map((response) => [response.statusCode, response.headers.allow, JSON.parse(response.body)])).toEqual([
        [405, 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT', { message: `No route for PROPFIND /v1/anything; ${ROUTE_LIST}` }],
      ]);
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers CONNECT with 405 instead of the socket Node would close without a word', async () => {
      const { responses } = await sendRaw(harness.port, rawRequest('CONNECT /v1/events HTTP/1.1'));
      expect(only(responses)).toEqual({ statusCode: 405, body: { message: 'CONNECT is not a method this API routes' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 404 listing the routes for a path no route has', async () => {
      // Act
      const response = await fetch(`${harness.baseUrl}/nowhere`);

      // Assess
      expect([response.status, await response.json()]).toEqual([404, { message: `No route for GET /v1/nowhere; ${ROUTE_LIST}` }]);
    });
  });

  describe('content type', () => {
    it.each([
      ['no Content-Type', {}, 'none'],
      ['text/plain (what a no-cors browser request sends)', { 'content-type': 'text/plain;charset=UTF-8' }, 'text/plain;charset=UTF-8'],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'application/x-www-form-urlencoded'],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, 'multipart/form-data; boundary=x'],
      ['a json look-alike', { 'content-type': 'application/jsonp' }, 'application/jsonp'],
    ])('answers 415 for a POST with %s and never invokes the function', async (_label, headers, got) => {
      // Prepare
      const body = '{"type":"t","key":"k","time":0,"data":{}}';

      // Act
      const { responses } = await sendRaw(harness.port, rawRequest('POST /v1/events HTTP/1.1', { ...headers, 'content-length': String(body.length) }, body));

      // Assess
      expect(only(responses)).toEqual({ statusCode: 415, body: { message: JSON_415(got) } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('counts a refused POST as a client error of its route', async () => {
      // Prepare
      const before = { ...(harness.server.stats['POST /events'] ?? { requests: 0, clientErrors: 0, serverErrors: 0 }) };

      // Act
      const response = await fetch(`${harness.baseUrl}/events`, { method: 'POST', body: 'x' });
      await response.text();

      // Assess
      expect(response.status).toBe(415);
      expect(harness.server.stats['POST /events']).toEqual({ requests: before.requests + 1, clientErrors: before.clientErrors + 1, serverErrors: before.serverErrors });
    });
  });

  describe('bodies', () => {
    it('stops without an answer or a crash when the client aborts its body, and logs one line', async () => {
      // Act: declare 1000 bytes, send 10, go away.
      const { responses } = await sendRaw(harness.port, rawRequest('POST /v1/events HTTP/1.1', { 'content-type': 'application/json', 'content-length': '1000' }, '{"events":'), {
        destroyAfterWrite: true,
      });

      // Assess
      expect(responses).toEqual([]);
      await waitUntil('the abort to be logged', () => harness.logs.length > 0, 2_000);
      expect(harness.logs).toEqual(['POST /v1/events: client closed the connection before the end of its body']);
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 413 for a body over 10 MB, after reading it, without invoking the function', async () => {
      // Prepare
      const body = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);

      // Act
      const { responses } = await sendRaw(
        harness.port,
        Buffer.concat([Buffer.from(rawRequest('POST /v1/events HTTP/1.1', { 'content-type': 'application/json', 'content-length': String(body.length) })), body]),
        { waitMs: 10_000 },
      );

      // Assess
      expect(only(responses)).toEqual({ statusCode: 413, body: { message: 'Request body is 10485761 bytes; API Gateway takes at most 10485760' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });
  });

  describe('requests Node cannot parse', () => {
    it.each([
      ['a garbage request line', '\x00\x01garbage\r\n\r\n', 'Malformed HTTP request: Parse Error: Invalid method encountered'],
      ['an unknown HTTP version', 'GET /v1/events HTTP/9.9\r\nHost: x\r\n\r\n', 'Malformed HTTP request: Parse Error: Invalid HTTP version'],
      [
        'a chunked body with a bad chunk size',
        'POST /v1/events HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
        'Malformed HTTP request: Parse Error: Invalid character in chunk size',
      ],
      ['a header without a colon', 'GET /v1/events HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n', 'Malformed HTTP request: Parse Error: Invalid header token'],
      [
        'two Content-Lengths',
        'POST /v1/events HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}',
        'Malformed HTTP request: Parse Error: Duplicate Content-Length',
      ],
    ])('answers 400 on the socket for %s and closes it', async (_label, bytes, message) => {
      // Act
      const { responses, closedByServer } = await sendRaw(harness.port, bytes, { endAfterWrite: false });

      // Assess
      expect(only(responses)).toEqual({ statusCode: 400, body: { message } });
      expect(closedByServer).toBe(true);
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });

    it('answers 431 for headers over the size Node takes', async () => {
      // Act
      const { responses } = await sendRaw(harness.port, rawRequest('GET /v1/events HTTP/1.1', { 'x-big': 'a'.repeat(20_000) }), { endAfterWrite: false });

      // Assess
      expect(only(responses)).toEqual({ statusCode: 431, body: { message: 'Request headers are too large' } });
      expect(harness.calls).toEqual([]);
      await expectStillServing();
    });
  });

  describe('failures behind the server', () => {
    it('answers 500 and logs once when invoking throws, and keeps serving', async () => {
      // Prepare
      harness.answers.set('Ingest', () => Promise.reject(new Error('sandbox pipe closed')));

      // Act
      const response = await fetch(`${harness.baseUrl}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

      // Assess
      expect([response.status, await response.json()]).toEqual([500, { message: 'Internal server error' }]);
      expect(harness.logs).toHaveLength(1);
      expect(harness.logs[0]).toMatch(/^POST \/v1\/events: internal error Error: sandbox pipe closed\n/);
      await expectStillServing();
    });

    it.each([
      ['a function error', { ok: false, errorType: 'TypeError', errorMessage: 'x is undefined', durationMs: 1 }, 'function error TypeError: x is undefined'],
      ['no statusCode', { ok: true, payload: { body: 'x' }, durationMs: 1 }, 'malformed Lambda proxy response (statusCode is not a number)'],
      ['a body that is not a string', { ok: true, payload: { statusCode: 200, body: 42 }, durationMs: 1 }, 'malformed Lambda proxy response (body is not a string)'],
      ['a status Node refuses', { ok: true, payload: { statusCode: 42 }, durationMs: 1 }, 'malformed Lambda proxy response (Invalid status code: 42)'],
      [
        'a header value with a newline',
        { ok: true, payload: { statusCode: 200, headers: { 'x-before': 'kept?', 'x-a': 'a\r\nset-cookie: b' } }, durationMs: 1 },
        'malformed Lambda proxy response (Invalid character in header content ["x-a"])',
      ],
    ] as [string, InvokeResult, string][])('answers 502 for %s, as API Gateway does', async (_label, result, logLine) => {
      // Prepare
      harness.answers.set('Query', async () => result);

      // Act
      const response = await fetch(`${harness.baseUrl}/events`);

      // Assess
      expect([response.status, await response.json()]).toEqual([502, { message: 'Internal server error' }]);
      expect([response.headers.get('x-before'), response.headers.get('x-a'), response.headers.get('set-cookie')]).toEqual([null, null, null]);
      expect(harness.logs).toEqual([`GET /v1/events: ${logLine}`]);
      harness.answers.clear();
      await expectStillServing();
    });
  });

  describe('slow clients', () => {
    let slow: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      slow = await startServer({ headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckIntervalMs: 50 });
    });
    afterAll(async () => {
      await slow.server.close();
    });

    it('answers 408 and closes a connection whose headers never finish', async () => {
      // Act: half a request line's headers, then silence.
      const startedAt = Date.now();
      const { responses, closedByServer } = await sendRaw(slow.port, 'GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n', { endAfterWrite: false, waitMs: 3_000 });

      // Assess
      expect(only(responses)).toEqual({ statusCode: 408, body: { message: 'The request was not received in time' } });
      expect(closedByServer).toBe(true);
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expect(slow.calls).toEqual([]);
    });

    it('answers 408 for a body that trickles past the request timeout, and the function is never invoked', async () => {
      // Act: the headers arrive, then 1 of 100 declared body bytes.
      const { responses, closedByServer } = await sendRaw(
        slow.port,
        rawRequest('POST /v1/events HTTP/1.1', { 'content-type': 'application/json', 'content-length': '100' }, '{'),
        { endAfterWrite: false, waitMs: 3_000 },
      );

      // Assess
      expect(only(responses)).toEqual({ statusCode: 408, body: { message: 'The request was not received in time' } });
      expect(closedByServer).toBe(true);
      expect(slow.calls).toEqual([]);
      const response = await fetch(`${slow.baseUrl}/events`);
      expect(response.status).toBe(200);
    });
  });

  describe('Property: no request makes it answer 5xx or stop serving', () => {
    const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'PROPFIND', 'post', 'GeT', 'FOO', '', 'G\x00T'];
    const method = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 2, arbitrary: fc.constantFrom(...METHODS) });
    const SEGMENTS = ['v1', 'events', 'metrics', 'anything', '..', '.', '%2e%2e', '%2E', '%ZZ', '%', '%C0%80', '%2F', '', 'a b', '\\', 'é', '{x}', '*'];
    const ROUTED = ['/v1/events', '/v1/metrics/orders', '/v1/anything', '/v1/metrics/%ZZ', '/v1/metrics/%C0%80', '/v1/../v1/events', '/v1/%2e%2e/v1/events', '/v1/./events', '//v1/events'];
    const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/problem+json; charset=utf-8', '', 'json'];
    const target = fc.oneof(
      // Mostly near the real routes, so that refusals are tested where a function could be reached.
      { weight: 3, arbitrary: fc.constantFrom(...ROUTED) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 5 }).map((segments) => `/${segments.join('/')}`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('http://', 'http://[::1', 'https://x:99999', '//x:99999', 'HTTP://127.0.0.1', 'ftp://'), fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 4 }))
          .map(([prefix, segments]) => `${prefix}/${segments.join('/')}`),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );
    const query = fc.option(fc.constantFrom('?group=eu', '?a=%ZZ', '?', '?%%=&&', '#frag', '?a=%C0'), { nil: '' });
    const headers = fc.array(
      fc.oneof(
        fc.constantFrom(...CONTENT_TYPES).map((value) => `content-type: ${value}`),
        fc.nat({ max: 80 }).map((length) => `content-length: ${length}`),
        fc.constantFrom('transfer-encoding: chunked', 'expect: 100-continue', 'connection: keep-alive', 'content-length: -1', 'content-length: abc', 'host:'),
        fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })).map(([name, value]) => `${name}: ${value}`),
      ),
      { maxLength: 4 },
    );
    const body = fc.oneof(fc.constant(''), fc.constant('{"type":"t","key":"k","time":0,"data":{}}'), fc.string({ maxLength: 60 }), fc.constant('5\r\nhello\r\n0\r\n\r\n'));

    it('ends every random request line, header set and body with 2xx/4xx or a closed connection, and still serves a plain request', async () => {
      await fc.assert(
        fc.asyncProperty(method, target, query, headers, body, async (verb, path, search, headerLines, payload) => {
          // Prepare
          const before = harness.calls.length;
          const bytes = `${verb} ${path}${search} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headerLines.map((line) => `${line}\r\n`).join('')}\r\n${payload}`;

          // Act
          const { responses, closedByServer } = await sendRaw(harness.port, bytes, { waitMs: 1_000 });

          // Assess: the server ends every exchange (none hangs), never with a 5xx; a function saw only
          // routed methods, dot-free paths and JSON bodies.
          expect(closedByServer).toBe(true);
          expect(responses.filter((response) => response.statusCode >= 500)).toEqual([]);
          for (const { event } of harness.calls.slice(before)) {
            expect(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']).toContain(event.requestContext.httpMethod);
            expect(event.path.split('/').filter((segment) => /^(\.|%2e){1,2}$/i.test(segment))).toEqual([]);
            if (['POST', 'PUT', 'PATCH'].includes(event.requestContext.httpMethod)) expect(event.headers['content-type']).toMatch(/^application\/(.+\+)?json/i);
          }
          await expectStillServing();
        }),
        { seed: 11, numRuns: 300 },
      );
    });
  });
});
