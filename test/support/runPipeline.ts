import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalApiClient } from '../../local/credentials/LocalApiClient';
import type { RuntimeInfo } from '../../local/runtime/PipelineSupervisor';
import { waitUntil } from './waitUntil';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The offline pipeline started as a user starts it (`node bin/tributary.js start`), on free ports, in its own state dir. */
export interface RunningPipeline {
  readonly info: RuntimeInfo;
  readonly stateDir: string;
  readonly process: ChildProcess;
  /** The API as its clients call it: every request signed with the local identity its route needs (credentials.json). */
  readonly api: LocalApiClient;
  output(): string;
  /** SIGTERM, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** How to start it; the defaults start a new pipeline with `node bin/tributary.js start`. */
export interface StartPipelineOptions {
  /** A state dir to start in again (a restart); @default a new temporary directory */
  readonly stateDir?: string;
  /** The command line; @default node bin/tributary.js start */
  readonly command?: readonly [string, ...string[]];
}

/** The environment `tributary start` runs with in tests: its own state dir, free ports for everything. */
export function pipelineEnvironment(stateDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_CDK_OUT: path.join(stateDir, 'cdk.out'),
    TRIBUTARY_API_PORT: '0',
    TRIBUTARY_DASHBOARD_PORT: '0',
    TRIBUTARY_KINESIS_PORT: '0',
    TRIBUTARY_DYNAMODB_PORT: '0',
    TRIBUTARY_SQS_PORT: '0',
  };
}

export async function startPipeline(env: Record<string, string> = {}, options: StartPipelineOptions = {}): Promise<RunningPipeline> {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), 'tributary-e2e-'));
  let output = '';
  const [command, ...args] = options.command ?? [process.execPath, path.join(PROJECT_ROOT, 'bin', 'tributary.js'), 'start'];
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...pipelineEnvironment(stateDir), ...env },
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const runtimeFile = path.join(stateDir, 'runtime.json');
  try {
    await waitUntil(
      'the pipeline to come up',
      () => {
        if (child.exitCode !== null) throw new Error(`tributary start exited with ${child.exitCode}:\n${output}`);
        return existsSync(runtimeFile);
      },
      120_000,
      200,
    );
  } catch (error) {
    killGroup(child, 'SIGKILL');
    throw new Error(`${(error as Error).message}\n--- output ---\n${output}`);
  }
  const info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  return {
    info,
    stateDir,
    process: child,
    // credentials.json is written before the host starts, so it is there once runtime.json is.
    api: LocalApiClient.fromStateDir(info.apiUrl, stateDir),
    output: () => output,
    stop: async () => {
      // Killed by a signal, a child has signalCode set and exitCode null: waiting for "exit" would never end.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}
