import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { LocalFunction } from '../assembly/LocalPlan';
import type { InvokeResult } from '../esm/InvokeResult';
import { readEmfDatapoints, type EmfDatapoint } from './readEmfDatapoints';
import { sumByName } from './readEmfMetrics';
import { cpuProfileArgs } from './cpuProfileArgs';
import { XRAY_MANUAL_MODE_VARIABLE } from '../../config/functionEnvironment';

const WORKER_FILE = path.join(__dirname, 'lambdaWorker.cjs');

/** An invocation's outcome before its duration is known. */
type RawResult = { ok: true; payload: unknown } | { ok: false; errorType: string; errorMessage: string };

interface Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
}

/** Counters of one function, for the status line. */
export interface FunctionStats {
  invocations: number;
  errors: number;
  coldStarts: number;
  /** Running totals of the CloudWatch metrics the function printed (EMF), by name. */
  metrics: Record<string, number>;
}

/**
 * A Lambda function run locally from its bundle in cdk.out. Each concurrent
 * invocation gets a sandbox (a worker thread with the function's own
 * environment); idle sandboxes are reused (warm), up to `maxConcurrency`.
 * A timeout kills the sandbox, as Lambda does.
 */
export class LocalLambda {
  public readonly stats: FunctionStats = { invocations: 0, errors: 0, coldStarts: 0, metrics: {} };
  private readonly sandboxes: Sandbox[] = [];
  private readonly waiting: ((sandbox: Sandbox) => void)[] = [];

  public constructor(
    public readonly definition: LocalFunction,
    private readonly environment: Readonly<Record<string, string>>,
    private readonly logSink: Writable,
    private readonly maxConcurrency = 8,
    /** Gets every EMF datapoint the function prints (the host's alarms and recent values). */
    private readonly metricSink?: (datapoints: readonly EmfDatapoint[]) => void,
  ) {}

  /** Invokes the function with an event; never throws: errors come back as a failed InvokeResult. */
  public async invoke(event: unknown): Promise<InvokeResult> {
    const started = Date.now();
    this.stats.invocations += 1;
    const sandbox = await this.acquire();
    const requestId = randomUUID();
    try {
      await sandbox.ready;
      const result = await this.run(sandbox, requestId, event);
      if (!result.ok) this.stats.errors += 1;
      return { ...result, durationMs: Date.now() - started };
    } catch (error) {
      this.stats.errors += 1;
      return { ok: false, errorType: 'Runtime.InitError', errorMessage: (error as Error).message, durationMs: Date.now() - started };
    } finally {
      this.release(sandbox);
    }
  }

  /**
   * Starts one sandbox ahead of the first invocation (like provisioned
   * concurrency of 1), so the first event a user sends does not pay the cold
   * start. Load errors still surface on invoke, as on Lambda.
   */
  public async warm(): Promise<void> {
    if (this.sandboxes.length > 0) return;
    const sandbox = this.createSandbox();
    this.sandboxes.push(sandbox);
    await sandbox.ready.catch(() => undefined);
  }

  public async stop(): Promise<void> {
    await Promise.all(this.sandboxes.map((sandbox) => sandbox.worker.terminate()));
    this.sandboxes.length = 0;
  }

