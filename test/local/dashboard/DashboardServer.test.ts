import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalAlarmStatus } from '../../../local/alarms/LocalAlarmStatus';
import { DashboardServer, type DashboardState } from '../../../local/dashboard/DashboardServer';
import type { WindowView } from '../../../local/dashboard/RecentWindows';
import { sendRaw } from '../../support/rawHttp';
import { waitUntil } from '../../support/waitUntil';

const STATUS = { apiUrl: 'http://127.0.0.1:3000/v1', hostRunning: true, hostRestarts: 0, deadEmulators: [] };
const WINDOW: WindowView = {
  metric: 'orders-per-region',
  group: 'eu-west',
  windowStart: 60_000,
  windowEnd: 120_000,
  state: 'open',
  eventCount: 2,
  lateEvents: 0,
  values: { orders: 2, revenue: 40 },
  updatedAtMs: 121_000,
  changeId: '4900',
  receivedAtMs: 121_500,
};

/** A page following the live stream, reading it as a browser's EventSource does. */
interface StreamReader {
  readonly response: http.IncomingMessage;
  events(): { event: string; data: string }[];
  close(): void;
}

function openStream(url: string): Promise<StreamReader> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}api/windows/stream`, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', () => undefined);
      resolve({
        response,
        events: () =>
          text
            .split('\n\n')
            .filter((block) => block.includes('data: '))
            .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: /^data: (.*)$/m.exec(block)![1]! })),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

describe('Class: DashboardServer', () => {
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (state: Partial<DashboardState> = {}): Promise<string> => {
    server = new DashboardServer(() => ({ status: STATUS, samples: [], ...state }));
    return server.listen(0);
  };

  it("serves the page with the Producers note: offline keys from `tributary credentials`, on AWS the ProducerPolicyArn output", async () => {
    // Prepare
    const url = await start();

    // Act
    const page = await fetch(url);
    const html = await page.text();

    // Assess
    expect(page.status).toBe(200);
    const note = html.slice(html.indexOf('<section id="producers">'), html.indexOf('</section>', html.indexOf('<section id="producers">')));
    expect(note).toContain('<h2>Producers</h2>');
    expect(note).toContain('eval "$(npx tributary credentials --role producer)"');
    expect(note).toContain('curl --aws-sigv4 "aws:amz:us-east-1:execute-api"');
    expect(note).toContain('attach the stack output <code>ProducerPolicyArn</code>');
    expect(note).toContain('docs/operations/deploy.md#onboard-a-producer');
  });

  it('serves uPlot itself under /vendor/ and the page loads it from there, never from a CDN', async () => {
    // Prepare
    const url = await start();
    const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

    // Act
    const [html, script, css, pageScript] = await Promise.all(['', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css', 'dashboard.js'].map((route) => fetch(`${url}${route}`)));

    // Assess
    const page = await html!.text();
    expect(page).toContain('<script src="/vendor/uPlot.iife.min.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/vendor/uPlot.min.css">');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(script!.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script!.text()).toBe(readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8'));
    expect(css!.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css!.text()).toBe(readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8'));
    expect(await pageScript!.text()).toContain("new EventSource('/api/windows/stream')");
    expect(html!.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('answers unknown routes, other methods and other hosts with JSON errors', async () => {
    // Prepare
    const url = await start();
    const port = Number(new URL(url).port);

    // Act
    const unknown = await fetch(`${url}etc/passwd`);
    const traversal = await sendRaw(port, `GET /vendor/../../package.json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const post = await fetch(`${url}api/history`, { method: 'POST', body: '{}' });
    const rebinding = await sendRaw(port, 'GET /api/history HTTP/1.1\r\nHost: attacker.example:80\r\n\r\n');

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    expect(((await unknown.json()) as { message: string }).message).toContain('the dashboard serves /, /index.html, /dashboard.js');
    expect(traversal.responses[0]!.statusCode).toBe(404);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(rebinding.responses[0]!.statusCode).toBe(403);
    expect(JSON.parse(rebinding.responses[0]!.body)).toEqual({ message: 'the dashboard answers requests for 127.0.0.1 only' });
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    // Prepare
    const url = await start();
    const port = Number(new URL(url).port);

    // Act
    const badUrl = await sendRaw(port, `GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const garbage = await sendRaw(port, '\u0000\u0001 not http at all\r\n\r\n');
    const badHeader = await sendRaw(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nBad Header Name: x\r\n\r\n`);
    const after = await fetch(`${url}api/history`);

    // Assess
    expect(badUrl.responses[0]!.statusCode).toBe(400);
    expect(garbage.responses[0]!.statusCode).toBe(400);
    expect(badHeader.responses[0]!.statusCode).toBe(400);
    expect(after.status).toBe(200);
  });

  it('serves the alarms the host reports, and says so when it reports none', async () => {
    // Prepare
    const alarm: LocalAlarmStatus = {
      logicalId: 'LateEventRateAlarm',
      alarmName: 'Tributary-Objectives-LateEventRate-Warning',
      description: 'late-event rate above 1 %',
      severity: 'warning',
      metricLabel: 'late-event rate (%)',
      comparison: '>',
      threshold: 1,
      periodSeconds: 300,
      offlinePeriodSeconds: 10,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      state: 'ALARM',
      reason: '3 of 3 datapoints above 1',
      lastValue: 2,
    };
    const url = await start({ alarms: [alarm] });
    const other = new DashboardServer(() => ({ status: STATUS, samples: [] }));
    const otherUrl = await other.listen(0);

    // Act
    const withAlarms = await (await fetch(`${url}api/alarms`)).json();
    const without = await (await fetch(`${otherUrl}api/alarms`)).json();
    await other.close();

    // Assess
    expect(withAlarms).toEqual({ evaluated: true, alarms: [alarm] });
    expect(without).toEqual({ evaluated: false, alarms: [] });
  });

  it('streams the windows as server-sent events: the snapshot first, then each change, to every page', async () => {
    // Prepare
    const url = await start({ windows: { metrics: [{ name: 'orders-per-region', window: 'tumbling 60 s', aggregations: ['orders'], windows: [] }] } });
    const pages = await Promise.all([openStream(url), openStream(url), openStream(url)]);
    await waitUntil('3 pages following', () => server!.streamClients === 3);

    // Act
    server!.publishWindow(WINDOW);
    server!.publishAlert({ type: 'metric-alert', status: 'raised', metric: 'checkout-errors-5m' });

    // Assess
    for (const page of pages) {
      expect(page.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const events = await waitUntil('the change and the alert', () => (page.events().length >= 4 ? page.events() : undefined), 5_000);
      expect(events.map((event) => event.event)).toEqual(['snapshot', 'alerts', 'window', 'alert']);
      expect(JSON.parse(events[0]!.data)).toEqual({ metrics: [{ name: 'orders-per-region', window: 'tumbling 60 s', aggregations: ['orders'], windows: [] }] });
      expect(JSON.parse(events[1]!.data)).toEqual({ configured: false, alerts: [] });
      expect(JSON.parse(events[2]!.data)).toEqual(WINDOW);
      page.close();
    }
  });

  it('forgets pages that disconnect and keeps publishing to the others', async () => {
    // Prepare
    const url = await start();
    const leaving = await Promise.all(Array.from({ length: 5 }, () => openStream(url)));
    const staying = await openStream(url);
    await waitUntil('6 pages following', () => server!.streamClients === 6);

    // Act
    for (const page of leaving) page.close();
    await waitUntil('the 5 closed pages to be forgotten', () => server!.streamClients === 1);
    server!.publishWindow(WINDOW);

    // Assess
    const events = await waitUntil('the change', () => (staying.events().some((event) => event.event === 'window') ? staying.events() : undefined), 5_000);
    expect(JSON.parse(events.find((event) => event.event === 'window')!.data)).toEqual(WINDOW);
    staying.close();
  });

  it('turns away pages beyond 64 on the stream with 503, and serves the rest of the dashboard as before', async () => {
    // Prepare
    const url = await start();
    const pages = await Promise.all(Array.from({ length: 64 }, () => openStream(url)));
    await waitUntil('64 pages following', () => server!.streamClients === 64);

    // Act
    const turnedAway = await fetch(`${url}api/windows/stream`);
    const history = await fetch(`${url}api/history`);

    // Assess
    expect(turnedAway.status).toBe(503);
    expect(turnedAway.headers.get('retry-after')).toBe('10');
    expect(history.status).toBe(200);
    for (const page of pages) page.close();
  });

  it('answers 500 when reading the state fails, and keeps serving', async () => {
    // Prepare
    let fail = true;
    server = new DashboardServer(() => {
      if (fail) throw new Error('history broken');
      return { status: STATUS, samples: [] };
    });
    const url = await server.listen(0);

    // Act
    const broken = await fetch(`${url}api/history`);
    fail = false;
    const fixed = await fetch(`${url}api/history`);

    // Assess
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'dashboard error: history broken' });
    expect(fixed.status).toBe(200);
  });

  it('listens on 127.0.0.1 only', async () => {
    const url = await start();
    expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});
