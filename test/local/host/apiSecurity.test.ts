import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRestApi } from '../../../local/assembly/LocalPlan';
import { writeLocalCredentials, type LocalCredentials, type LocalRole } from '../../../local/credentials/LocalCredentials';
import type { Invoke } from '../../../local/esm/InvokeResult';
import type { AccessLogEntry } from '../../../local/host/AccessLogEntry';
import { ApiGatewayServer } from '../../../local/host/ApiGatewayServer';
import { smithySignedHeaders } from '../../support/smithySigning';
import { synthesizedRestApi } from '../../support/synthesizedRestApi';

const run = promisify(execFile);

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

interface SendOptions {
  readonly method?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Sign as this identity (smithy, default options), or not at all. */
  readonly as?: LocalRole | { accessKeyId: string; secretAccessKey: string };
  readonly signingDate?: Date;
}

/** A server for one synthesized API, with stub functions that answer 200 and record their events. */
class Harness {
  public readonly calls: APIGatewayProxyEvent[] = [];
  public readonly accessLog: AccessLogEntry[] = [];
  public readonly credentials: LocalCredentials;
  private readonly server: ApiGatewayServer;
  public baseUrl = '';

  public constructor(
    public readonly api: LocalRestApi,
    producers: readonly string[] = [],
  ) {
    this.credentials = writeLocalCredentials(mkdtempSync(path.join(tmpdir(), 'tributary-creds-')), producers);
    const invoke: Invoke = async (event) => {
      this.calls.push(event as APIGatewayProxyEvent);
      return { ok: true, payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }, durationMs: 1 };
    };
    const invokers = new Map(api.routes.map((route) => [route.functionLogicalId, invoke]));
    this.server = new ApiGatewayServer(api, invokers, () => undefined, { credentials: this.credentials, accessLog: (entry) => this.accessLog.push(entry) });
  }

  public get port(): number {
    return Number(new URL(this.baseUrl).port);
  }

  public async start(): Promise<void> {
    this.baseUrl = await this.server.listen(0);
  }

  public close(): Promise<void> {
    return this.server.close();
  }

  /** One request on its own connection; signed with @smithy/signature-v4 as the clients sign when `as` is given. */
  public async send(pathUnderStage: string, options: SendOptions = {}): Promise<Answer> {
    const method = options.method ?? 'GET';
    const query = options.query ?? {};
    const headers: Record<string, string> = { host: `127.0.0.1:${this.port}`, ...options.headers };
    if (options.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const requestPath = `/v1${pathUnderStage}`;
    if (options.as !== undefined) {
      const credentials = typeof options.as === 'string' ? this.credentials.identities[options.as] : options.as;
      const signed = await smithySignedHeaders(credentials, {
        method,
        port: this.port,
        path: requestPath,
        query,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.signingDate ? { signingDate: options.signingDate } : {}),
      });
      Object.assign(headers, signed);
    }
    const search = new URLSearchParams(query).toString();
    return request(this.port, method, `${requestPath}${search ? `?${search}` : ''}`, headers, options.body);
  }
}

