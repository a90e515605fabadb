import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineAlreadyRunningError } from '../../../local/runtime/PipelineAlreadyRunningError';
import { PipelineLock } from '../../../local/runtime/PipelineLock';
import { isPidAlive, processStartTicks } from '../../../local/runtime/processAlive';

const newStateDir = (): string => mkdtempSync(path.join(tmpdir(), 'tributary-lock-'));
const lockFile = (stateDir: string): string => path.join(stateDir, 'pipeline.lock');
/** A pid that existed and has exited. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('Class: PipelineLock', () => {
  it('writes its own pid and start time with O_EXCL, and release removes it', () => {
    // Prepare
    const stateDir = newStateDir();

    // Act
    const lock = PipelineLock.acquire(stateDir);

    // Assess
    expect(JSON.parse(readFileSync(lockFile(stateDir), 'utf8'))).toEqual({ pid: process.pid, startTicks: processStartTicks(process.pid) });
    lock.release();
    expect(existsSync(lockFile(stateDir))).toBe(false);
  });

  it('refuses while the owner lives, naming its pid and the API URL of its runtime.json', () => {
    // Prepare: the test runner's parent stands in for a running pipeline.
    const stateDir = newStateDir();
    const owner = process.ppid;
    writeFileSync(lockFile(stateDir), JSON.stringify({ pid: owner, startTicks: processStartTicks(owner) }));
    writeFileSync(path.join(stateDir, 'runtime.json'), JSON.stringify({ pid: owner, apiUrl: 'http://127.0.0.1:3000/v1' }));

    // Act
    const attempt = (): PipelineLock => PipelineLock.acquire(stateDir);

    // Assess
    expect(attempt).toThrow(PipelineAlreadyRunningError);
    expect(attempt).toThrow(
      `a pipeline is already running from this folder (pid ${owner}, API http://127.0.0.1:3000/v1); stop it first (Ctrl-C in its terminal or kill ${owner})`,
    );
    expect(JSON.parse(readFileSync(lockFile(stateDir), 'utf8'))).toEqual({ pid: owner, startTicks: processStartTicks(owner) });
  });

  it('leaves the API out when runtime.json is another run\'s', () => {
    // Prepare
    const stateDir = newStateDir();
    const owner = process.ppid;
    writeFileSync(lockFile(stateDir), JSON.stringify({ pid: owner }));
    writeFileSync(path.join(stateDir, 'runtime.json'), JSON.stringify({ pid: deadPid(), apiUrl: 'http://127.0.0.1:3000/v1' }));

    // Act + Assess
    expect(() => PipelineLock.acquire(stateDir)).toThrow(
      `a pipeline is already running from this folder (pid ${owner}); stop it first (Ctrl-C in its terminal or kill ${owner})`,
    );
  });

  it('takes over a lock whose owner is dead (a kill -9)', () => {
    // Prepare
    const stateDir = newStateDir();
    const gone = deadPid();
    expect(isPidAlive(gone)).toBe(false);
    writeFileSync(lockFile(stateDir), JSON.stringify({ pid: gone }));

    // Act
    const lock = PipelineLock.acquire(stateDir);

    // Assess
    expect(JSON.parse(readFileSync(lockFile(stateDir), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over a lock whose pid now belongs to a process that started at another time (a reused pid)', () => {
    // Prepare
    const stateDir = newStateDir();
    writeFileSync(lockFile(stateDir), JSON.stringify({ pid: process.ppid, startTicks: '1' }));

    // Act
    const lock = PipelineLock.acquire(stateDir);

    // Assess
    expect(JSON.parse(readFileSync(lockFile(stateDir), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('release leaves a lock that another start has taken over', () => {
    // Prepare
    const stateDir = newStateDir();
    const lock = PipelineLock.acquire(stateDir);
    writeFileSync(lockFile(stateDir), JSON.stringify({ pid: process.ppid }));

    // Act
    lock.release();

    // Assess
    expect(JSON.parse(readFileSync(lockFile(stateDir), 'utf8'))).toEqual({ pid: process.ppid });
  });
});

describe('Function: isPidAlive', () => {
  it('is true for a running process and false for an exited one or a pid that cannot exist', () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(deadPid())).toBe(false);
    expect(isPidAlive(0)).toBe(false);
    expect(isPidAlive(-1)).toBe(false);
  });
});
