import { describe, expect, it } from 'vitest';
import { GatewayResponseError } from '../../../local/host/GatewayResponseError';
import { smithySignedHeaders } from '../../support/smithySigning';
import { MAX_CLOCK_SKEW_MS, verifySignature, type ReceivedRequest } from '../../../local/host/verifySignature';

const KEY = { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl' };
const SIGNED_AT_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const scope = (nowMs: number) => ({ region: 'us-east-1', nowMs, secretOf: (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined) });

/** What smithy (default options) sends for a request, as the server receives it: raw headers, path and query as on the wire. */
async function smithySigned(input: { method: string; path: string; query?: Record<string, string | string[]>; wireQuery: string; body?: string }): Promise<ReceivedRequest> {
  const headers = await smithySignedHeaders(KEY, {
    method: input.method,
    port: 3000,
    path: input.path,
    query: input.query ?? {},
    headers: { 'content-type': 'application/json' },
    ...(input.body !== undefined ? { body: input.body } : {}),
    signingDate: new Date(SIGNED_AT_MS),
  });
  return {
    method: input.method,
    rawPath: input.path,
    rawQuery: input.wireQuery,
    rawHeaders: Object.entries(headers).flat(),
    body: Buffer.from(input.body ?? ''),
  };
}

const refusal = (run: () => unknown): GatewayResponseError => {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayResponseError) return error;
    throw error;
  }
  throw new Error('expected a GatewayResponseError');
};

describe('Function: verifySignature', () => {
  it('verifies what smithy signs: a body, a repeated query parameter (sorted), an escaped path segment', async () => {
    // Prepare
    const request = await smithySigned({
      method: 'POST',
      path: '/v1/metrics/orders%20eu',
      query: { b: ['2', '1'], a: 'x y' },
      wireQuery: 'b=2&b=1&a=x%20y',
      body: '{"events":[]}',
    });

    // Act
    const verified = verifySignature(request, scope(SIGNED_AT_MS));

    // Assess
    expect(verified).toEqual({ accessKeyId: KEY.accessKeyId });
  });

  it("verifies a query with invalid escapes and a '+' as a client that decodes leniently signs it", async () => {
    // Prepare: the wire has `%ZZ` (kept as written) and `%FF` (not UTF-8: U+FFFD) and a plus that stays a plus.
    const request = await smithySigned({ method: 'GET', path: '/v1/events', query: { a: '%ZZ', b: '\uFFFD', c: 'x+y' }, wireQuery: 'a=%ZZ&b=%FF&c=x+y' });

    // Act
    const verified = verifySignature(request, scope(SIGNED_AT_MS));

    // Assess
    expect(verified).toEqual({ accessKeyId: KEY.accessKeyId });
  });

  it("accepts a date up to 5 minutes either side of the clock (API Gateway's window) and refuses one just beyond, with the dates in the message", async () => {
    // Prepare
    const request = await smithySigned({ method: 'GET', path: '/v1/events', wireQuery: '' });

    // Act
    const atLimit = [verifySignature(request, scope(SIGNED_AT_MS + MAX_CLOCK_SKEW_MS)), verifySignature(request, scope(SIGNED_AT_MS - MAX_CLOCK_SKEW_MS))];
    const late = refusal(() => verifySignature(request, scope(SIGNED_AT_MS + MAX_CLOCK_SKEW_MS + 1_000)));
    const early = refusal(() => verifySignature(request, scope(SIGNED_AT_MS - MAX_CLOCK_SKEW_MS - 1_000)));

    // Assess
    expect(atLimit).toEqual([{ accessKeyId: KEY.accessKeyId }, { accessKeyId: KEY.accessKeyId }]);
    expect([late.statusCode, late.body]).toEqual([403, { message: 'Signature expired: 20261201T120000Z is now earlier than 20261201T120001Z (20261201T120501Z - 5 min.)' }]);
    expect([early.statusCode, early.body]).toEqual([
      403,
      { message: 'Signature not yet current: 20261201T120000Z is still later than 20261201T115959Z (20261201T115459Z + 5 min.)' },
    ]);
  });

  it('refuses a changed method, path, query, signed header or body as a signature mismatch', async () => {
    // Prepare
    const request = await smithySigned({ method: 'POST', path: '/v1/events', query: { a: '1' }, wireQuery: 'a=1', body: '{}' });
    const withHeader = (name: string, value: string): string[] =>
      request.rawHeaders.map((item, index) => (index % 2 === 1 && request.rawHeaders[index - 1] === name ? value : item));

    // Act
    const outcomes = [
      { ...request, method: 'PUT' },
      { ...request, rawPath: '/v1/events2' },
      { ...request, rawQuery: 'a=2' },
      { ...request, rawHeaders: withHeader('host', '127.0.0.1:3001') },
      { ...request, body: Buffer.from('{ }') },
    ].map((changed) => refusal(() => verifySignature(changed, scope(SIGNED_AT_MS))).responseType);

    // Assess
    expect(outcomes).toEqual(['INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'INVALID_SIGNATURE']);
  });

  it('answers no Authorization header with Missing Authentication Token and an unknown key with the invalid-token message', async () => {
    // Prepare
    const request = await smithySigned({ method: 'GET', path: '/v1/events', wireQuery: '' });
    const unsigned = { ...request, rawHeaders: ['host', '127.0.0.1:3000'] };

    // Act
    const missing = refusal(() => verifySignature(unsigned, scope(SIGNED_AT_MS)));
    const unknown = refusal(() => verifySignature(request, { ...scope(SIGNED_AT_MS), secretOf: () => undefined }));

    // Assess
    expect([missing.responseType, missing.body]).toEqual(['MISSING_AUTHENTICATION_TOKEN', { message: 'Missing Authentication Token' }]);
    expect([unknown.responseType, unknown.body]).toEqual(['UNAUTHORIZED', { message: 'The security token included in the request is invalid.' }]);
  });

  it('refuses a signature scoped to another date than X-Amz-Date, naming both', async () => {
    // Prepare
    const request = await smithySigned({ method: 'GET', path: '/v1/events', wireQuery: '' });
    const rawHeaders = request.rawHeaders.map((item, index) => (index % 2 === 1 && request.rawHeaders[index - 1] === 'x-amz-date' ? '20261202T120000Z' : item));

    // Act
    const error = refusal(() => verifySignature({ ...request, rawHeaders }, scope(Date.UTC(2026, 11, 2, 12))));

    // Assess
    expect(error.body).toEqual({
      message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261201' != '20261202', from '20261202T120000Z'.",
    });
  });

  it('refuses a signature that is not 64 hex digits without throwing anything but its 403', async () => {
    // Prepare
    const request = await smithySigned({ method: 'GET', path: '/v1/events', wireQuery: '' });
    const rawHeaders = request.rawHeaders.map((item, index) =>
      index % 2 === 1 && request.rawHeaders[index - 1] === 'authorization' ? item.replace(/Signature=[0-9a-f]+/, 'Signature=é☃') : item,
    );

    // Act
    const error = refusal(() => verifySignature({ ...request, rawHeaders }, scope(SIGNED_AT_MS)));

    // Assess
    expect(error.responseType).toBe('INVALID_SIGNATURE');
  });
});