function request(port: number, method: string, target: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text === '' ? null : (JSON.parse(text) as unknown) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const MISSING_TOKEN = { message: 'Missing Authentication Token' };
const MISMATCH = {
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
};
const notAuthorized = (harness: Harness, role: LocalRole, resource: string) => ({
  Message: `User: ${harness.credentials.identities[role].arn} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:${harness.api.restApiId}/v1/${resource}`,
});
const EVENT = JSON.stringify({ events: [{ type: 'order.created', key: 'c1', eventTime: '2026-12-01T00:00:00Z', data: { region: 'eu-west' } }] });

describe('Class: ApiGatewayServer, serving the synthesized secured API (default config)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = new Harness(synthesizedRestApi());
    await harness.start();
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  it('refuses an unsigned POST /events with 403 Missing Authentication Token, before the function', async () => {
    // Act
    const answer = await harness.send('/events', { method: 'POST', body: EVENT });

    // Assess
    expect([answer.status, answer.body, answer.headers['x-amzn-errortype']]).toEqual([403, MISSING_TOKEN, 'MissingAuthenticationTokenException']);
    expect(harness.calls).toHaveLength(0);
  });

  it('passes a POST signed by the producer with @smithy/signature-v4, with the caller in requestContext.identity', async () => {
    // Act
    const answer = await harness.send('/events', { method: 'POST', body: EVENT, as: 'producer' });

    // Assess
    expect([answer.status, answer.body]).toEqual([200, { ok: true }]);
    const producer = harness.credentials.identities.producer;
    expect(harness.calls.at(-1)!.requestContext.identity).toEqual(
      expect.objectContaining({
        accessKey: producer.accessKeyId,
        accountId: '000000000000',
        caller: `AIDA${producer.accessKeyId.slice(4)}`,
        user: `AIDA${producer.accessKeyId.slice(4)}`,
        userArn: producer.arn,
        apiKey: null,
        apiKeyId: null,
      }),
    );
    expect(harness.calls.at(-1)!.body).toBe(EVENT);
  });

  it('passes a GET with a query and an escaped path parameter signed by smithy (the path URI-encoded twice)', async () => {
    // Act
    const answer = await harness.send('/metrics/orders%20per%20region', { query: { group: 'eu west', from: '2026-12-01T00:00:00Z' }, as: 'metrics-reader' });

    // Assess
    expect(answer.status).toBe(200);
    expect(harness.calls.at(-1)!.pathParameters).toEqual({ name: 'orders per region' });
  });

  it('passes what curl --aws-sigv4 sends, for a POST with a body and a GET with a query', async () => {
    // Prepare
    const { accessKeyId, secretAccessKey } = harness.credentials.identities.admin;
    const curl = (...args: string[]) =>
      run('curl', ['-sS', '-w', '\n%{http_code}', '--aws-sigv4', 'aws:amz:us-east-1:execute-api', '--user', `${accessKeyId}:${secretAccessKey}`, ...args]);

    // Act
    const post = await curl('-H', 'content-type: application/json', '-d', EVENT, `${harness.baseUrl}/events`);
    const get = await curl(`${harness.baseUrl}/metrics/orders-per-region?group=eu-west&from=2026-12-01T00%3A00%3A00Z`);
    const wrong = await run('curl', [
      '-sS',
      '-w',
      '\n%{http_code}',
      '--aws-sigv4',
      'aws:amz:us-east-1:execute-api',
      '--user',
      `${accessKeyId}:not-the-secret`,
      `${harness.baseUrl}/metrics/orders-per-region`,
    ]);

    // Assess
    expect(post.stdout).toBe('{"ok":true}\n200');
    expect(get.stdout).toBe('{"ok":true}\n200');
    expect(wrong.stdout).toBe(`${JSON.stringify(MISMATCH)}\n403`);
    expect(harness.calls.at(-1)!.queryStringParameters).toEqual({ group: 'eu-west', from: '2026-12-01T00:00:00Z' });
  });

  it("refuses the producer on GET /events with IAM's not-authorized message naming its ARN and the resource", async () => {
    // Act
    const answer = await harness.send('/events', { query: { key: 'c1' }, as: 'producer' });

    // Assess
    expect([answer.status, answer.body]).toEqual([403, notAuthorized(harness, 'producer', 'GET/events')]);
  });

  it('lets each role do what its policy grants and nothing else', async () => {
    // Act
    const outcomes = await Promise.all(
      (['producer', 'metrics-reader', 'events-reader', 'admin'] as const).map(async (role) => [
        role,
        (await harness.send('/events', { method: 'POST', body: EVENT, as: role })).status,
        (await harness.send('/metrics/orders-per-region', { as: role })).status,
        (await harness.send('/events', { query: { key: 'c1' }, as: role })).status,
      ]),
    );

    // Assess
    expect(outcomes).toEqual([
      ['producer', 200, 403, 403],
      ['metrics-reader', 403, 200, 403],
      ['events-reader', 403, 403, 200],
      ['admin', 200, 200, 200],
    ]);
  });

  it('refuses a wrong secret, an unknown key id, a stale and a future date, and a tampered body', async () => {
    // Prepare
    const reader = harness.credentials.identities['metrics-reader'];
    const twentyMinutesMs = 20 * 60 * 1000;
    const stale = new Date(Date.now() - twentyMinutesMs);
    const signed = await harness.send('/events', { method: 'POST', body: EVENT, as: 'producer' });
    expect(signed.status).toBe(200);

    // Act
    const wrongSecret = await harness.send('/metrics/orders-per-region', { as: { accessKeyId: reader.accessKeyId, secretAccessKey: 'x'.repeat(40) } });
    const unknownKey = await harness.send('/metrics/orders-per-region', { as: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: reader.secretAccessKey } });
    const staleDate = await harness.send('/metrics/orders-per-region', { as: 'metrics-reader', signingDate: stale });
    const futureDate = await harness.send('/metrics/orders-per-region', { as: 'metrics-reader', signingDate: new Date(Date.now() + twentyMinutesMs) });

    // Assess
    expect([wrongSecret.status, wrongSecret.body]).toEqual([403, MISMATCH]);
    expect([unknownKey.status, unknownKey.body]).toEqual([403, { message: 'The security token included in the request is invalid.' }]);
    expect(staleDate.status).toBe(403);
    expect((staleDate.body as { message: string }).message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    expect(futureDate.status).toBe(403);
    expect((futureDate.body as { message: string }).message).toMatch(/^Signature not yet current: /);
  });

  it('refuses a body changed after signing', async () => {
    // Prepare: sign one body, send another with the same headers.
    const signed = await smithySignedHeaders(harness.credentials.identities.producer, {
      method: 'POST',
      port: harness.port,
      path: '/v1/events',
      headers: { 'content-type': 'application/json' },
      body: EVENT,
    });

    // Act
    const answer = await request(harness.port, 'POST', '/v1/events', signed, EVENT.replace('c1', 'c2'));

    // Assess
    expect([answer.status, answer.body]).toEqual([403, MISMATCH]);
  });

  it.each([
    ['no parameters', 'AWS4-HMAC-SHA256', "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."],
    ['no Signature', 'AWS4-HMAC-SHA256 Credential=AKIAX/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host', "Authorization header requires 'Signature' parameter."],
    [
      'another scheme',
      'Bearer abc.def',
      "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm. Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
    ],
  ])('answers a malformed Authorization header (%s) with 403 naming what is missing', async (_label, authorization, expected) => {
    // Act
    const answer = await harness.send('/metrics/orders-per-region', { headers: { authorization, 'x-amz-date': '20261201T000000Z' } });

    // Assess
    expect(answer.status).toBe(403);
    expect((answer.body as { message: string }).message).toBe(`${expected} Authorization=${authorization}`);
  });

  it('answers garbage dates, wrong scopes and huge headers with a 4xx, never a 5xx', async () => {
    // Prepare
    const reader = harness.credentials.identities['metrics-reader'].accessKeyId;
    const header = (scope: string) => `AWS4-HMAC-SHA256 Credential=${reader}/${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

    // Act
    const garbageDate = await harness.send('/metrics/x', { headers: { authorization: header('20261201/us-east-1/execute-api/aws4_request'), 'x-amz-date': 'yesterday' } });
    const rolledDate = await harness.send('/metrics/x', { headers: { authorization: header('20261399/us-east-1/execute-api/aws4_request'), 'x-amz-date': '20261399T000000Z' } });
    const wrongRegion = await harness.send('/metrics/x', { headers: { authorization: header('20261201/eu-west-1/execute-api/aws4_request'), 'x-amz-date': '20261201T000000Z' } });
    const wrongService = await harness.send('/metrics/x', { headers: { authorization: header('20261201/us-east-1/s3/aws4_request'), 'x-amz-date': '20261201T000000Z' } });
    const huge = await harness.send('/metrics/x', { headers: { authorization: `AWS4-HMAC-SHA256 Credential=${'A'.repeat(8_000)}` } });

    // Assess
    expect([garbageDate.status, garbageDate.body]).toEqual([403, { message: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601" }]);
    expect(rolledDate.status).toBe(403);
    expect([wrongRegion.status, wrongRegion.body]).toEqual([403, { message: "Credential should be scoped to a valid region, not 'eu-west-1'. " }]);
    expect([wrongService.status, wrongService.body]).toEqual([403, { message: "Credential should be scoped to correct service: 'execute-api'. " }]);
    expect(huge.status).toBe(403);
    expect((huge.body as { message: string }).message.length).toBeLessThan(600);
    expect(harness.calls.filter((call) => call.path === '/metrics/x')).toHaveLength(0);
  });

  it('writes one access log line per request with the caller ARN, or "-" when unsigned', async () => {
    // Prepare
    harness.accessLog.length = 0;

    // Act
    await harness.send('/metrics/orders-per-region', { as: 'metrics-reader' });
    await harness.send('/metrics/orders-per-region');

    // Assess
    await expect.poll(() => harness.accessLog.length).toBe(2);
    expect(harness.accessLog.map(({ httpMethod, path: requestPath, resourcePath, status, userArn, producer, errorType }) => ({ httpMethod, requestPath, resourcePath, status, userArn, producer, errorType }))).toEqual([
      { httpMethod: 'GET', requestPath: '/v1/metrics/orders-per-region', resourcePath: '/metrics/{name}', status: 200, userArn: harness.credentials.identities['metrics-reader'].arn, producer: '-', errorType: '-' },
      { httpMethod: 'GET', requestPath: '/v1/metrics/orders-per-region', resourcePath: '/metrics/{name}', status: 403, userArn: '-', producer: '-', errorType: 'MISSING_AUTHENTICATION_TOKEN' },
    ]);
    expect(harness.accessLog[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(harness.accessLog[0]!.responseLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers OPTIONS with 405 when no CORS origin is configured (the template has no preflight)', async () => {
    // Act
    const answer = await harness.send('/metrics/orders-per-region', { method: 'OPTIONS', headers: { origin: 'http://localhost:5173' } });

    // Assess
    expect(answer.status).toBe(405);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Class: ApiGatewayServer, serving the synthesized API with producers and CORS origins', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = new Harness(
      synthesizedRestApi({
        producers: [
          { name: 'shop', rateLimitPerSecond: 1, burstLimit: 2 },
          { name: 'pos', rateLimitPerSecond: 100, burstLimit: 100 },
          { name: 'batch', rateLimitPerSecond: 100, burstLimit: 100, quotaPerDay: 3 },
        ],
        corsOrigins: ['http://localhost:5173', 'https://dash.example.com'],
        wafRateLimitPer5Minutes: 1_000,
      }),
      ['shop', 'pos', 'batch'],
    );
    await harness.start();
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  const post = (apiKey?: string) => harness.send('/events', { method: 'POST', body: EVENT, as: 'producer', headers: apiKey === undefined ? {} : { 'x-api-key': apiKey } });

  it('refuses a signed POST without an API key or with an unknown one: 403 Forbidden', async () => {
    // Act
    const missing = await post();
    const unknown = await post('not-a-key-of-any-plan');

    // Assess
    expect([missing.status, missing.body]).toEqual([403, { message: 'Forbidden' }]);
    expect([unknown.status, unknown.body]).toEqual([403, { message: 'Forbidden' }]);
  });

  it('refuses an unsigned POST with a valid API key: the key adds to the signature, it does not replace it', async () => {
    // Act
    const answer = await harness.send('/events', { method: 'POST', body: EVENT, headers: { 'x-api-key': harness.credentials.apiKeys.pos! } });

    // Assess
    expect([answer.status, answer.body]).toEqual([403, MISSING_TOKEN]);
  });

  it('answers 429 to a producer over its burst while another producer still gets through', async () => {
    // Act: shop's bucket holds 2 and refills 1 per second; the three go out in a few milliseconds.
    const shop = [];
    for (let index = 0; index < 3; index++) shop.push(await post(harness.credentials.apiKeys.shop));
    const pos = await post(harness.credentials.apiKeys.pos);

    // Assess
    expect(shop.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect([shop[2]!.body, shop[2]!.headers['x-amzn-errortype']]).toEqual([{ message: 'Too Many Requests' }, 'TooManyRequestsException']);
    expect(pos.status).toBe(200);
    const identity = harness.calls.at(-1)!.requestContext.identity;
    expect([identity.apiKey, identity.apiKeyId]).toEqual([harness.credentials.apiKeys.pos, harness.api.usagePlans.find((plan) => plan.name === 'tributary-pos')!.apiKeys[0]!.id]);
  });

  it('answers 429 Limit Exceeded once a producer has used its daily quota, while another producer still gets through', async () => {
    // Act
    const batch = [];
    for (let index = 0; index < 4; index++) batch.push(await post(harness.credentials.apiKeys.batch));
    const pos = await post(harness.credentials.apiKeys.pos);

    // Assess
    expect(batch.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(batch[3]!.body).toEqual({ message: 'Limit Exceeded' });
    expect(pos.status).toBe(200);
  });

  it('logs the producer of each keyed request', async () => {
    // Prepare
    harness.accessLog.length = 0;

    // Act
    await post(harness.credentials.apiKeys.pos);

    // Assess
    await expect.poll(() => harness.accessLog.length).toBe(1);
    expect(harness.accessLog[0]).toEqual(expect.objectContaining({ producer: 'pos', status: 200, userArn: harness.credentials.identities.producer.arn }));
  });

  it("answers a preflight from each configured origin with the MOCK's headers, unsigned", async () => {
    // Act
    const answers = await Promise.all(
      ['http://localhost:5173', 'https://dash.example.com'].map((origin) =>
        harness.send('/metrics/orders-per-region', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } }),
      ),
    );

    // Assess
    expect(
      answers.map((answer) => [
        answer.status,
        answer.headers['access-control-allow-origin'],
        answer.headers['access-control-allow-methods'],
        answer.headers['access-control-allow-headers'],
        answer.headers['access-control-max-age'],
        answer.headers.vary,
      ]),
    ).toEqual(
      ['http://localhost:5173', 'https://dash.example.com'].map((origin) => [
        204,
        origin,
        'GET',
        'Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Api-Key,Content-Type',
        '600',
        'Origin',
      ]),
    );
  });

  it('gives a preflight from another origin, or none, no CORS headers', async () => {
    // Act
    const other = await harness.send('/events', { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    const none = await harness.send('/events', { method: 'OPTIONS' });

    // Assess
    for (const answer of [other, none]) {
      expect(answer.status).toBe(204);
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('lists OPTIONS among the allowed methods of a route with a preflight', async () => {
    // Act
    const answer = await harness.send('/metrics/orders-per-region', { method: 'DELETE', as: 'admin' });

    // Assess
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, OPTIONS');
  });
});

describe("Class: ApiGatewayServer, serving the synthesized API with authorization 'none'", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = new Harness(synthesizedRestApi({ authorization: 'none' }));
    await harness.start();
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  it('passes unsigned requests to every route, as the template says NONE', async () => {
    // Act
    const statuses = [
      (await harness.send('/events', { method: 'POST', body: EVENT })).status,
      (await harness.send('/events', { query: { key: 'c1' } })).status,
      (await harness.send('/metrics/orders-per-region')).status,
    ];

    // Assess
    expect(harness.api.routes.map((route) => route.authorizationType)).toEqual(['NONE', 'NONE', 'NONE']);
    expect(statuses).toEqual([200, 200, 200]);
    expect(harness.calls.at(-1)!.requestContext.identity.userArn).toBeNull();
  });
});
