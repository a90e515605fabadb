import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalCredentials, type LocalCredentials } from '../../local/credentials/LocalCredentials';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { smithySignedHeaders } from '../support/smithySigning';
import { waitUntil } from '../support/waitUntil';

let pipeline: RunningPipeline;
let credentials: LocalCredentials;
const minuteMs = 60_000;
// A recent window: DynamoDB Local honours TTL.
const windowStart = Math.floor(Date.now() / minuteMs) * minuteMs - 5 * minuteMs;
// A region no other test writes, so the count is this test's alone.
const region = `auth-${process.pid}`;

/** A request to the running pipeline's API, signed as `role` with smithy when given. */
async function call(
  method: 'GET' | 'POST',
  pathAndQuery: string,
  role?: keyof LocalCredentials['identities'],
  body?: string,
): Promise<{ status: number; json: any }> {
  const url = new URL(`${pipeline.info.apiUrl}${pathAndQuery}`);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const signed = role
    ? await smithySignedHeaders(credentials.identities[role], {
        method,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        ...(body !== undefined ? { body } : {}),
      })
    : headers;
  const response = await fetch(url, { method, headers: signed, ...(body !== undefined ? { body } : {}) });
  return { status: response.status, json: await response.json() };
}

describe('Offline pipeline, end to end: the local API enforces the signature', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
    credentials = readLocalCredentials(pipeline.stateDir)!;
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('refuses an unsigned POST /events with 403 and accepts and counts a signed one', async () => {
    // Prepare
    const body = JSON.stringify({ events: [{ type: 'order.created', key: 'auth-1', time: windowStart + 1_000, data: { region, amount: 5 } }] });

    // Act
    const unsigned = await call('POST', '/events', undefined, body);
    const signed = await call('POST', '/events', 'producer', body);

    // Assess
    expect([unsigned.status, unsigned.json]).toEqual([403, { message: 'Missing Authentication Token' }]);
    expect(signed.status).toBe(200);
    expect(signed.json.accepted).toBe(1);
    const query = `/metrics/orders-per-region?group=${region}&from=${windowStart}&to=${windowStart + minuteMs}`;
    const counted = await waitUntil('the signed event counted', async () => {
      const result = await call('GET', query, 'metrics-reader');
      return result.json.windows?.length === 1 ? result : undefined;
    });
    expect(counted.json.windows.map((window: any) => [window.eventCount, window.values.orders, window.values.revenue])).toEqual([[1, 1, 5]]);
    const unsignedRead = await call('GET', query);
    expect(unsignedRead.status).toBe(403);
  });

  it('prints the Keys block and a signed curl in the banner, lists nothing UNSUPPORTED, and logs every request', () => {
    // Act
    const output = pipeline.output();
    const accessLog = readFileSync(path.join(pipeline.stateDir, 'logs', 'api-access.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));

    // Assess
    expect(output).toContain(`producer ${credentials.identities.producer.accessKeyId}   admin ${credentials.identities.admin.accessKeyId}`);
    expect(output).not.toContain(credentials.identities.producer.secretAccessKey);
    expect(output).toContain('eval "$(npx tributary credentials --role metrics-reader)"');
    expect(output).toContain(`curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" '${pipeline.info.apiUrl}/metrics/orders-per-region?group=eu-west'`);
    expect(output).not.toContain('UNSUPPORTED');
    const posts = accessLog.filter((entry) => entry.httpMethod === 'POST');
    expect(posts.map((entry) => [entry.status, entry.userArn, entry.errorType])).toEqual([
      [403, '-', 'MISSING_AUTHENTICATION_TOKEN'],
      [200, credentials.identities.producer.arn, '-'],
    ]);
  });
});
