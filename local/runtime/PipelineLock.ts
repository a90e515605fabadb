import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { PipelineAlreadyRunningError } from './PipelineAlreadyRunningError';
import { isPidAlive, processStartTicks } from './processAlive';

/** What the lock file holds: who owns the state directory. */
interface LockOwner {
  readonly pid: number;
  /** The owner's start time (Linux), so a reused pid is not mistaken for it. */
  readonly startTicks?: string;
}

/**
 * `<stateDir>/pipeline.lock`: one running pipeline per state directory. Taken
 * with O_EXCL before anything in the directory is touched, so a second
 * `npm start` cannot delete the running one's runtime.json or logs. A lock
 * whose owner is dead (kill -9, a crash) is stale and taken over.
 */
export class PipelineLock {
  private released = false;

  private constructor(private readonly lockPath: string) {}

  /** Takes the lock or throws PipelineAlreadyRunningError naming the live owner. */
  public static acquire(stateDir: string): PipelineLock {
    mkdirSync(stateDir, { recursive: true });
    const lockPath = path.join(stateDir, 'pipeline.lock');
    const owner: LockOwner = { pid: process.pid, ...optionalTicks(processStartTicks(process.pid)) };
    // A retry follows the removal of a stale lock; a third start racing for the same stale lock may win it.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        return new PipelineLock(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readOwner(lockPath);
      if (holder && holder.pid !== process.pid && ownerAlive(holder)) {
        throw new PipelineAlreadyRunningError(holder.pid, readApiUrl(stateDir, holder.pid));
      }
      rmSync(lockPath, { force: true });
    }
    throw new Error(`could not take ${lockPath}: it reappeared after each removal of a stale lock`);
  }

  /** Gives the state directory up; safe to call twice. */
  public release(): void {
    if (this.released) return;
    this.released = true;
    const holder = readOwner(this.lockPath);
    // Only our own lock: a stale-lock takeover may have replaced it.
    if (holder?.pid === process.pid) rmSync(this.lockPath, { force: true });
  }
}

function optionalTicks(startTicks: string | undefined): { startTicks?: string } {
  return startTicks === undefined ? {} : { startTicks };
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, ...optionalTicks(parsed.startTicks) } : undefined;
  } catch {
    // Half-written (the owner died between open and write) or unreadable: nobody we can name owns it.
    return undefined;
  }
}

function ownerAlive(owner: LockOwner): boolean {
  if (!isPidAlive(owner.pid)) return false;
  const ticks = processStartTicks(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

/** The running pipeline's API URL from its runtime.json, when that file is its (it is written once the pipeline is up). */
function readApiUrl(stateDir: string, pid: number): string | undefined {
  try {
    const info = JSON.parse(readFileSync(path.join(stateDir, 'runtime.json'), 'utf8')) as { apiUrl?: string; pid?: number };
    return info.pid === pid ? info.apiUrl : undefined;
  } catch {
    return undefined;
  }
}
