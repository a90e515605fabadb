/**
 * Alert-state table layout: partition `id` (string: `<metric>#<alert>#<group key>`),
 * TTL `expiresAt` (epoch seconds). One item per alert and group.
 */
export const ALERT_STATE_KEYS = { partitionKey: 'id', ttlAttribute: 'expiresAt' } as const;
