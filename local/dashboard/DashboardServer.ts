import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { LocalAlarmStatus } from '../alarms/LocalAlarmStatus';
import type { RecentWindowsSnapshot, WindowView } from './RecentWindows';
import type { LastMinute, StatsSample } from './StatsHistory';

/** What the dashboard shows besides the charts. */
export interface DashboardStatus {
  readonly apiUrl: string;
  readonly hostRunning: boolean;
  readonly hostRestarts: number;
  readonly deadEmulators: readonly string[];
}

/** The objectives' thresholds, drawn as lines on their charts (infra/constructs/ALARM_THRESHOLDS.ts). */
export interface ObjectiveThresholds {
  readonly consumerLagP95Ms: number;
  readonly batchDurationP95Ms: number;
  readonly lateEventRatePercent: number;
  readonly duplicateRatePercent: number;
}

/** The `metric-alert` events seen, or that the stack has no such topic. */
export interface AlertsView {
  readonly configured: boolean;
  readonly alerts: readonly Readonly<Record<string, unknown>>[];
}

/** Everything the page reads, at the moment it asks. */
export interface DashboardState {
  readonly status: DashboardStatus;
  readonly samples: readonly StatsSample[];
  readonly lastMinute?: LastMinute;
  readonly thresholds?: ObjectiveThresholds;
  /** undefined: the host has not reported yet. */
  readonly alarms?: readonly LocalAlarmStatus[];
  readonly alerts?: AlertsView;
  readonly windows?: RecentWindowsSnapshot;
}

/** How many pages may follow the live stream at once; more get 503 (each holds a socket). */
const MAX_STREAM_CLIENTS = 64;
/** An SSE client that stops reading: dropped once this much waits in its socket buffer. */
const MAX_BUFFERED_BYTES = 1_000_000;
/** A comment line this often keeps proxies and the browser from timing the stream out. */
const HEARTBEAT_MS = 15_000;

const VENDOR_DIR = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
/** Every file the server serves, read once at listen: nothing a browser sends names a path on disk. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: path.join(__dirname, 'dashboard.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { file: path.join(__dirname, 'dashboard.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: path.join(__dirname, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: path.join(VENDOR_DIR, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: path.join(VENDOR_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

// The page's own script and uPlot only, from this server: no CDN, no inline script (uPlot sizes its elements through
// CSSOM, which CSP allows; the page's innerHTML carries style attributes, hence 'unsafe-inline' for styles only).
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Serves the local dashboard on 127.0.0.1: the page, uPlot, the JSON it
 * charts (`/api/history`, `/api/alarms`, `/api/alerts`, `/api/windows`) and the
 * live window changes as server-sent events (`/api/windows/stream`). Whatever a
 * browser sends gets an answer (404/405/400 as JSON), never a crash.
 */
export class DashboardServer {
  private server: http.Server | undefined;
  private readonly streams = new Set<http.ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private port = 0;

  public constructor(private readonly read: () => DashboardState) {}

  /** Listens on `port` (0 for a free one) and returns the dashboard URL. */
  public async listen(port: number): Promise<string> {
    const files = new Map(Object.entries(FILES).map(([route, { file, type }]) => [route, { body: readFileSync(file), type }]));
    this.server = http.createServer((request, response) => {
      try {
        this.handle(request, response, files);
      } catch (error) {
        // A bug in a route answers 500 for that request; the supervisor keeps running.
        if (!response.headersSent) json(response, 500, { message: `dashboard error: ${(error as Error).message}` });
        else response.destroy();
      }
    });
    // A request line Node cannot parse: answer 400 and close, as any server would.
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"message":"malformed request"}');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Pushes a changed window to every page following the stream. */
  public publishWindow(view: WindowView): void {
    this.broadcast(`event: window\ndata: ${JSON.stringify(view)}\n\n`);
  }

  /** Pushes a `metric-alert` event to every page following the stream. */
  public publishAlert(alert: Readonly<Record<string, unknown>>): void {
    this.broadcast(`event: alert\ndata: ${JSON.stringify(alert)}\n\n`);
  }

  /** How many pages follow the stream now. */
  public get streamClients(): number {
    return this.streams.size;
  }

  public async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets of pages left open would hold close() forever.
      server.closeAllConnections();
    });
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse, files: ReadonlyMap<string, { body: Buffer; type: string }>): void {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    } catch {
      json(response, 400, { message: 'malformed URL' });
      return;
    }
    // DNS rebinding: a page of another site whose name resolves to 127.0.0.1 sends its own Host; only ours is answered.
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      json(response, 403, { message: 'the dashboard answers requests for 127.0.0.1 only' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      json(response, 405, { message: 'the dashboard is read-only: GET only' });
      return;
    }
    const file = files.get(pathname);
    if (file) {
      response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      response.end(request.method === 'HEAD' ? undefined : file.body);
      return;
    }
    switch (pathname) {
      case '/api/history': {
        const state = this.read();
        json(response, 200, { status: state.status, samples: state.samples, lastMinute: state.lastMinute ?? null, thresholds: state.thresholds ?? null });
        return;
      }
      case '/api/alarms': {
        const alarms = this.read().alarms;
        json(response, 200, { evaluated: alarms !== undefined, alarms: alarms ?? [] });
        return;
      }
      case '/api/alerts':
        json(response, 200, this.read().alerts ?? { configured: false, alerts: [] });
        return;
      case '/api/windows':
        json(response, 200, this.read().windows ?? { metrics: [] });
        return;
      case '/api/windows/stream':
        this.openStream(request, response);
        return;
      default:
        json(response, 404, { message: `no such page: the dashboard serves ${[...Object.keys(FILES), '/api/history', '/api/alarms', '/api/alerts', '/api/windows', '/api/windows/stream'].join(', ')}` });
    }
  }

  /** Server-sent events: the current windows first, then each change as it arrives. */
  private openStream(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (this.streams.size >= MAX_STREAM_CLIENTS) {
      response.setHeader('retry-after', '10');
      json(response, 503, { message: `at most ${MAX_STREAM_CLIENTS} pages follow the live stream at once` });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', ...SECURITY_HEADERS });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    this.streams.add(response);
    const forget = (): void => {
      this.streams.delete(response);
    };
    request.once('close', forget);
    response.once('close', forget);
    response.once('error', forget);
    // The browser reconnects after this long when the stream breaks (the supervisor restarting).
    const state = this.read();
    response.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(state.windows ?? { metrics: [] })}\n\n`);
    response.write(`event: alerts\ndata: ${JSON.stringify(state.alerts ?? { configured: false, alerts: [] })}\n\n`);
  }

  private broadcast(chunk: string): void {
    for (const stream of this.streams) {
      if (stream.destroyed || stream.writableEnded) {
        this.streams.delete(stream);
        continue;
      }
      // A page that stopped reading (a frozen tab) must not grow the supervisor's memory without bound.
      if (stream.writableLength > MAX_BUFFERED_BYTES) {
        this.streams.delete(stream);
        stream.destroy();
        continue;
      }
      stream.write(chunk);
    }
  }
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS });
  response.end(JSON.stringify(body));
}
