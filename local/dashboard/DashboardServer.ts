import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { StatsSample } from './StatsHistory';

/** What the dashboard shows besides the charts. */
export interface DashboardStatus {
  readonly apiUrl: string;
  readonly hostRunning: boolean;
  readonly hostRestarts: number;
  readonly deadEmulators: readonly string[];
}

const PAGE = path.join(__dirname, 'dashboard.html');

/** Serves the local dashboard page and the history it charts, on 127.0.0.1. */
export class DashboardServer {
  private server: http.Server | undefined;

  public constructor(private readonly read: () => { status: DashboardStatus; samples: readonly StatsSample[] }) {}

  /** Listens on `port` (0 for a free one) and returns the dashboard URL. */
  public async listen(port: number): Promise<string> {
    const page = readFileSync(PAGE);
    this.server = http.createServer((request, response) => {
      if (request.url === '/' || request.url === '/index.html') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(page);
      } else if (request.url === '/api/history') {
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        response.end(JSON.stringify(this.read()));
      } else {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'The dashboard serves / and /api/history' }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  public async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
