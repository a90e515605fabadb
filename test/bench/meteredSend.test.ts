import { afterEach, describe, expect, it, vi } from 'vitest';
import { meteredSend } from '../../bench/meteredSend';

const body = (events: number): string => JSON.stringify({ events: Array.from({ length: events }, () => ({})) });

describe('meteredSend', () => {
  afterEach(() => vi.useRealTimers());

  it('rates the answers after the first over the span between first and last answer, leaving out one request latency', async () => {
    vi.useFakeTimers({ now: 0 });
    const latencyMs = 500;
    const meter = meteredSend(async () => {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return new Response('{}');
    }, 1_000);
    // Ten requests of 100 events on a 1,000 ev/s schedule, each answered 500 ms after it went out.
    const answered: Promise<Response>[] = [];
    for (let request = 0; request < 10; request += 1) {
      answered.push(meter.send('http://127.0.0.1/events', { method: 'POST', body: body(100) }));
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(latencyMs);
    await Promise.all(answered);
    const summary = meter.summary();
    // Answers at 500, 600, … 1,400 ms: 900 events after the first in 900 ms. All 1,000 over 0 → 1,400 ms would read 714.
    expect(summary.answeredPerSecond).toBe(1_000);
    expect(summary.requests).toBe(10);
    expect(summary.maxBehindScheduleMs).toBe(0);
  });

  it('reports how late a request went out against its schedule', async () => {
    vi.useFakeTimers({ now: 0 });
    const meter = meteredSend(async () => new Response('{}'), 100);
    await meter.send('http://127.0.0.1/events', { method: 'POST', body: body(100) });
    // The second request of 100 events at 100 ev/s is due at 1,000 ms; it goes out at 3,500.
    await vi.advanceTimersByTimeAsync(3_500);
    await meter.send('http://127.0.0.1/events', { method: 'POST', body: body(100) });
    expect(meter.summary().maxBehindScheduleMs).toBe(2_500);
  });
});
