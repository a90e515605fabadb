import type { CountValueUpdated } from '../../core/changes/CountValueUpdated';

/** A message of the dashboard's queue: a window change, a metric alert, or neither. */
export type FeedMessage =
  | { readonly kind: 'change'; readonly change: CountValueUpdated }
  | { readonly kind: 'alert'; readonly alert: Readonly<Record<string, unknown>> };

/**
 * Reads one SQS body of the dashboard's subscription queue: an SNS envelope
 * (`Type: Notification`, the topic's message in `Message`) holding a
 * `count-value-updated` or a `metric-alert` event. Anything else, malformed or
 * not, is undefined: the feed drops it rather than stop.
 */
export function readFeedMessage(body: string | undefined): FeedMessage | undefined {
  const outer = parse(body);
  if (!outer) return undefined;
  const message = outer.Type === 'Notification' && typeof outer.Message === 'string' ? parse(outer.Message) : outer;
  if (!message) return undefined;
  if (message.type === 'metric-alert') return { kind: 'alert', alert: message };
  if (
    message.type === 'count-value-updated' &&
    typeof message.metric === 'string' &&
    typeof message.group === 'string' &&
    typeof message.windowStart === 'number' &&
    typeof message.windowEnd === 'number' &&
    typeof message.timestamp === 'number' &&
    (message.new === null || (typeof message.new === 'object' && typeof (message.new as { eventCount?: unknown }).eventCount === 'number'))
  ) {
    return { kind: 'change', change: message as unknown as CountValueUpdated };
  }
  return undefined;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
