import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardServer } from '../../local/dashboard/DashboardServer';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * The local dashboard in a real browser (Debian's headless Chromium) over a
 * real offline pipeline: the business view updates live from count-value-updated
 * (no reload), and uPlot draws the charts with their labelled axes.
 */
let pipeline: RunningPipeline;
let context: BrowserContext;
let page: Page;
let userDataDir: string;

async function send(events: unknown[]): Promise<void> {
  const response = await pipeline.api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(((await response.json()) as { accepted: number }).accepted).toBe(events.length);
}

/** The text of one aggregation's cell for a group's window, or undefined while the row is not there. */
async function cell(metric: string, group: string, field: string): Promise<string | undefined> {
  return page.evaluate(
    ([m, g, f]) => {
      const row = [...(globalThis as any).document.querySelectorAll(`section[data-metric="${m}"] tr[data-group]`)].find((r) => (r as any).dataset.group === g);
      return row?.querySelector(`[data-aggregation="${f}"], [data-field="${f}"]`)?.textContent ?? undefined;
    },
    [metric, group, field] as const,
  );
}

/** A headline figure's value by the start of its label (`consumer lag p95`), as the page shows it. */
async function headline(label: string): Promise<string | undefined> {
  return page.evaluate((start) => {
    const figures = [...(globalThis as any).document.querySelectorAll('#headline .figure')];
    return figures.find((figure: any) => figure.querySelector('span').textContent.startsWith(start))?.querySelector('b').textContent ?? undefined;
  }, label);
}

// The callbacks of page.evaluate run in the browser, serialized: they reach the page through globalThis (typed any,
// the Node project has no DOM types), never through a variable of this file.
describe('The local dashboard in headless Chromium', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    // Fail at once, saying what to do, rather than with playwright's launch error after the pipeline started.
    if (!existsSync('/usr/bin/chromium')) throw new Error("this test drives Debian's Chromium: sudo apt-get install -y chromium (.ci/run installs it)");
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
    userDataDir = mkdtempSync(path.join(tmpdir(), 'tributary-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await pipeline?.stop();
  });

  it('shows the values just sent in the business view, live, without a reload', async () => {
    // Prepare: the page is open and follows the stream before anything is sent.
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pipeline.info.dashboardUrl!);
    await page.waitForSelector('section[data-metric="orders-per-region"]');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('windows-live')?.textContent?.includes('connected'));
    await page.evaluate(() => {
      (globalThis as any).sameDocument = true;
    });
    const region = `dash-${Date.now() % 100_000}`;
    // Both orders in one minute window (orders-per-region is tumbling by the minute): two
    // seconds apart straddle a minute boundary one run in sixty, and each window then holds one.
    const second = Date.now() - 1_000;
    const first = Math.max(second - 1_000, second - (second % 60_000));

    // Act
    await send([
      { type: 'order.created', key: 'c-1', time: first, data: { region, amount: 10 } },
      { type: 'order.created', key: 'c-2', time: second, data: { region, amount: 32 } },
    ]);

    // Assess
    await waitUntil('the window of 2 orders on the page', async () => (await cell('orders-per-region', region, 'orders')) === '2', 60_000, 200);
    expect(await cell('orders-per-region', region, 'revenue')).toBe('42');
    expect(await cell('orders-per-region', region, 'largestOrder')).toBe('32');
    expect(await cell('orders-per-region', region, 'eventCount')).toBe('2');
    expect(await cell('orders-per-region', region, 'customers')).toBe('2');
    expect(await page.evaluate(() => (globalThis as any).sameDocument)).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it('draws every chart with uPlot, on clock-time axes labelled with their units', async () => {
    // Prepare: a second of traffic, so the charts have something to draw.
    await send(Array.from({ length: 50 }, (_, i) => ({ type: 'order.created', key: `k-${i}`, time: Date.now() - 500, data: { region: 'charted', amount: i } })));

    // Act
    // The headline counts the last minute: both tests' 52 events (orders-per-region is the only metric they match).
    await page.waitForFunction(() => Number((globalThis as any).document.querySelector('#headline .figure b')?.textContent) >= 52, undefined, { timeout: 30_000 });
    // The DLQ depths are read every 5 s: their series appear with the first read.
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#chart-dlq .u-legend .u-label').length >= 4, undefined, { timeout: 30_000 });
    const charts = await page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll('.chart')].map((element: any) => {
        const canvas = element.querySelector('canvas');
        let distinctColours = 0;
        if (canvas) {
          // A drawn chart has axes, grid and lines: many colours; a blank canvas has one.
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = new Set<number>();
          for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
          distinctColours = colours.size;
        }
        return {
          id: element.id,
          yLabel: element.dataset.yLabel,
          canvas: canvas !== null,
          distinctColours,
          legend: [...element.querySelectorAll('.u-legend .u-label')].map((label: any) => label.textContent),
        };
      }),
    );

    // Assess
    expect(charts.map((c) => c.id)).toEqual([
      'chart-requests',
      'chart-http-errors',
      'chart-records',
      'chart-errors',
      'chart-schedules',
      'chart-iterator-age',
      'chart-dlq',
      'chart-lag',
      'chart-batch',
      'chart-late-rate',
      'chart-duplicate-rate',
      'chart-counts',
      'chart-lag-per-metric',
      'chart-watermark',
    ]);
    for (const c of charts) {
      expect(c.canvas, c.id).toBe(true);
      expect(c.distinctColours, c.id).toBeGreaterThan(3);
      expect(c.legend[0], c.id).toBe('time');
    }
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId['chart-requests']).toMatchObject({ yLabel: 'requests / s' });
    expect(byId['chart-requests']!.legend).toContain('POST /events');
    expect(byId['chart-lag']).toMatchObject({ yLabel: 'ms (p95 per second)', legend: ['time', 'consumer lag p95', 'objective 5.0k ms'] });
    expect(byId['chart-late-rate']!.legend).toEqual(['time', 'late ÷ (late + counted)', 'objective 1 %']);
    expect(byId['chart-dlq']!.legend).toEqual(expect.arrayContaining(['time', 'Aggregator DLQ', 'Archiver DLQ', 'Changes DLQ']));
    expect(byId['chart-iterator-age']).toMatchObject({ yLabel: 'ms behind tip', legend: ['time', 'Aggregator ← Kinesis', 'Alerts ← table stream', 'Archiver ← Kinesis', 'Changes ← table stream'] });
    // The sections CloudWatch has and DynamoDB Local / no DAX cannot fill say so instead of drawing fake charts.
    const text = await page.textContent('body');
    expect(text).toContain('DynamoDB Local: no capacity metrics');
    expect(text).toContain('DAX has no emulator');
    expect(await page.textContent('#headline .figure span')).toMatch(/^events counted · last \d+ s$/);
    // Lag moves under load: the events were sent 500 ms after their event time, so the minute's p95 is at least that.
    const lag = await waitUntil('the lag p95 of the minute', async () => /^([\d.]+)(k?) ms$/.exec((await headline('consumer lag p95')) ?? '') ?? undefined, 30_000, 200);
    expect(Number(lag[1]) * (lag[2] ? 1_000 : 1)).toBeGreaterThanOrEqual(500);
    await page.screenshot({ path: '/tmp/dashboard.png', fullPage: true });
  });

  it('shows the late-event-rate alarm in alarm once 2 % of the events arrive late', async () => {
    // Prepare: the alarm is evaluated, and not in alarm yet.
    const state = (): Promise<string | undefined> =>
      page.evaluate(() => {
        const row = [...(globalThis as any).document.querySelectorAll('#alarms tr[data-alarm]')].find((r: any) => r.dataset.alarm.includes('LateEventRate'));
        return row?.dataset.state;
      });
    await waitUntil('the alarms table', async () => (await state()) !== undefined, 30_000, 200);
    expect(await state()).not.toBe('ALARM');

    // Act: 98 on-time and 2 late orders a second (ten minutes behind the watermark, beyond the minute's lateness).
    let sending = true;
    const load = (async () => {
      for (let second = 0; sending && second < 150; second++) {
        const now = Date.now();
        await send(
          Array.from({ length: 100 }, (_, i) => ({
            type: 'order.created',
            key: `late-${second}-${i}`,
            time: i < 2 ? now - 10 * 60_000 : now - 200,
            data: { region: 'late-load', amount: 1 },
          })),
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();

    // Assess
    try {
      await waitUntil('the late-event-rate alarm in ALARM on the page', async () => (await state()) === 'ALARM', 150_000, 500);
    } finally {
      sending = false;
      await load;
    }
    const row = await page.evaluate(() => {
      const found = [...(globalThis as any).document.querySelectorAll('#alarms tr[data-alarm]')].find((r: any) => r.dataset.alarm.includes('LateEventRate'));
      return { text: found.textContent.replace(/\s+/g, ' '), badge: (globalThis as any).getComputedStyle(found.querySelector('.state')).backgroundColor };
    });
    expect(row.text).toContain('warning');
    expect(row.badge).toBe('rgb(248, 81, 73)');
    // The headline's late rate over the last minute is near the 2 % sent.
    const late = Number((await headline('late-event rate'))?.replace(/[^\d.]/g, ''));
    expect(late).toBeGreaterThan(1);
    expect(late).toBeLessThan(3);
    await page.screenshot({ path: '/tmp/dashboard.png', fullPage: true });
  });
});

describe('The dashboard page against a dashboard server fed by the test', { timeout: 60_000 }, () => {
  let server: DashboardServer;
  let ownContext: BrowserContext;
  let ownDataDir: string;
  beforeAll(async () => {
    ownDataDir = mkdtempSync(path.join(tmpdir(), 'tributary-chromium-'));
    ownContext = await chromium.launchPersistentContext(ownDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // The page shows clock times in the browser's zone: fixed, so the window reads 00:00–00:05 on any machine.
      timezoneId: 'UTC',
    });
  });
  afterAll(async () => {
    await ownContext?.close();
    await server?.close();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  });

  it('lists metric-alert events as they arrive, and shows a hostile group name as text, never as markup', async () => {
    // Prepare
    server = new DashboardServer(() => ({
      status: { apiUrl: 'http://127.0.0.1:1/v1', hostRunning: true, hostRestarts: 0, deadEmulators: [] },
      samples: [],
      alerts: { configured: true, alerts: [] },
      windows: { metrics: [{ name: 'checkout-errors-5m', window: 'hopping 300 s every 60 s', aggregations: ['errorRate'], windows: [] }] },
    }));
    const own = await ownContext.newPage();
    await own.goto(await server.listen(0));
    await own.waitForFunction(() => (globalThis as any).document.getElementById('alerts')?.textContent?.includes('No metric-alert yet'));
    const hostile = '<img src=x onerror="globalThis.pwned=1">';

    // Act
    server.publishWindow({
      metric: 'checkout-errors-5m',
      group: hostile,
      windowStart: 0,
      windowEnd: 300_000,
      state: 'final',
      eventCount: 100,
      lateEvents: 0,
      values: { errorRate: 0.12 },
      updatedAtMs: 1,
      changeId: '1',
      receivedAtMs: 1,
    });
    server.publishAlert({
      type: 'metric-alert',
      state: 'raised',
      metric: 'checkout-errors-5m',
      alert: 'highErrorRate',
      group: hostile,
      windowStart: 0,
      windowEnd: 300_000,
      value: 0.12,
      threshold: 0.05,
      comparison: 'above',
      eventCount: 100,
      transitionId: 'checkout-errors-5m#highErrorRate#x#1',
    });

    // Assess
    await own.waitForFunction(() => (globalThis as any).document.querySelectorAll('#alerts tr[data-alert]').length === 1);
    const seen = await own.evaluate(() => {
      const doc = (globalThis as any).document;
      const alert = doc.querySelector('#alerts tr[data-alert]');
      return {
        alert: [...alert.querySelectorAll('td')].map((td: any) => td.textContent),
        badge: (globalThis as any).getComputedStyle(alert.querySelector('.state')).backgroundColor,
        group: doc.querySelector('section[data-metric="checkout-errors-5m"] tr[data-group] td').textContent,
        errorRate: doc.querySelector('section[data-metric="checkout-errors-5m"] [data-aggregation="errorRate"]').textContent,
        images: doc.querySelectorAll('img').length,
        pwned: (globalThis as any).pwned,
      };
    });
    expect(seen.alert).toEqual(['raised', 'checkout-errors-5m', 'highErrorRate', hostile, '00:00:00–00:05:00', '0.12', 'above 0.05', '100', '–']);
    expect(seen.badge).toBe('rgb(248, 81, 73)');
    expect(seen.group).toBe(hostile);
    expect(seen.errorRate).toBe('0.12');
    expect(seen.images).toBe(0);
    expect(seen.pwned).toBeUndefined();
  });
});
