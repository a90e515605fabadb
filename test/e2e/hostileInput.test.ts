import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClients } from '../../local/aws/localClients';
import { deadLetterDepth } from '../../local/aws/queueDepth';
import { scanTable } from '../../local/aws/scanTable';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * Every case of the issue "Accepted means stored and counted", end to end
 * through `npm start`: what the API accepts is archived as sent and counted,
 * or refused with the field and the reason — never in a DLQ.
 */
let pipeline: RunningPipeline;
const minuteMs = 60_000;
const base = Math.floor(Date.now() / minuteMs) * minuteMs - 3 * minuteMs;

async function postText(body: string): Promise<{ status: number; json: any }> {
  const response = await pipeline.api.fetch(`/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await pipeline.api.fetch(`${path}`);
  return { status: response.status, text: await response.text() };
}

/** An order as JSON text, so data can hold what JSON.stringify cannot write (digits beyond a double). */
const orderText = (key: string, offsetMs: number, dataText: string) => `{"type":"order.created","key":"${key}","time":${base + offsetMs},"data":${dataText}}`;

describe('Hostile input, end to end: accepted means stored and counted', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('archives and counts what a DynamoDB map could not hold, serving the producer its own digits', async () => {
    // Prepare: each class the archive used to send to its DLQ, in one region so they count in one window.
    const longName = 'n'.repeat(70_000);
    const deep = `${'{"a":'.repeat(30)}1${'}'.repeat(30)}`;
    const datas = [
      '{"region":"hostile","amount":1,"ns":12345678901234567890}',
      '{"region":"hostile","amount":1,"tiny":1e-100,"precise":0.1000000000000000000001}',
      '{"region":"hostile","amount":1,"":"empty name","__proto__":{"polluted":true},"constructor":{"x":1},"toString":"s"}',
      `{"region":"hostile","amount":1,"deep":${deep}}`,
      `{"region":"hostile","amount":1,"${longName}":1}`,
    ];

    // Act
    const ingest = await postText(`{"events":[${datas.map((data, i) => orderText(`hostile-${i}`, 1_000 + i, data)).join(',')}]}`);

    // Assess: all accepted, then each served back byte for byte as its data was sent.
    expect(ingest.json).toMatchObject({ accepted: 5, rejected: 0 });
    for (const [i, data] of datas.entries()) {
      const page = await waitUntil(`event ${i} archived`, async () => {
        const answer = await get(`/events?key=hostile-${i}&from=${base}&to=${base + minuteMs}`);
        return answer.text.includes('"data":') ? answer : undefined;
      }, 60_000, 200);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`"data":${data}`);
    }
    const window = await waitUntil('the hostile window', async () => {
      const answer = JSON.parse((await get(`/metrics/orders-per-region?group=hostile&from=${base}&to=${base + minuteMs}`)).text);
      return answer.windows[0]?.eventCount === 5 ? answer.windows[0] : undefined;
    }, 60_000, 200);
    expect(window.values.orders).toBe(5);
  });

  it('counts an amount of 1e16 and a 3,000-character region, readable by its real value', async () => {
    const region = 'r'.repeat(3_000);
    const ingest = await postText(`{"events":[${orderText('big-1', 2_000, '{"region":"huge","amount":1e16}')},${orderText('big-2', 2_001, '{"region":"huge","amount":1e16}')},${orderText('long-1', 2_002, `{"region":"${region}","amount":2}`)}]}`);
    expect(ingest.json).toMatchObject({ accepted: 3 });

    const huge = await waitUntil('the 1e16 window', async () => {
      const answer = JSON.parse((await get(`/metrics/orders-per-region?group=huge&from=${base}&to=${base + minuteMs}`)).text);
      return answer.windows[0]?.eventCount === 2 ? answer.windows[0] : undefined;
    }, 60_000, 200);
    expect(huge.values.revenue).toBe(2e16);
    const long = await waitUntil('the long-group window', async () => {
      const answer = JSON.parse((await get(`/metrics/orders-per-region?group=${region}&from=${base}&to=${base + minuteMs}`)).text);
      return answer.windows[0]?.eventCount === 1 ? answer : undefined;
    }, 60_000, 200);
    expect(long.group).toBe(region);
    expect(long.windows[0].values.revenue).toBe(2);
  });

  it('sends events stamped far ahead to the late output as future-event-time, and keeps counting on-time events after them', async () => {
    // Prepare: 16 events in 2099 (the year 2999 is refused outright now), then an on-time one.
    const future = Array.from({ length: 16 }, (_, i) => `{"type":"order.created","key":"f-${i}","time":"2099-06-01T00:00:00Z","data":{"region":"future","amount":1}}`);
    expect((await postText(`{"events":[${future.join(',')}]}`)).json).toMatchObject({ accepted: 16 });
    expect((await postText(`{"events":[${orderText('after-future', 4_000, '{"region":"after","amount":1}')}]}`)).json).toMatchObject({ accepted: 1 });

    // Assess
    await waitUntil('the on-time event to count', async () => JSON.parse((await get(`/metrics/orders-per-region?group=after&from=${base}&to=${base + minuteMs}`)).text).windows[0]?.eventCount === 1, 60_000, 200);
    const clients = createLocalClients(pipeline.info.endpoints);
    const table = ((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []).find((name) => name.startsWith('LateEventsTable'))!;
    const late = await waitUntil('the future events in the late output', async () => {
      const items = (await scanTable(clients.documents, table)).filter((item) => item.reason === 'future-event-time');
      return items.length === 16 ? items : undefined;
    }, 60_000, 200);
    expect(late.every((item) => item.metric === 'orders-per-region' && item.eventTime === Date.UTC(2099, 5, 1))).toBe(true);
    const watermark = JSON.parse((await get(`/metrics/orders-per-region?group=after&from=${base}&to=${base + minuteMs}`)).text).watermark;
    expect(watermark).toBeLessThan(Date.now() + 60_000);
  });

  it('refuses with the field and the reason what no consumer could store or aggregate', async () => {
    const answer = await postText(
      `{"events":[${[
        `{"type":"order.created","key":"k","time":"2026-02-30T00:00:00Z","data":{}}`,
        `{"type":"order.created","key":"k","time":"3000-01-01T00:00:00Z","data":{}}`,
        `{"type":"order.created","key":"k","time":${Math.floor(Date.now() / 1000)},"data":{}}`,
        orderText('k', 0, `{"note":"${'漢'.repeat(140_000)}"}`),
        orderText('k', 0, '{"amount":1e400}'),
        orderText('k', 0, `{"deep":${'['.repeat(40)}${']'.repeat(40)}}`),
      ].join(',')}]}`,
    );
    expect(answer.status).toBe(400);
    const errors = answer.json.results.map((result: { errors: { field: string; message: string }[] }) => result.errors[0]);
    expect(errors).toEqual([
      { field: 'events[0].time', message: 'is not a valid date-time: 2026-02-30T00:00:00Z' },
      { field: 'events[1].time', message: 'must be from 2000-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z' },
      { field: 'events[2].time', message: expect.stringMatching(/^looks like epoch seconds \(.+\); send epoch milliseconds \(\d{13}\)$/) },
      { field: 'events[3].data', message: expect.stringMatching(/^makes the event 420\d{3} bytes as stored/) },
      { field: 'events[4].data.amount', message: 'is beyond the range of a double (about ±1.8e308)' },
      { field: `events[5].data.deep${'[0]'.repeat(31)}`, message: 'nests deeper than 32 levels (counting data itself as 1)' },
    ]);
  });

  it('answers forged cursors and over-long parameters with a 400 naming them, a 2 KB group with its windows, and leaves every DLQ empty', async () => {
    const forged = Buffer.from(JSON.stringify({ query: `key:k:${base}:${base + minuteMs}`, lastSortKey: '~' })).toString('base64url');
    const refusal = async (path: string) => {
      const answer = await get(path);
      return { status: answer.status, message: JSON.parse(answer.text).message as string };
    };
    expect(await refusal(`/events?key=k&from=${base}&to=${base + minuteMs}&cursor=${forged}.AAAAAAAAAAAAAAAAAAAAAA`)).toEqual({
      status: 400,
      message: 'Query parameter "cursor" is not a cursor this API issued (pass back the "cursor" of the previous page unchanged)',
    });
    expect(await refusal(`/events?key=${'k'.repeat(300)}`)).toEqual({ status: 400, message: 'Query parameter "key" must be at most 256 characters, as at ingest (got 300)' });
    expect(await refusal(`/events?type=${'t'.repeat(300)}`)).toEqual({ status: 400, message: 'Query parameter "type" must be at most 256 characters, as at ingest (got 300)' });
    const group = await get(`/metrics/orders-per-region?group=${'g'.repeat(2_100)}`);
    expect(group.status).toBe(200);
    expect(JSON.parse(group.text).windows).toEqual([]);
    expect(await deadLetterDepth(createLocalClients(pipeline.info.endpoints).sqs)).toBe(0);
  });
});
