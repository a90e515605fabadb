import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSynthesizedStack, type SynthesizedStack } from '../assembly/CloudAssembly';
import type { LocalPlan } from '../assembly/LocalPlan';
import { provisionStack } from '../assembly/provisionStack';
import { createLocalClients } from '../aws/localClients';
import { assertJavaAvailable, Emulators, type EmulatorEndpoints, type EmulatorPorts } from '../emulators/Emulators';
import { assertPortFree } from '../emulators/ports';
import { LocalDashboard } from '../dashboard/LocalDashboard';
import { StatsHistory } from '../dashboard/StatsHistory';
import { tributaryConfig } from '../../infra/tributary.config';
import type { HostStats } from '../host/FunctionHost';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { type LocalCredentials, writeLocalCredentials } from '../credentials/LocalCredentials';
import { PipelineLock } from './PipelineLock';
import { synthesize } from './synthesize';
import { cpuProfileArgs } from '../host/cpuProfileArgs';

export interface PipelineOptions {
  /** Where logs, the plan, runtime.json, the lock and (with `persistData`) the emulators' data go. @default .tributary */
  readonly stateDir: string;
  /**
   * Keep Kinesis and DynamoDB data in `<stateDir>/data` across restarts
   * (SQS and SNS, on fauxqs, always start empty); otherwise in memory.
   * @default false
   */
  readonly persistData?: boolean;
  /** Delete `<stateDir>/data` before starting, so the emulators start empty. @default false */
  readonly fresh?: boolean;
  /** Cloud assembly directory. @default cdk.out */
  readonly assemblyDir: string;
  readonly apiPort: number;
  /** Port of the local dashboard; 0 picks a free one; undefined serves none. */
  readonly dashboardPort?: number;
  readonly emulatorPorts: EmulatorPorts;
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** Base delay of the poller's retry backoff. @default 100 */
  readonly retryBaseDelayMs?: number;
  /** Configuration to synthesize instead of infra/tributary.config.ts (benchmarks size the stream). */
  readonly config?: TributaryConfig;
  /** Run `cdk synth` in-process first. @default true */
  readonly synth?: boolean;
  /** Start a new host when it dies unexpectedly. @default true */
  readonly restartHost?: boolean;
  /**
   * Endpoints the function host (its functions and pollers) uses instead of
   * the emulators' own: the chaos run puts a fault-injecting proxy there.
   */
  readonly hostEndpoints?: (emulators: EmulatorEndpoints) => Promise<EmulatorEndpoints>;
  /** Extra environment for the function host and its functions (the chaos run turns SDK retries off). */
  readonly hostEnvironment?: Readonly<Record<string, string>>;
  readonly onProgress?: (step: string) => void;
}

/** Written to `<stateDir>/runtime.json` once the pipeline is up: how to reach it. */
export interface RuntimeInfo {
  readonly apiUrl: string;
  readonly dashboardUrl?: string;
  readonly endpoints: LocalPlan['endpoints'];
  readonly pid: number;
  readonly startedAt: string;
}

const HOST_ENTRY = path.join(__dirname, '..', 'host', 'hostMain.ts');
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs the offline pipeline: synthesizes the stack, starts the emulators,
 * provisions them from the template, and runs the function host as a separate
 * process that can die and be restarted while the emulators keep their data.
 */
export class PipelineSupervisor {
  public latestStats: HostStats | undefined;
  public readonly history = new StatsHistory();
  public dashboardUrl: string | undefined;
  private dashboard: LocalDashboard | undefined;
  public hostRestarts = 0;
  private host: ChildProcess | undefined;
  private stopping = false;
  private hostGeneration = 0;
  private consecutiveFailedStarts = 0;

  private constructor(
    private readonly options: PipelineOptions,
    public readonly emulators: Emulators,
    public readonly plan: LocalPlan,
    /** What the local API verifies against and clients sign with (`<stateDir>/credentials.json`). */
    public readonly credentials: LocalCredentials,
    private readonly planPath: string,
    public apiUrl: string,
    private readonly lock: PipelineLock,
  ) {}

