import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineEnvironment, startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

interface ProcessEntry {
  readonly pid: number;
  readonly commandLine: string;
}

/** Every process below `rootPid` (children, grandchildren, …), read from /proc while they are still attached. */
function descendantsOf(rootPid: number): ProcessEntry[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: ProcessEntry[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push({ pid, commandLine: commandLineOf(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Running, not a zombie waiting for its parent to read its exit. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The ports a running pipeline listens on, from its runtime.json. */
function portsOf(pipeline: RunningPipeline): number[] {
  const { apiUrl, dashboardUrl, endpoints } = pipeline.info;
  return [apiUrl, dashboardUrl, endpoints.kinesis, endpoints.dynamodb, endpoints.sqs].filter((url): url is string => url !== undefined).map((url) => Number(new URL(url).port));
}

/** What must be among the processes a start leaves running: the CLI, the function host, the three emulators and their guard. */
const EXPECTED_PROCESSES = ['local/cli/main.ts', 'local/host/hostMain.ts', 'DynamoDBLocal.jar', 'kinesis-local/main.js', 'fauxqs/dist/cli.js', 'orphanGuard.cjs'];

function expectWholeStack(processes: readonly ProcessEntry[]): void {
  expect(EXPECTED_PROCESSES.filter((name) => !processes.some((entry) => entry.commandLine.includes(name)))).toEqual([]);
}

async function expectAllGone(processes: readonly ProcessEntry[], ports: readonly number[]): Promise<void> {
  await waitUntil('every process of the pipeline to end', () => processes.every((entry) => !isRunning(entry.pid)), 10_000, 200).catch((error: Error) => {
    const left = processes.filter((entry) => isRunning(entry.pid)).map((entry) => `${entry.pid} ${entry.commandLine}`);
    throw new Error(`${error.message}; still running:\n${left.join('\n')}`);
  });
  const busy: number[] = [];
  for (const port of ports) if (!(await portFree(port))) busy.push(port);
  expect(busy).toEqual([]);
}

/** After a test: stop the pipeline if it was not killed, and end whatever a failed test left running. */
async function cleanUp(pipeline: RunningPipeline | undefined, processes: readonly ProcessEntry[]): Promise<void> {
  if (pipeline && pipeline.process.exitCode === null && pipeline.process.signalCode === null) await pipeline.stop();
  for (const entry of processes) {
    if (!isRunning(entry.pid)) continue;
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

describe('npm start process hygiene (node bin/tributary.js start)', () => {
  let pipeline: RunningPipeline | undefined;
  let processes: ProcessEntry[] = [];
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(() => cleanUp(pipeline, processes));

  it('refuses a second start in the same state dir with one line and exit 1, leaving the running pipeline alone', async () => {
    // Prepare
    const { stateDir, info } = pipeline!;
    const runtimeFile = path.join(stateDir, 'runtime.json');
    const runtimeBefore = readFileSync(runtimeFile, 'utf8');
    const logsBefore = readdirSync(path.join(stateDir, 'logs')).sort();
    const { pid, apiUrl } = info;

    // Act
    const second = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'tributary.js'), 'start'], {
      cwd: PROJECT_ROOT,
      env: pipelineEnvironment(stateDir),
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `tributary: a pipeline is already running from this folder (pid ${pid}, API ${apiUrl}); stop it first (Ctrl-C in its terminal or kill ${pid})\n`,
    );
    expect(second.stdout).toBe('');
    expect(readFileSync(runtimeFile, 'utf8')).toBe(runtimeBefore);
    expect(readdirSync(path.join(stateDir, 'logs')).sort()).toEqual(logsBefore);
    expect(readdirSync(stateDir)).not.toContain('logs.previous');
    expect((await pipeline!.api.fetch('/metrics/orders-per-region?group=eu-west')).status).toBe(200);
  });

  it('stops every process it started, and frees every port, within 10 s of kill -9 of the wrapper', async () => {
    // Prepare
    processes = descendantsOf(pipeline!.process.pid!);
    expectWholeStack(processes);
    const ports = portsOf(pipeline!);

    // Act
    process.kill(pipeline!.process.pid!, 'SIGKILL');

    // Assess
    await expectAllGone(processes, ports);
  }, 20_000);
});

describe('npm start process hygiene (npm start)', () => {
  let pipeline: RunningPipeline | undefined;
  let processes: ProcessEntry[] = [];
  beforeAll(async () => {
    pipeline = await startPipeline({}, { command: ['npm', 'start'] });
  });
  afterAll(() => cleanUp(pipeline, processes));

  it('stops every process it started, and frees every port, within 10 s of kill -9 of npm', async () => {
    // Prepare: npm runs `sh -c "node bin/tributary.js start"`, which kill -9 of npm leaves running.
    processes = descendantsOf(pipeline!.process.pid!);
    expectWholeStack(processes);
    expect(processes.some((entry) => entry.commandLine.includes('bin/tributary.js start'))).toBe(true);
    const ports = portsOf(pipeline!);

    // Act
    process.kill(pipeline!.process.pid!, 'SIGKILL');

    // Assess
    await expectAllGone(processes, ports);
  }, 20_000);
});