  private run(sandbox: Sandbox, requestId: string, event: unknown): Promise<RawResult> {
    const timeoutMs = this.definition.timeoutSeconds * 1_000;
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; requestId?: string; ok?: boolean; payload?: unknown; errorType?: string; errorMessage?: string }): void => {
        if (message.type !== 'result' || message.requestId !== requestId) return;
        cleanup();
        resolve(
          message.ok
            ? { ok: true, payload: message.payload }
            : { ok: false, errorType: message.errorType ?? 'Error', errorMessage: message.errorMessage ?? '' },
        );
      };
      const onExit = (code: number): void => {
        cleanup();
        this.discard(sandbox);
        resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        cleanup();
        this.discard(sandbox);
        void sandbox.worker.terminate();
        resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${this.definition.timeoutSeconds.toFixed(2)} seconds` });
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        sandbox.worker.off('message', onMessage);
        sandbox.worker.off('exit', onExit);
      };
      sandbox.worker.on('message', onMessage);
      sandbox.worker.on('exit', onExit);
      sandbox.worker.postMessage({ requestId, event });
    });
  }

  private async acquire(): Promise<Sandbox> {
    const idle = this.sandboxes.find((sandbox) => !sandbox.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.sandboxes.length < this.maxConcurrency) return this.startBusySandbox();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sandbox: Sandbox): void {
    const next = this.waiting.shift();
    // A sandbox that died (timeout or crash) is gone: a waiter gets a fresh one.
    const alive = this.sandboxes.includes(sandbox);
    if (next) next(alive ? sandbox : this.startBusySandbox());
    else if (alive) sandbox.busy = false;
  }

  private startBusySandbox(): Sandbox {
    const sandbox = this.createSandbox();
    sandbox.busy = true;
    this.sandboxes.push(sandbox);
    return sandbox;
  }

  private discard(sandbox: Sandbox): void {
    const index = this.sandboxes.indexOf(sandbox);
    if (index >= 0) this.sandboxes.splice(index, 1);
  }

  private createSandbox(): Sandbox {
    this.stats.coldStarts += 1;
    const { definition } = this;
    const worker = new Worker(WORKER_FILE, {
      env: {
        ...this.environment,
        ...definition.environment,
        AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySizeMb),
        // Powertools Tracer is off offline whatever the config says (no AWS_EXECUTION_ENV here), so
        // the X-Ray SDK's promise hooks, ~10x the cost of every await, would carry a context nobody reads.
        [XRAY_MANUAL_MODE_VARIABLE]: 'true',
      },
      execArgv: ['--enable-source-maps', ...cpuProfileArgs()],
      workerData: {
        codeDir: definition.codeDir,
        handler: definition.handler,
        functionName: definition.functionName,
        functionArn: definition.functionArn,
        memorySizeMb: definition.memorySizeMb,
        timeoutMs: definition.timeoutSeconds * 1_000,
      },
      stdout: true,
      stderr: true,
      // A worker thread ignores NODE_OPTIONS heap flags; apply the function's semi-space as Lambda's Node would.
      ...youngGenerationLimit(definition.environment.NODE_OPTIONS ?? this.environment.NODE_OPTIONS),
    });
    const prefix = `[${definition.functionName}] `;
    // A line written in pieces (process.stdout.write) arrives in as many chunks: only whole lines are read.
    const forwarder = (): ((chunk: Buffer) => void) => {
      let pending = '';
      return (chunk) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          this.logSink.write(`${prefix}${line}\n`);
          const datapoints = readEmfDatapoints(line, Date.now());
          if (!datapoints) continue;
          for (const [name, value] of Object.entries(sumByName(datapoints))) this.stats.metrics[name] = (this.stats.metrics[name] ?? 0) + value;
          this.metricSink?.(datapoints);
        }
      };
    };
    worker.stdout.on('data', forwarder());
    worker.stderr.on('data', forwarder());
    const ready = new Promise<void>((resolve, reject) => {
      const onInit = (message: { type: string; errorType?: string; errorMessage?: string }): void => {
        if (message.type === 'ready') resolve();
        if (message.type === 'init-error') reject(new Error(`${message.errorType}: ${message.errorMessage}`));
      };
      worker.on('message', onInit);
      worker.once('exit', (code) => reject(new Error(`sandbox exited with code ${code} while loading`)));
      worker.on('error', (error) => {
        this.logSink.write(`${prefix}sandbox crashed: ${String(error)}\n`);
        reject(error);
      });
    });
    ready.catch(() => this.discard(sandbox));
    const sandbox: Sandbox = { worker, ready, busy: false };
    return sandbox;
  }
}

/** `--max-semi-space-size=N` in NODE_OPTIONS as a worker resource limit (V8's young generation is about three semi-spaces). */
function youngGenerationLimit(nodeOptions: string | undefined): { resourceLimits?: { maxYoungGenerationSizeMb: number } } {
  const match = /--max-semi-space-size=(\d+)/.exec(nodeOptions ?? '');
  return match ? { resourceLimits: { maxYoungGenerationSizeMb: 3 * Number(match[1]) } } : {};
}