  public static async start(options: PipelineOptions): Promise<PipelineSupervisor> {
    const progress = options.onProgress ?? (() => undefined);
    // Before anything slow: a missing Java should fail in a second, not after the synth.
    assertJavaAvailable();
    // First, before any file of the state directory is touched: a running pipeline's files are its own.
    const lock = PipelineLock.acquire(options.stateDir);
    let emulators: Emulators | undefined;
    let supervisor: PipelineSupervisor | undefined;
    try {
      const logDir = path.join(options.stateDir, 'logs');
      rotateLogs(options.stateDir);
      mkdirSync(logDir, { recursive: true });
      // Left by a run that was killed -9: it names URLs nothing serves any more.
      rmSync(path.join(options.stateDir, 'runtime.json'), { force: true });
      const dataDir = path.resolve(options.stateDir, 'data');
      if (options.fresh) rmSync(dataDir, { recursive: true, force: true });

      if (options.apiPort !== 0) await assertPortFree(options.apiPort, 'TRIBUTARY_API_PORT');
      if (options.dashboardPort) await assertPortFree(options.dashboardPort, 'TRIBUTARY_DASHBOARD_PORT');
      if (options.synth !== false) {
        progress('synthesizing the CDK stack (esbuild bundles the functions)');
        synthesize(options.assemblyDir, options.config);
      }
      const stack = readSynthesizedStack(options.assemblyDir, 'Tributary');
      // Before the host starts: the local API verifies signatures and API keys against this file.
      const credentials = writeLocalCredentials(options.stateDir, producerNames(stack.template.Resources));
      progress(`starting emulators: Kinesis, DynamoDB Local, SQS${options.persistData ? ` (data in ${dataDir})` : ''}`);
      emulators = await Emulators.start(options.emulatorPorts, logDir, options.persistData ? { dataDir } : {});
      progress('provisioning streams, tables and queues from the template');
      const plan = await provisionStack(stack, emulators.endpoints, createLocalClients(emulators.endpoints));
      const planPath = path.join(options.stateDir, 'plan.json');
      const hostPlan = options.hostEndpoints ? { ...plan, endpoints: await options.hostEndpoints(emulators.endpoints) } : plan;
      writeFileSync(planPath, JSON.stringify(hostPlan, null, 2));
      supervisor = new PipelineSupervisor(options, emulators, plan, credentials, planPath, '', lock);
      progress('starting the function host');
      supervisor.apiUrl = await supervisor.startHost();
      if (options.dashboardPort !== undefined) await supervisor.startDashboard(options.dashboardPort, stack);
      const info: RuntimeInfo = {
        apiUrl: supervisor.apiUrl,
        ...(supervisor.dashboardUrl ? { dashboardUrl: supervisor.dashboardUrl } : {}),
        endpoints: emulators.endpoints,
        pid: process.pid,
        startedAt: new Date().toISOString(),
      };
      // Written whole, then renamed: its presence means "up", so a reader (the CLI, a test waiting for it) must never see half of it.
      const runtimeFile = path.join(options.stateDir, 'runtime.json');
      writeFileSync(`${runtimeFile}.tmp`, JSON.stringify(info, null, 2));
      renameSync(`${runtimeFile}.tmp`, runtimeFile);
      return supervisor;
    } catch (error) {
      if (supervisor) await supervisor.stop();
      else await emulators?.stop();
      lock.release();
      throw error;
    }
  }

  /** Whether the function host process is alive. */
  public get hostRunning(): boolean {
    return this.host !== undefined && this.host.exitCode === null && this.host.signalCode === null;
  }

  /** Stops the host, then the emulators; the runtime file goes first so nothing finds a dead URL. */
  public async stop(): Promise<void> {
    this.stopping = true;
    rmSync(path.join(this.options.stateDir, 'runtime.json'), { force: true });
    await this.dashboard?.close();
    await this.stopHost();
    await this.emulators.stop();
    this.lock.release();
  }

