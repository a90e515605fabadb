import type { SendRequest } from '../local/cli/postEvents';

/** What a paced load run measured at the sender. */
export interface SendMeter {
  /**
   * Events answered per second in steady state: those answered after the
   * first answer, over the time from the first answer to the last. Dividing
   * all events by the time from the first send to the last answer (postEvents'
   * own rate) counts one request's latency as if it were throughput: a
   * pipeline that answered a 2,000 ev/s schedule on time for 15 s, at 500 ms a
   * request, reads 1,935 ev/s that way.
   */
  readonly answeredPerSecond: number;
  /**
   * How late the latest request went out against its schedule (its first
   * event's index over the rate): postEvents holds a request back while its
   * connections are all busy, so a pipeline that cannot keep up shows here
   * as seconds, one that can as at most a tick.
   */
  readonly maxBehindScheduleMs: number;
  readonly requests: number;
}

/**
 * Wraps postEvents' sender to time the answers and the sends of a paced run
 * of `ratePerSecond`: requests go out in event order, so the events already
 * sent give each request's scheduled time.
 */
export function meteredSend(send: SendRequest, ratePerSecond: number): { readonly send: SendRequest; summary(): SendMeter } {
  let startedAt: number | undefined;
  let eventsSent = 0;
  let maxBehindScheduleMs = 0;
  const answers: { atMs: number; events: number }[] = [];
  return {
    send: async (url, init) => {
      const now = Date.now();
      startedAt ??= now;
      const events = (JSON.parse(String(init.body)) as { events: unknown[] }).events.length;
      maxBehindScheduleMs = Math.max(maxBehindScheduleMs, now - (startedAt + (eventsSent / ratePerSecond) * 1_000));
      eventsSent += events;
      const response = await send(url, init);
      answers.push({ atMs: Date.now(), events });
      return response;
    },
    summary: () => {
      // Pushed as they come: already in answer order.
      const spanMs = answers.length < 2 ? 0 : answers[answers.length - 1]!.atMs - answers[0]!.atMs;
      const afterFirst = answers.slice(1).reduce((sum, answer) => sum + answer.events, 0);
      return { answeredPerSecond: spanMs > 0 ? (afterFirst / spanMs) * 1_000 : 0, maxBehindScheduleMs: Math.round(maxBehindScheduleMs), requests: answers.length };
    },
  };
}
