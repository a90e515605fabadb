import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalApiClient } from '../../../local/credentials/LocalApiClient';
import { writeLocalCredentials } from '../../../local/credentials/LocalCredentials';
import { authenticateFuzzRequest } from '../../../local/fuzz/authenticateFuzzRequest';
import { fuzzCases } from '../../../local/fuzz/fuzzCases';
import { httpRequest, type RawRequest } from '../../../local/fuzz/rawRequest';
import { parseAuthorization, referenceSignature } from '../../support/referenceSigV4';

const credentials = writeLocalCredentials(mkdtempSync(path.join(tmpdir(), 'tributary-fuzz-auth-')), ['checkout']);
const client = new LocalApiClient('http://127.0.0.1:3000/v1', credentials);
const NOW_MS = Date.UTC(2026, 10, 22, 8, 0, 0);

/** The headers of a raw request's head, names lower-cased. */
function headersOf(request: RawRequest): Record<string, string> {
  const lines = request.head.split('\r\n').slice(1).filter((line) => line !== '');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
}

/** Whether the reference accepts the signature of the request as it would go on the wire. */
function verifies(request: RawRequest): boolean {
  const headers = headersOf(request);
  const { credential, signedHeaders, signature } = parseAuthorization(headers.authorization!);
  const accessKeyId = credential.split('/')[0]!;
  const identity = Object.values(credentials.identities).find((candidate) => candidate.accessKeyId === accessKeyId)!;
  const target = request.head.split(' ')[1]!;
  return (
    referenceSignature({
      method: request.head.split(' ')[0]!,
      path: target.split('?')[0]!,
      query: target.split('?')[1] ?? '',
      headers: Object.fromEntries(signedHeaders.map((name) => [name, headers[name]!])),
      body: request.body ?? '',
      accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      region: 'us-east-1',
      service: 'execute-api',
      amzDate: headers['x-amz-date']!,
    }) === signature
  );
}

describe('Function: authenticateFuzzRequest', () => {
  const post = httpRequest('POST', '/v1/events', { 'content-type': 'application/json' }, '{"type":"order.created","key":"k","data":{"note":"漢"}}');
  const read = httpRequest('GET', '/v1/metrics/orders-per-region?group=eu%20west&from=1');

  it('signs a well-formed request as the role of its route, over the bytes it sends, with the API key on POST /events', async () => {
    const signedPost = await authenticateFuzzRequest(post, 'signed', 'v1', client, NOW_MS);
    const signedRead = await authenticateFuzzRequest(read, 'signed', 'v1', client, NOW_MS);

    expect(verifies(signedPost)).toBe(true);
    expect(verifies(signedRead)).toBe(true);
    expect(headersOf(signedPost)['x-api-key']).toBe(credentials.apiKeys.checkout);
    expect(headersOf(signedPost).authorization).toContain(`Credential=${credentials.identities.producer.accessKeyId}/20261122/`);
    expect(headersOf(signedRead).authorization).toContain(`Credential=${credentials.identities['metrics-reader'].accessKeyId}/20261122/`);
    expect(signedPost.body).toEqual(post.body);
  });

  it('spoils, backdates or leaves unsigned the cases that must fail authentication', async () => {
    const spoiled = await authenticateFuzzRequest(post, 'bad-signature', 'v1', client, NOW_MS);
    const stale = await authenticateFuzzRequest(post, 'stale-signature', 'v1', client, NOW_MS);

    expect(verifies(spoiled)).toBe(false);
    expect(verifies(stale)).toBe(true);
    expect(headersOf(stale)['x-amz-date']).toBe('20261122T070000Z');
    expect(await authenticateFuzzRequest(post, 'unsigned', 'v1', client, NOW_MS)).toBe(post);
    const garbage = { head: 'GARBAGE\r\n\r\n' };
    expect(await authenticateFuzzRequest(garbage, 'signed', 'v1', client, NOW_MS)).toBe(garbage);
  });
});

describe('Function: fuzzCases', () => {
  it('generates a few requests that fail authentication, every one on a real route', () => {
    const cases = fuzzCases({ stage: 'v1', nowMs: NOW_MS, metrics: ['orders-per-region'], runId: 't' }, 7, 1_000);
    const failing = cases.filter((fuzzCase) => fuzzCase.auth !== 'signed');

    expect(failing.length).toBeGreaterThan(20);
    expect(failing.length).toBeLessThan(120);
    expect(new Set(failing.map((fuzzCase) => fuzzCase.auth))).toEqual(new Set(['unsigned', 'bad-signature', 'stale-signature', 'garbage-authorization']));
    for (const fuzzCase of failing) expect(fuzzCase.request.head).toMatch(/^(POST \/v1\/events|GET \/v1\/metrics\/orders-per-region\?group=eu-west|GET \/v1\/events\?key=customer-1) HTTP\/1\.1\r\n/);
  });
});