  private async stopHost(): Promise<void> {
    const host = this.host;
    // A new generation: the exit below is intended and must not trigger a restart.
    this.hostGeneration += 1;
    if (!host || host.exitCode !== null || host.signalCode !== null) return;
    const exited = new Promise((resolve) => host.once('exit', resolve));
    host.kill('SIGTERM');
    const timer = setTimeout(() => host.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private startHost(): Promise<string> {
    const generation = ++this.hostGeneration;
    const logDir = path.join(this.options.stateDir, 'logs');
    const host = fork(HOST_ENTRY, [this.planPath], {
      cwd: PROJECT_ROOT,
      execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href, ...cpuProfileArgs()],
      env: {
        ...process.env,
        TRIBUTARY_API_PORT: String(this.apiUrl ? new URL(this.apiUrl).port : this.options.apiPort),
        TRIBUTARY_LOG_DIR: logDir,
        TRIBUTARY_STATE_DIR: this.options.stateDir,
        TRIBUTARY_POLL_INTERVAL_MS: String(this.options.pollIntervalMs ?? 1_000),
        TRIBUTARY_RETRY_BASE_MS: String(this.options.retryBaseDelayMs ?? 100),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.options.hostEnvironment,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.host = host;
    host.on('message', (message: { type: string; stats?: HostStats }) => {
      if (message.type === 'stats' && message.stats) {
        this.latestStats = message.stats;
        this.history.record(message.stats, Date.now(), this.dashboard?.deadLetterQueueDepths);
      }
    });
    host.once('exit', () => {
      if (this.stopping || generation !== this.hostGeneration || this.options.restartHost === false) return;
      this.hostRestarts += 1;
      // A host that keeps dying (say, a bundle that throws at load) is retried ever more slowly, not in a hot loop.
      const delayMs = Math.min(10_000, 500 * 2 ** Math.min(5, this.consecutiveFailedStarts));
      setTimeout(() => {
        if (this.stopping) return;
        this.startHost().then(
          () => {
            this.consecutiveFailedStarts = 0;
          },
          () => {
            this.consecutiveFailedStarts += 1;
          },
        );
      }, delayMs);
    });
    return new Promise((resolve, reject) => {
      host.on('message', (message: { type: string; apiUrls?: string[]; message?: string }) => {
        if (message.type === 'ready') resolve(message.apiUrls?.[0] ?? '');
        if (message.type === 'failed') reject(new Error(`function host failed to start: ${message.message}`));
      });
      host.once('exit', (code, signal) => reject(new Error(`function host exited during start (code ${code}, signal ${signal})`)));
    });
  }

  /** The dashboard reads the emulators themselves (not the chaos proxy) and the stack's outputs for its topics. */
  private async startDashboard(port: number, stack: SynthesizedStack): Promise<void> {
    this.dashboard = await LocalDashboard.start({
      port,
      stack,
      plan: this.plan,
      clients: createLocalClients(this.emulators.endpoints),
      metrics: (this.options.config ?? tributaryConfig).metrics,
      history: this.history,
      status: () => ({ apiUrl: this.apiUrl, hostRunning: this.hostRunning, hostRestarts: this.hostRestarts, deadEmulators: this.emulators.dead }),
      latestStats: () => this.latestStats,
      // Beside the host's log, not on the console: an emulator that restarts would otherwise fill the status line's terminal.
      log: (message) => appendFileSync(path.join(this.options.stateDir, 'logs', 'dashboard.log'), `${new Date().toISOString()} ${message}\n`),
    });
    this.dashboardUrl = this.dashboard.url;
  }
}

/**
 * Keeps the previous run's logs in `logs.previous/` (one run back: a crash is
 * looked into before the next start, and logs do not pile up), so a restart
 * after a failure does not delete what explains it.
 */
function rotateLogs(stateDir: string): void {
  const logDir = path.join(stateDir, 'logs');
  if (!existsSync(logDir)) return;
  const previousDir = path.join(stateDir, 'logs.previous');
  rmSync(previousDir, { recursive: true, force: true });
  renameSync(logDir, previousDir);
}

/** The producers the template gives an API key (`tributary-<name>`, infra/constructs/PipelineApi.ts). */
function producerNames(resources: Readonly<Record<string, { Type: string; Properties?: Record<string, unknown> }>>): string[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::ApiKey')
    .map((resource) => String(resource.Properties?.Name ?? '').replace(/^tributary-/, ''));
}
