import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalFunction, LocalSchedule } from '../assembly/LocalPlan';
import type { Invoke, InvokeResult } from '../esm/InvokeResult';

/** Counters of one schedule, for the host's stats. */
export interface ScheduleStats {
  /** Ticks fired (one asynchronous invocation each, retries not counted). */
  ticks: number;
  /** Invocation attempts that failed (each retry counts). */
  failedAttempts: number;
  /** Events sent to the on-failure queue after the last retry, or dropped when there is none. */
  deadLettered: number;
  lastTickAtMs?: number;
}

export interface ScheduleRunnerDeps {
  readonly invoke: Invoke;
  readonly target: LocalFunction;
  readonly sqs: SQSClient;
  readonly log: (message: string) => void;
}

/** What Lambda waits before its first and second retry of an asynchronous invocation: 1 min, then 2. */
const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000] as const;

/**
 * Runs one EventBridge schedule offline: every interval an asynchronous
 * invocation, retried on a function error as Lambda retries async events, then
 * sent to the function's on-failure queue. `intervalMs` (the offline override
 * TRIBUTARY_SCHEDULE_INTERVAL_MS) also shortens the retry delays, so a test
 * sees a failed run reach the queue within a few intervals instead of 3 minutes.
 */
export class ScheduleRunner {
  public readonly stats: ScheduleStats = { ticks: 0, failedAttempts: 0, deadLettered: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  public constructor(
    public readonly schedule: LocalSchedule,
    private readonly deps: ScheduleRunnerDeps,
    private readonly intervalMs: number = schedule.intervalMs,
  ) {}

  public start(): void {
    // EventBridge fires a new rate rule one interval after it is created, not at once.
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  /** Fires one scheduled event now (what the interval does); resolves when it and its retries are done. */
  public tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stats.ticks += 1;
    this.stats.lastTickAtMs = Date.now();
    const run = this.deliver(this.scheduledEvent()).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** Stops firing; waits for invocations in flight (their pending retries are abandoned, as in a shutdown). */
  public async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
  }

  private scheduledEvent(): unknown {
    if (this.schedule.input !== undefined) return JSON.parse(this.schedule.input) as unknown;
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.deps.target.functionArn.split(':')[4],
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.deps.target.functionArn.split(':')[3],
      resources: [this.schedule.ruleArn],
      detail: {},
    };
  }

  private async deliver(event: unknown): Promise<void> {
    let result: InvokeResult | undefined;
    const attempts = 1 + this.schedule.maximumRetryAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1 && !(await this.wait(Math.min(LAMBDA_RETRY_DELAYS_MS[attempt - 2] ?? 120_000, this.intervalMs)))) return;
      result = await this.deps.invoke(event);
      if (result.ok) return;
      this.stats.failedAttempts += 1;
      this.deps.log(`schedule ${this.schedule.logicalId}: ${this.schedule.functionLogicalId} failed (attempt ${attempt} of ${attempts}): ${result.errorType}: ${result.errorMessage}`);
    }
    if (!result || result.ok) return;
    this.stats.deadLettered += 1;
    if (!this.schedule.onFailureQueueUrl) {
      this.deps.log(`schedule ${this.schedule.logicalId}: event dropped after ${attempts} attempts (the function has no DLQ or on-failure destination)`);
      return;
    }
    try {
      await this.deps.sqs.send(this.onFailureMessage(event, result, attempts));
    } catch (error) {
      this.deps.log(`schedule ${this.schedule.logicalId}: could not write the failed event to ${this.schedule.onFailureQueueUrl}: ${(error as Error).message}`);
    }
  }

  private onFailureMessage(event: unknown, failure: Extract<InvokeResult, { ok: false }>, attempts: number): SendMessageCommand {
    const requestId = randomUUID();
    if (this.schedule.onFailureFormat === 'destination') {
      return new SendMessageCommand({
        QueueUrl: this.schedule.onFailureQueueUrl,
        MessageBody: JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: { requestId, functionArn: `${this.deps.target.functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: attempts },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: failure.errorType, errorMessage: failure.errorMessage },
        }),
      });
    }
    // A function DLQ gets the event as sent, the error in message attributes.
    return new SendMessageCommand({
      QueueUrl: this.schedule.onFailureQueueUrl,
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        RequestID: { DataType: 'String', StringValue: requestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: `${failure.errorType}: ${failure.errorMessage}`.slice(0, 1_000) },
      },
    });
  }

  /** Resolves true after `ms`, false at once if the runner was stopped meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    const step = Math.min(ms, 200);
    for (let waited = 0; waited < ms; waited += step) {
      if (this.stopped) return false;
      await new Promise((resolve) => setTimeout(resolve, step));
    }
    return !this.stopped;
  }
}
