import { Logger } from '@aws-lambda-powertools/logger';

/** One retry the policy granted. */
export interface RetryEvent {
  /** What was retried: a service ("dynamodb") or an operation ("BatchGetItem AggregatesTable"). */
  readonly what: string;
  /** The error name, or what the answer left undone ("2 unprocessed"). */
  readonly reason: string;
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * Retries made in this container: each logged at debug level, and counted
 * until a handler takes the count for its `RequestsRetried` metric. Faults the
 * policy absorbed stay visible without failing anything.
 */
export class RetryStats {
  private retried = 0;

  public constructor(private readonly logger: Pick<Logger, 'debug'> = new Logger({ serviceName: 'tributary-retries' })) {}

  public record(event: RetryEvent): void {
    this.retried += 1;
    this.logger.debug('request retried', { ...event, delayMs: Math.round(event.delayMs) });
  }

  /** A retried conditional put found its own earlier attempt's item: that attempt landed, its answer was lost. */
  public recordLandedWrite(what: string): void {
    this.logger.debug('retried put found its own landed write', { what });
  }

  /** Retries since the last call, and starts counting again. */
  public take(): number {
    const retried = this.retried;
    this.retried = 0;
    return retried;
  }
}

/** The container's counter, shared by every client and loop that follows the policy. */
export const retryStats = new RetryStats();
