import { CliError } from './CliError';

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
}

interface IngestAnswer {
  results?: { index: number; status: string; errors?: { field: string; message: string }[]; error?: string }[];
  message?: string;
}

/**
 * Posts `total` events in batches at a steady rate (ticks of 100 ms), keeping
 * at most four requests in flight, and tallies the per-event answers.
 */
export async function postEvents(
  url: string,
  total: number,
  eventAt: (index: number) => unknown,
  options: { ratePerSecond: number; batchSize: number; onProgress?: (progress: PostProgress) => void },
): Promise<PostSummary> {
  if (!(options.ratePerSecond > 0)) throw new CliError('--rate must be a positive number of events per second');
  const started = Date.now();
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let failed = 0;
  const firstRejections: { index: number; reason: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  const rate = (): number => (sent / Math.max(1, Date.now() - started)) * 1_000;

  const postBatch = async (firstIndex: number, count: number): Promise<void> => {
    const events = Array.from({ length: count }, (_, offset) => eventAt(firstIndex + offset));
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    } catch (error) {
      throw new CliError(`Cannot reach ${url} (${(error as Error).cause ? String((error as Error).cause) : (error as Error).message}). Is \`npm start\` running?`);
    }
    const answer = (await response.json().catch(() => ({}))) as IngestAnswer;
    if (!answer.results) {
      failed += count;
      if (firstRejections.length < 5) firstRejections.push({ index: firstIndex, reason: `HTTP ${response.status}: ${answer.message ?? 'no per-event results'}` });
      return;
    }
    for (const result of answer.results) {
      const index = firstIndex + result.index;
      if (result.status === 'accepted') {
        accepted += 1;
      } else if (result.status === 'rejected') {
        rejected += 1;
        if (firstRejections.length < 5) {
          firstRejections.push({ index, reason: (result.errors ?? []).map((error) => `${error.field} ${error.message}`).join('; ') });
        }
      } else {
        failed += 1;
      }
    }
  };

  const tickMs = 100;
  let nextTick = started;
  while (sent < total) {
    const due = Math.min(total, Math.ceil(((Date.now() - started + tickMs) / 1_000) * options.ratePerSecond));
    while (sent < due) {
      const count = Math.min(options.batchSize, due - sent);
      const promise: Promise<void> = postBatch(sent, count).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
      sent += count;
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    options.onProgress?.({ sent, accepted, rejected, failed, ratePerSecond: rate() });
    nextTick += tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextTick - Date.now())));
  }
  await Promise.all(inFlight);
  options.onProgress?.({ sent, accepted, rejected, failed, ratePerSecond: rate() });
  return { sent, accepted, rejected, failed, ratePerSecond: rate(), elapsedMs: Date.now() - started, firstRejections };
}
