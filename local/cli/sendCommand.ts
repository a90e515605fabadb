import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './CliError';
import { postEvents, type PostSummary } from './postEvents';
import { syntheticOrder } from './syntheticOrder';

export interface SendOptions {
  readonly url?: string;
  readonly file?: string;
  readonly rate: number;
  readonly durationSeconds?: number;
  readonly count?: number;
  readonly batchSize: number;
}

/** `tributary send`: posts events from an NDJSON file, or synthetic orders at a steady rate, with a progress line. */
export async function sendCommand(options: SendOptions): Promise<PostSummary> {
  const url = `${options.url ?? discoverApiUrl()}/events`;
  const events = options.file ? readNdjson(options.file) : undefined;
  const total = events ? events.length : (options.count ?? Math.round(options.rate * (options.durationSeconds ?? 10)));
  if (total <= 0) throw new CliError('Nothing to send: give --count, --duration or a non-empty --file');
  const next = events ? (index: number) => events[index] : (index: number) => syntheticOrder(index);

  const interactive = process.stderr.isTTY === true;
  const summary = await postEvents(url, total, next, {
    ratePerSecond: options.rate,
    batchSize: options.batchSize,
    onProgress: (progress) => {
      const line = `sent ${progress.sent}/${total} · accepted ${progress.accepted} · rejected ${progress.rejected} · failed ${progress.failed} · ${progress.ratePerSecond.toFixed(0)} ev/s`;
      if (interactive) process.stderr.write(`\r\x1b[2K${line}`);
    },
  });
  if (interactive) process.stderr.write('\n');
  console.log(
    `${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.failed} failed in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.ratePerSecond.toFixed(0)} ev/s)`,
  );
  for (const rejection of summary.firstRejections) {
    const where = events ? `line ${rejection.index + 1}` : `event ${rejection.index}`;
    console.log(`  ${where}: ${rejection.reason}`);
  }
  return summary;
}

function discoverApiUrl(): string {
  const runtimeFile = path.resolve(process.env.TRIBUTARY_STATE_DIR ?? '.tributary', 'runtime.json');
  if (existsSync(runtimeFile)) return (JSON.parse(readFileSync(runtimeFile, 'utf8')) as { apiUrl: string }).apiUrl;
  return 'http://127.0.0.1:3000/v1';
}

function readNdjson(file: string): unknown[] {
  if (!existsSync(file)) throw new CliError(`--file ${file}: no such file`);
  const events: unknown[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        events.push(JSON.parse(line));
      } catch (error) {
        throw new CliError(`--file ${file}, line ${index + 1}: not valid JSON (${(error as Error).message}); nothing was sent`);
      }
    });
  return events;
}
