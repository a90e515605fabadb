import type { LocalRole } from '../credentials/LocalCredentials';

/**
 * The stack's managed policies (by the name of their stack output without
 * `Arn`) each local identity has, as a producer's or reader's role on AWS
 * would have them attached: admin has all three.
 */
export const ROLE_POLICIES: Readonly<Record<LocalRole, readonly string[]>> = {
  producer: ['ProducerPolicy'],
  'metrics-reader': ['MetricsReaderPolicy'],
  'events-reader': ['EventsReaderPolicy'],
  admin: ['ProducerPolicy', 'MetricsReaderPolicy', 'EventsReaderPolicy'],
} as const;
