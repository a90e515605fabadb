/**
 * Late-event output table: partition `<metric>#<UTC day of the event time>`,
 * sort `<event time, 15 digits>#<event id>`, so one Query lists a metric's late
 * events of a day in event-time order. A redelivered record rewrites the same item.
 */
export const LATE_EVENT_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;
