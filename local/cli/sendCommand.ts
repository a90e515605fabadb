import { existsSync, readFileSync } from 'node:fs';
import { signedFetch } from '../../adapters/apigateway/signedFetch';
import { backdateEvent } from './backdateEvent';
import { CliError } from './CliError';
import { explainForbidden } from './explainForbidden';
import { inEvenShare } from './inEvenShare';
import { postEvents, type PostSummary } from './postEvents';
import { resolveApiTarget } from './resolveApiTarget';
import { syntheticCheckout } from './syntheticCheckout';
import { syntheticOrder } from './syntheticOrder';

export interface SendOptions {
  readonly url?: string;
  readonly file?: string;
  readonly rate: number;
  readonly durationSeconds?: number;
  readonly count?: number;
  readonly batchSize: number;
  /** `--api-key`: the x-api-key value (default TRIBUTARY_API_KEY, locally the producer's key). */
  readonly apiKey?: string;
  /** `--producer`: whose local API key to send. */
  readonly producer?: string;
  /** `--type`: which synthetic events (without --file). @default 'orders' */
  readonly type?: SyntheticType;
  /** `--error-rate`: the share of synthetic checkouts that fail, 0–1. @default 0.02 */
  readonly errorRate?: number;
  /** `--late-rate`: the share of synthetic events sent with an event time 10 minutes old (late for every bundled window), 0–1. @default 0 */
  readonly lateRate?: number;
}

/** The synthetic loads `send` generates: `order.created`, or `checkout.completed` / `checkout.failed`. */
export type SyntheticType = 'orders' | 'checkout';

/** Failing share of synthetic checkouts unless `--error-rate` says otherwise: below the example alert's 5 %. */
export const DEFAULT_CHECKOUT_ERROR_RATE = 0.02;

/**
 * `tributary send`: posts events from an NDJSON file, or synthetic orders at a
 * steady rate, with a progress line. Ctrl-C (SIGINT) or SIGTERM stops the
 * sending; the summary then says how far it got and `interrupted` is set.
 */
export async function sendCommand(options: SendOptions): Promise<PostSummary> {
  // No silent default URL: without a runtime file, whatever listens on :3000 is not known to be this pipeline.
  const target = resolveApiTarget({
    role: 'producer',
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.producer !== undefined ? { producer: options.producer } : {}),
  });
  const url = `${target.baseUrl}/events`;
  const events = options.file ? readNdjson(options.file) : undefined;
  const total = events ? events.length : (options.count ?? Math.round(options.rate * (options.durationSeconds ?? 10)));
  if (total <= 0) throw new CliError('nothing to send: give --count, --duration or a non-empty --file');
  const errorRate = options.errorRate ?? DEFAULT_CHECKOUT_ERROR_RATE;
  const synthetic = options.type === 'checkout' ? (index: number) => syntheticCheckout(index, errorRate) : (index: number) => syntheticOrder(index);
  const lateRate = options.lateRate ?? 0;
  const next = events
    ? (index: number) => events[index]
    : (index: number) => (lateRate > 0 && inEvenShare(index, lateRate) ? backdateEvent(synthetic(index)) : synthetic(index));

  const interrupt = new AbortController();
  // A terminal's Ctrl-C reaches this process twice (from the tty and relayed by bin/tributary.js); aborting twice is harmless.
  const stop = (): void => interrupt.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const interactive = process.stderr.isTTY === true;
  let summary: PostSummary;
  try {
    summary = await postEvents(url, total, next, {
      ratePerSecond: options.rate,
      batchSize: options.batchSize,
      signal: interrupt.signal,
      send: (requestUrl, init) => signedFetch(requestUrl, init, target.signing),
      explainForbidden: (message) => explainForbidden(message, target),
      onProgress: (progress) => {
        const line = `sent ${progress.sent}/${total} · accepted ${progress.accepted} · rejected ${progress.rejected} · failed ${progress.failed} · ${progress.ratePerSecond.toFixed(0)} ev/s`;
        if (interactive) process.stderr.write(`\r\x1b[2K${line}`);
      },
    });
  } finally {
    if (interactive) process.stderr.write('\n');
  }
  console.log(
    `${summary.interrupted ? `interrupted after ${summary.sent} of ${total} event(s) sent: ` : ''}` +
      `${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.failed} failed` +
      `${summary.unanswered > 0 ? `, ${summary.unanswered} unanswered (accepted or not, unknown)` : ''}` +
      ` in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.ratePerSecond.toFixed(0)} ev/s)`,
  );
  for (const rejection of summary.firstRejections) {
    const where = events ? `line ${rejection.index + 1}` : `event ${rejection.index}`;
    console.log(`  ${where}: ${rejection.reason}`);
  }
  return summary;
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
