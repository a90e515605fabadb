import type { SignedRequestInit } from '../../adapters/apigateway/signedFetch';
import { CliError } from './CliError';
import { findRefusedConnection } from './describeFailure';

/** Sends one request: fetch, or a signing fetch (adapters/apigateway/signedFetch.ts). */
export type SendRequest = (url: string, init: SignedRequestInit) => Promise<Response>;

export interface PostProgress {
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly ratePerSecond: number;
}

export interface PostSummary extends PostProgress {
  readonly elapsedMs: number;
  /** Up to five rejections with their reasons, by event index. */
  readonly firstRejections: readonly { index: number; reason: string }[];
  /** Whether `signal` stopped the run (Ctrl-C): the counts are those of the events sent until then. */
  readonly interrupted: boolean;
  /** Events whose request was still unanswered when an interrupted run gave up on it: accepted or not, nobody knows. */
  readonly unanswered: number;
}

export interface PostOptions {
  readonly ratePerSecond: number;
  readonly batchSize: number;
  readonly onProgress?: (progress: PostProgress) => void;
  /** Aborting stops sending; requests in flight get `inFlightGraceMs` to answer. */
  readonly signal?: AbortSignal;
  /** @default 2000 */
  readonly inFlightGraceMs?: number;
  /**
   * Requests in flight at once: a producer's connection pool. At ~250 ms per request of 100
   * events offline, 4 carry at most ~1,600 events/s.
   * @default 4
   */
  readonly maxInFlight?: number;
  /** How each request goes out. @default fetch (unsigned) */
  readonly send?: SendRequest;
  /** The advice a 403 ends the run with, from API Gateway's message: every other request would be refused the same way. */
  readonly explainForbidden?: (message: string) => string;
}

interface IngestAnswer {
  results?: { index: number; status: string; errors?: { field: string; message: string }[]; error?: string }[];
  message?: string;
}

/**
 * Posts `total` events in batches at a steady rate (ticks of 100 ms), keeping
 * at most `maxInFlight` (4) requests in flight, and tallies the per-event answers. A
 * refused connection ends the run with a CliError that carries the tallies so
 * far; other request failures count their events as failed and the run goes on.
 */
export async function postEvents(url: string, total: number, eventAt: (index: number) => unknown, options: PostOptions): Promise<PostSummary> {
  if (!(options.ratePerSecond > 0)) throw new CliError('--rate must be a positive number of events per second');
  const started = Date.now();
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let failed = 0;
  let unanswered = 0;
  let unreachable = false;
  let forbidden: string | undefined;
  const send = options.send ?? ((url: string, init: SignedRequestInit) => fetch(url, init));
  const firstRejections: { index: number; reason: string }[] = [];
  const noteFailure = (index: number, reason: string): void => {
    if (firstRejections.length < 5) firstRejections.push({ index, reason });
  };
  const inFlight = new Set<Promise<void>>();
  // Aborted only after the grace period of an interrupted run, so a request that was about to answer is counted.
  const requests = new AbortController();
  // Events answered, not sent: sends run a tick ahead, so the first progress line would claim 50 events in 1 ms.
  const rate = (): number => ((accepted + rejected + failed) / Math.max(1, Date.now() - started)) * 1_000;
  const stopped = (): boolean => unreachable || forbidden !== undefined || options.signal?.aborted === true;

  // Never rejects: a rejection waiting in `inFlight` between ticks would be unhandled and crash the process.
  const postBatch = async (firstIndex: number, count: number): Promise<void> => {
    const events = Array.from({ length: count }, (_, offset) => eventAt(firstIndex + offset));
    let response: Response;
    let answer: IngestAnswer;
    try {
      response = await send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }), signal: requests.signal });
      answer = (await response.json().catch((error: unknown) => {
        if (requests.signal.aborted) throw error;
        return {};
      })) as IngestAnswer;
    } catch (error) {
      if (requests.signal.aborted) unanswered += count;
      else if (findRefusedConnection(error)) unreachable = true;
      else {
        failed += count;
        noteFailure(firstIndex, `request failed: ${String((error as Error).cause ?? (error as Error).message)}`);
      }
      return;
    }
    if (response.status === 403) {
      // IAM, the API key or the policy: no retry helps, so the run stops and says what to fix.
      failed += count;
      forbidden ??= answer.message ?? (answer as { Message?: string }).Message ?? 'Forbidden';
      return;
    }
    if (!answer.results) {
      failed += count;
      noteFailure(firstIndex, `HTTP ${response.status}: ${answer.message ?? 'no per-event results'}`);
      return;
    }
    for (const result of answer.results) {
      if (result.status === 'accepted') {
        accepted += 1;
      } else if (result.status === 'rejected') {
        rejected += 1;
        noteFailure(firstIndex + result.index, (result.errors ?? []).map((error) => `${error.field} ${error.message}`).join('; '));
      } else {
        failed += 1;
      }
    }
  };

  const tickMs = 100;
  let nextTick = started;
  while (sent < total && !stopped()) {
    const due = Math.min(total, Math.ceil(((Date.now() - started + tickMs) / 1_000) * options.ratePerSecond));
    while (sent < due && !stopped()) {
      const count = Math.min(options.batchSize, due - sent);
      const promise: Promise<void> = postBatch(sent, count).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
      sent += count;
      if (inFlight.size >= (options.maxInFlight ?? 4)) await Promise.race(inFlight);
    }
    options.onProgress?.({ sent, accepted, rejected, failed, ratePerSecond: rate() });
    nextTick += tickMs;
    await sleep(Math.max(0, nextTick - Date.now()), options.signal);
  }
  if (options.signal?.aborted) {
    await Promise.race([Promise.all(inFlight), sleep(options.inFlightGraceMs ?? 2_000)]);
    requests.abort();
  }
  await Promise.all(inFlight);
  options.onProgress?.({ sent, accepted, rejected, failed, ratePerSecond: rate() });
  if (unreachable) {
    const before = accepted + rejected + failed > 0 ? ` (it stopped answering after ${accepted} accepted, ${rejected} rejected, ${failed} failed)` : '';
    throw new CliError(`no pipeline is answering at ${url}${before}: start it with \`npm start\` (or pass --url)`);
  }
  if (forbidden !== undefined) {
    const before = accepted > 0 ? ` after ${accepted} event(s) accepted` : '';
    throw new CliError(`${options.explainForbidden?.(forbidden) ?? `the API refused the request (403 ${JSON.stringify(forbidden)})`}${before ? ` (stopped${before})` : ''}`);
  }
  return {
    sent,
    accepted,
    rejected,
    failed,
    ratePerSecond: rate(),
    elapsedMs: Date.now() - started,
    firstRejections,
    interrupted: options.signal?.aborted === true,
    unanswered,
  };
}

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
