import { describe, expect, it } from 'vitest';
import { readFeedMessage } from '../../../local/dashboard/readFeedMessage';

const CHANGE = {
  type: 'count-value-updated',
  metric: 'orders-per-region',
  group: 'eu-west',
  windowStart: 0,
  windowEnd: 60_000,
  old: null,
  new: { eventCount: 1, lateEvents: 0, values: { orders: 1 } },
  final: false,
  timestamp: 1,
  changeId: '49',
};
const envelope = (message: unknown): string => JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: JSON.stringify(message) });

describe('Function: readFeedMessage', () => {
  it('reads a count-value-updated event from its SNS envelope, and from a raw body', () => {
    expect(readFeedMessage(envelope(CHANGE))).toEqual({ kind: 'change', change: CHANGE });
    expect(readFeedMessage(JSON.stringify(CHANGE))).toEqual({ kind: 'change', change: CHANGE });
  });

  it('reads a metric-alert event', () => {
    const alert = { type: 'metric-alert', status: 'raised', metric: 'checkout-errors-5m', value: 0.2, threshold: 0.1 };
    expect(readFeedMessage(envelope(alert))).toEqual({ kind: 'alert', alert });
  });

  it.each([
    ['no body', undefined],
    ['not JSON', '{"Type": "Notification", '],
    ['an array', '[1, 2]'],
    ['an envelope around text', JSON.stringify({ Type: 'Notification', Message: 'hello' })],
    ['another event type', envelope({ type: 'something-else' })],
    ['a change without its window', envelope({ ...CHANGE, windowStart: '0' })],
    ['a change whose new value has no count', envelope({ ...CHANGE, new: { values: {} } })],
  ])('drops %s', (_what, body) => {
    expect(readFeedMessage(body)).toBeUndefined();
  });
});
