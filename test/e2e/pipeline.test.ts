import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListTopicsCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createLocalClients } from '../../local/aws/localClients';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

let pipeline: RunningPipeline;
const minuteMs = 60_000;
// Recent windows: DynamoDB Local honours TTL, and windows expire 90 days after they end.
const base = Math.floor(Date.now() / minuteMs) * minuteMs - 10 * minuteMs;

const order = (region: string, amount: number, offsetMs: number, key = 'c1') => ({
  type: 'order.created',
  key,
  time: base + offsetMs,
  data: { region, amount },
});

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const response = await pipeline.api.fetch(`/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function metric(query: string): Promise<{ status: number; json: any }> {
  const response = await pipeline.api.fetch(`/metrics/${query}`);
  return { status: response.status, json: await response.json() };
}

const portOpen = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ port: Number(new URL(url).port), host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

// Two e2e files run at once on two cores (the fuzz run among them): the consumers can lag tens of seconds.
describe('Offline pipeline, end to end (npm start → HTTP → Kinesis → aggregator → DynamoDB → query API)', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('answers each event of a batch and counts the accepted ones into exact per-window aggregates', async () => {
    // Prepare: eu-west gets 3 orders in minute 0 and 1 in minute 2; us-east 2 in minute 0; one invalid event.
    const events = [
      order('eu-west', 10, 1_000),
      order('eu-west', 2.5, 59_999, 'c2'),
      order('us-east', 7, 30_000, 'c3'),
      { type: 'order.created', key: 'c4', time: 'not a time', data: { region: 'eu-west', amount: 100 } },
      order('eu-west', 1, 0, 'c5'),
      order('us-east', 3, 45_000, 'c6'),
      order('eu-west', 4, 2 * minuteMs + 5, 'c7'),
      { type: 'page.viewed', key: 'c8', time: base, data: { region: 'eu-west' } },
    ];

    // Act
    const ingest = await post({ events });

    // Assess the ingest answer: one rejected with its reason, the rest accepted with ids.
    expect(ingest.status).toBe(207);
    expect(ingest.json.accepted).toBe(7);
    expect(ingest.json.rejected).toBe(1);
    expect(ingest.json.results[3]).toEqual({
      index: 3,
      status: 'rejected',
      errors: [{ field: 'events[3].time', message: 'must be an ISO-8601 date-time with a timezone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds' }],
    });

    // Assess the aggregates, read back through the query API.
    const range = `from=${base}&to=${base + 5 * minuteMs}`;
    const expectedEu = [
      { windowStart: base, windowEnd: base + minuteMs, eventCount: 3, orders: 3, revenue: 13.5 },
      { windowStart: base + 2 * minuteMs, windowEnd: base + 3 * minuteMs, eventCount: 1, orders: 1, revenue: 4 },
    ];
    const eu = await waitUntil('eu-west windows', async () => {
      const result = await metric(`orders-per-region?group=eu-west&${range}`);
      const windows = result.json.windows?.map((w: any) => ({ windowStart: w.windowStart, windowEnd: w.windowEnd, eventCount: w.eventCount, orders: w.values.orders, revenue: w.values.revenue }));
      return JSON.stringify(windows) === JSON.stringify(expectedEu) ? result : undefined;
    });
    expect(eu.status).toBe(200);
    expect(eu.json.windows[0].start).toBe(new Date(base).toISOString());
    const us = await metric(`orders-per-region?group=us-east&${range}`);
    expect(us.json.windows.map((window: any) => [window.eventCount, window.values.orders, window.values.revenue, window.values.largestOrder, window.values.customers])).toEqual([
      [2, 2, 10, 7, 2],
    ]);
  });

  it('accepts a single event posted on its own', async () => {
    const single = await post(order('ap-south', 5, 3 * minuteMs));
    expect(single.status).toBe(200);
    expect(single.json.results).toEqual([{ index: 0, status: 'accepted', id: expect.stringMatching(/^[0-9A-Z]{26}$/) }]);
    const windows = await waitUntil('ap-south window', async () => {
      const result = await metric(`orders-per-region?group=ap-south&from=${base}&to=${base + 5 * minuteMs}`);
      return result.json.windows?.length === 1 ? result.json.windows : undefined;
    });
    expect(windows[0]).toMatchObject({ windowStart: base + 3 * minuteMs, eventCount: 1, values: { orders: 1, revenue: 5 } });
  });

  it('counts a re-sent event once: the same key and id, in another request or twice in one', async () => {
    // Prepare: a producer retries after a lost response, and a buggy one repeats an event in a batch.
    const event = { ...order('me-central', 8, 4 * minuteMs, 'd1'), id: 'order-4711' };

    // Act: the marker goes last on the same key, so once it is counted, every copy before it was processed.
    expect((await post(event)).status).toBe(200);
    expect((await post({ events: [event, event] })).json.accepted).toBe(2);
    await post({ ...order('me-central', 1, 4 * minuteMs + 1, 'd1'), id: 'order-4712' });

    // Assess
    const windows = await waitUntil('me-central window with the marker', async () => {
      const result = await metric(`orders-per-region?group=me-central&from=${base}&to=${base + 5 * minuteMs}`);
      return result.json.windows?.[0]?.values.revenue >= 9 ? result.json.windows : undefined;
    });
    expect(windows[0]).toMatchObject({ eventCount: 2, values: { orders: 2, revenue: 9 } });
  });

  it('publishes one count-value-updated event per change of a window, old and new values chained, on the SNS topic', async () => {
    // Prepare: a queue subscribed to the topic, as a dashboard service would be.
    const clients = createLocalClients(pipeline.info.endpoints);
    const topicArn = (await clients.sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((arn) => arn.includes('CountValueUpdated'))!;
    const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `dashboard-${Date.now()}` }))).QueueUrl!;
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    const region = `changes-${Date.now()}`;

    // Act: two orders, then a third, into one window.
    await post({ events: [order(region, 3, 1_000, 'w1'), order(region, 4, 2_000, 'w1')] });
    await waitUntil('the first two orders counted', async () => (await metric(`orders-per-region?group=${region}&from=${base}&to=${base + minuteMs}`)).json.windows?.[0]?.eventCount === 2);
    await post(order(region, 5, 3_000, 'w1'));

    // Assess: the events for this window, in order, each old value the previous new one, none twice.
    const received: any[] = [];
    await waitUntil('the change with three orders', async () => {
      const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of Messages ?? []) {
        const body = JSON.parse(message.Body!);
        if (body.group === region) received.push(body);
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
      return received.some((e) => e.new?.eventCount === 3);
    }, 60_000, 100);
    const changes = received.filter((e) => !e.final).sort((a, b) => a.new.eventCount - b.new.eventCount);
    expect(changes[0]).toMatchObject({ type: 'count-value-updated', metric: 'orders-per-region', group: region, windowStart: base, windowEnd: base + minuteMs, old: null });
    for (let i = 1; i < changes.length; i++) expect(changes[i].old).toEqual(changes[i - 1].new);
    expect(changes.map((e) => e.new.eventCount).at(-1)).toBe(3);
    expect(changes.at(-1).new.values).toMatchObject({ orders: 3, revenue: 12 });
    expect(new Set(received.map((e) => e.changeId)).size).toBe(received.length);
    expect((await metric(`orders-per-region?group=${region}&from=${base}&to=${base + minuteMs}`)).json.windows[0].eventCount).toBe(3);
  });

  it('sends an NDJSON file with `tributary send`, reporting accepted and rejected lines', async () => {
    // Prepare
    const file = path.join(pipeline.stateDir, 'events.ndjson');
    const lines = [order('sa-east', 1, 0, 'n1'), order('sa-east', 2, 1, 'n2'), { type: 'order.created', key: 'n3', data: {} }].map((event) => JSON.stringify(event));
    writeFileSync(file, `${lines.join('\n')}\n`);

    // Act
    const run = spawnSync(process.execPath, ['bin/tributary.js', 'send', '--file', file], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, TRIBUTARY_STATE_DIR: pipeline.stateDir },
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^2 accepted, 1 rejected, 0 failed in /);
    expect(run.stdout).toContain('line 3: events[2].time is required');
    const windows = await waitUntil('sa-east window', async () => {
      const result = await metric(`orders-per-region?group=sa-east&from=${base}&to=${base + minuteMs}`);
      return result.json.windows?.[0]?.eventCount === 2 ? result.json.windows : undefined;
    }, 60_000, 100);
    expect(windows[0].values).toMatchObject({ orders: 2, revenue: 3, averageOrder: 1.5 });
  });

  it('names the line of an NDJSON file that is not JSON, and sends nothing', () => {
    const file = path.join(pipeline.stateDir, 'broken.ndjson');
    writeFileSync(file, `${JSON.stringify(order('x', 1, 0))}\n{oops\n`);
    const run = spawnSync(process.execPath, ['bin/tributary.js', 'send', '--file', file, '--url', pipeline.info.apiUrl], {
      cwd: path.resolve(__dirname, '..', '..'),
      // A loopback --url signs with the credentials of the pipeline's state dir.
      env: { ...process.env, TRIBUTARY_STATE_DIR: pipeline.stateDir, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tributary: --file .*broken\.ndjson, line 2: not valid JSON \(.+\); nothing was sent\n$/);
  });

  it('gives clear 4xx answers through the local API Gateway', async () => {
    expect(await metric('nope?group=x')).toEqual({ status: 404, json: { message: 'Unknown metric "nope"; declared metrics: orders-per-region, checkout-errors-5m, user-sessions' } });
    expect((await metric('orders-per-region')).status).toBe(400);
    const malformed = await pipeline.api.fetch(`/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events": [' });
    expect(malformed.status).toBe(400);
    const tooLarge = await pipeline.api.fetch(`/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 't', key: 'k', time: 0, data: { blob: 'x'.repeat(10 * 1024 * 1024) } }),
    });
    expect(tooLarge.status).toBe(413);
    const noRoute = await pipeline.api.fetch(`/nowhere`);
    expect(noRoute.status).toBe(404);
    expect(((await noRoute.json()) as { message: string }).message).toContain('routes: POST /v1/events, GET /v1/events, GET /v1/metrics/{name}');
  });

  it('archives every accepted event, readable by key and by type in time order, a page at a time', async () => {
    // Prepare: five events of one key and type, posted out of time order.
    const offsets = [40_000, 10_000, 50_000, 20_000, 30_000];
    const posted = await post({ events: offsets.map((offset, i) => ({ id: `archive-${i}`, type: 'archive.checked', key: 'archive-key', time: base + offset, data: { i } })) });
    expect(posted.json.accepted).toBe(5);
    const inOrder = ['archive-1', 'archive-3', 'archive-4', 'archive-0', 'archive-2'];
    const range = `from=${base}&to=${base + minuteMs}`;

    // Act + Assess: by key in one page.
    const byKey = await waitUntil('the archived events', async () => {
      const response = await pipeline.api.fetch(`/events?key=archive-key&${range}`);
      const json = (await response.json()) as { events: { id: string }[] };
      return json.events.length === 5 ? json : undefined;
    });
    expect(byKey.events.map((event) => event.id)).toEqual(inOrder);

    // By type, two per page, following the cursor. The archive writes an event's row
    // before its type page, so the type view may lag the key view for a moment: wait for it.
    const byType = await waitUntil('the events by type', async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const response = await pipeline.api.fetch(`/events?type=archive.checked&${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(response.status).toBe(200);
        const page = (await response.json()) as { events: { id: string; data: unknown }[]; cursor?: string };
        ids.push(...page.events.map((event) => event.id));
        cursor = page.cursor;
      } while (cursor);
      return ids.length === 5 ? ids : undefined;
    });
    expect(byType).toEqual(inOrder);

    const badCursor = await pipeline.api.fetch(`/events?type=archive.checked&${range}&cursor=garbage`);
    expect(badCursor.status).toBe(400);
    expect(((await badCursor.json()) as { message: string }).message).toContain('Query parameter "cursor" is not a cursor this API issued');
  });

  it('charts the traffic on the local dashboard', async () => {
    const page = await fetch(pipeline.info.dashboardUrl!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Tributary · local pipeline</title>');
    // How a producer gets credentials, offline and on AWS.
    expect(html).toContain('<section id="producers"><h2>Producers</h2>');
    expect(html).toContain('npx tributary credentials --role producer');
    expect(html).toContain('ProducerPolicyArn');
    const history = await waitUntil('samples with ingest traffic', async () => {
      const body = (await (await fetch(`${pipeline.info.dashboardUrl}api/history`)).json()) as {
        status: { apiUrl: string; hostRunning: boolean };
        samples: { requestsPerSecond: Record<string, number>; recordsPerSecond: number }[];
      };
      return body.samples.some((sample) => (sample.requestsPerSecond['POST /events'] ?? 0) > 0) ? body : undefined;
    });
    expect(history.status).toMatchObject({ apiUrl: pipeline.info.apiUrl, hostRunning: true });
    expect(history.samples.some((sample) => sample.recordsPerSecond > 0)).toBe(true);
  });

  it('survives a kill -9 of the function host: the supervisor restarts it and it resumes from its checkpoints', async () => {
    // Prepare: the eu-west windows from the first test are in place.
    const range = `from=${base}&to=${base + 5 * minuteMs}`;
    const before = (await metric(`orders-per-region?group=eu-west&${range}`)).json.windows;
    const hostPid = Number(readFileSync(path.join(pipeline.stateDir, 'host.pid'), 'utf8'));

    // Act: crash the host the way an OOM or a hardware fault would, then send more once it is back.
    process.kill(hostPid, 'SIGKILL');
    await waitUntil('a new host', () => Number(readFileSync(path.join(pipeline.stateDir, 'host.pid'), 'utf8')) !== hostPid, 30_000, 100);
    const after = await waitUntil('the API to answer again', async () => (await post(order('eu-west', 6, 4 * minuteMs))).json, 30_000, 200);
    expect(after.accepted).toBe(1);

    // Assess: the new window is counted once, and nothing before the checkpoint was counted again.
    const windows = await waitUntil('the new window', async () => {
      const result = (await metric(`orders-per-region?group=eu-west&${range}`)).json.windows;
      return result?.length === before.length + 1 ? result : undefined;
    });
    // Counts and values unchanged (the state may move on: the new event advances the watermark).
    const content = (list: any[]) => list.map(({ windowStart, eventCount, values }) => ({ windowStart, eventCount, values }));
    expect(content(windows.slice(0, before.length))).toEqual(content(before));
    expect(windows[before.length]).toMatchObject({ windowStart: base + 4 * minuteMs, eventCount: 1, values: { orders: 1, revenue: 6 } });
  });

  it('stops every process it started on SIGTERM', async () => {
    const code = await pipeline.stop();
    expect(code).toBe(0);
    for (const url of [pipeline.info.apiUrl, pipeline.info.endpoints.kinesis, pipeline.info.endpoints.dynamodb, pipeline.info.endpoints.sqs]) {
      expect(await portOpen(url)).toBe(false);
    }
  });
});
