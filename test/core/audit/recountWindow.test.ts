import { describe, expect, it } from 'vitest';
import type { AuditedWindow } from '../../../core/ports/AuditSource';
import { recountWindow } from '../../../core/audit/recountWindow';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { envelopeFactory, ordersPerRegion } from '../../support/factories';

const START_MS = Date.UTC(2026, 0, 1, 12, 0);
const tumbling = compileMetric(ordersPerRegion);

function windowOf(overrides: Partial<AuditedWindow> = {}): AuditedWindow {
  return { metric: 'orders-per-region', group: 'eu-west', startMs: START_MS, endMs: START_MS + 60_000, eventCount: 0, lateEventCount: 0, finalAtMs: START_MS + 70_000, ...overrides };
}

const order = (id: string, time: number, overrides: Parameters<typeof envelopeFactory>[0] = {}) => envelopeFactory({ id, time, receivedAt: time, ...overrides });

describe('Function: recountWindow', () => {
  it('recounts the distinct events of the window\'s group, type and [start, end), and finds a window holding counted + late of them equal', () => {
    // Prepare: 3 that belong, one at each edge outside, one of another group, one of another type.
    const events = [
      order('a', START_MS),
      order('b', START_MS + 30_000),
      order('c', START_MS + 59_999),
      order('before', START_MS - 1),
      order('at-end', START_MS + 60_000),
      order('us', START_MS + 1, { data: { region: 'us-east', amount: 1 } }),
      order('refund', START_MS + 1, { type: 'order.refunded' }),
    ];

    // Act
    const audit = recountWindow(tumbling, windowOf({ eventCount: 2, lateEventCount: 1 }), events);

    // Assess
    expect(audit).toEqual({ metric: 'orders-per-region', group: 'eu-west', startMs: START_MS, endMs: START_MS + 60_000, expected: 3, recounted: 3, surplus: 0, deficit: 0 });
  });

  it('reports a window that counted more events than exist as surplus (double counting)', () => {
    const audit = recountWindow(tumbling, windowOf({ eventCount: 3 }), [order('a', START_MS), order('b', START_MS + 1)]);

    expect({ expected: audit.expected, recounted: audit.recounted, surplus: audit.surplus, deficit: audit.deficit }).toEqual({ expected: 3, recounted: 2, surplus: 1, deficit: 0 });
  });

  it('reports accepted events a window never applied as deficit (loss)', () => {
    const audit = recountWindow(tumbling, windowOf({ eventCount: 1 }), [order('a', START_MS), order('b', START_MS + 1), order('c', START_MS + 2)]);

    expect({ surplus: audit.surplus, deficit: audit.deficit }).toEqual({ surplus: 0, deficit: 2 });
  });

  it('counts a re-sent event (same key and id, as the duplicate ledger identifies it) once, and the same id under another key twice', () => {
    const audit = recountWindow(tumbling, windowOf({ eventCount: 2 }), [order('a', START_MS), order('a', START_MS), order('a', START_MS, { key: 'customer-2' })]);

    expect(audit.recounted).toBe(2);
  });

  it("applies the metric's where and a multi-field group exactly as the aggregator does", () => {
    const definition: MetricDefinition = {
      ...ordersPerRegion,
      filter: { types: ['order.created'], where: [{ field: 'data.amount', range: { gte: 10 } }] },
      groupBy: ['data.region', 'data.channel'],
    };
    const events = [
      order('big', START_MS, { data: { region: 'eu-west', channel: 'web', amount: 10 } }),
      order('small', START_MS, { data: { region: 'eu-west', channel: 'web', amount: 9 } }),
      order('app', START_MS, { data: { region: 'eu-west', channel: 'app', amount: 50 } }),
      order('no-channel', START_MS, { data: { region: 'eu-west', amount: 50 } }),
    ];

    expect(recountWindow(compileMetric(definition), windowOf({ group: 'eu-west|web', eventCount: 1 }), events).recounted).toBe(1);
    expect(recountWindow(compileMetric(definition), windowOf({ group: 'eu-west|(none)', eventCount: 1 }), events).recounted).toBe(1);
  });

  it('recounts a hopping window from the events its own assigner puts in it, and nothing into a window the spec never produces', () => {
    const hopping = compileMetric({ ...ordersPerRegion, window: { kind: 'hopping', sizeMs: 60_000, slideMs: 20_000 } });
    const events = [order('a', START_MS - 20_000), order('b', START_MS + 10_000), order('c', START_MS + 40_000), order('d', START_MS + 59_999)];

    expect(recountWindow(hopping, windowOf({ startMs: START_MS - 20_000, endMs: START_MS + 40_000, eventCount: 2 }), events)).toMatchObject({ recounted: 2, surplus: 0, deficit: 0 });
    // Misaligned start (a corrupted item): no event can be in it.
    expect(recountWindow(hopping, windowOf({ startMs: START_MS + 1, endMs: START_MS + 60_001, eventCount: 3 }), events)).toMatchObject({ recounted: 0, surplus: 3 });
  });

  it('leaves out an event further ahead of its arrival than maxFutureMs, which the aggregator sends to the late output on no window', () => {
    const ahead = order('ahead', START_MS + 10, { receivedAt: START_MS + 10 - 300_001 });
    const atBound = order('at-bound', START_MS + 20, { receivedAt: START_MS + 20 - 300_000 });

    expect(recountWindow(tumbling, windowOf({ eventCount: 1 }), [ahead, atBound])).toMatchObject({ recounted: 1, surplus: 0, deficit: 0 });
  });

  it('refuses a session metric and one whose event time is a data field, with the reason', () => {
    const session = compileMetric({ ...ordersPerRegion, window: { kind: 'session', gapMs: 1_000 } });
    const dataTime = compileMetric({ ...ordersPerRegion, eventTime: 'data.placedAt' });

    expect(() => recountWindow(session, windowOf(), [])).toThrow(
      'metric orders-per-region cannot be audited: session windows are not audited: a session is shaped by its whole group history, which one time-range read cannot recount',
    );
    expect(() => recountWindow(dataTime, windowOf(), [])).toThrow(
      "metric orders-per-region cannot be audited: its event time is data.placedAt: the raw events table is keyed by the envelope time, so no key range bounds a window's events",
    );
  });
});
