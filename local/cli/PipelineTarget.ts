import type { EmulatorEndpoints } from '../emulators/Emulators';

/** A consumer whose on-failure queue `tributary redrive` drains. */
export const DEAD_LETTER_QUEUES = ['aggregator', 'archive', 'changes'] as const;

/** One of DEAD_LETTER_QUEUES. */
export type DeadLetterQueueName = (typeof DEAD_LETTER_QUEUES)[number];

/**
 * A pipeline as a repair command addresses it, wherever it runs: where to
 * connect and the names of its resources. Built from runtime.json and the
 * emulators offline (resolveOfflineTarget) or from a deployed stack's outputs
 * (resolveStackTarget); every command after that runs one code path on it.
 */
export interface PipelineTarget {
  /** How the user named it, for messages: `the offline pipeline`, `stack Tributary in eu-west-1`. */
  readonly description: string;
  readonly region: string;
  /** The emulators' endpoints offline; absent on AWS: the SDK's own endpoints and credential chain. */
  readonly endpoints?: EmulatorEndpoints;
  readonly streamName: string;
  readonly tables: {
    readonly aggregates: string;
    readonly lateEvents: string;
    readonly events: string;
    readonly delivery: string;
    readonly idempotency: string;
  };
  readonly topicArn: string;
  /** Each consumer's on-failure queue URL. */
  readonly deadLetterQueues: Readonly<Record<DeadLetterQueueName, string>>;
}
