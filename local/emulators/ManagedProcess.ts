import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';

/** A child process in its own process group, logging to a file, stopped with everything it started. */
export class ManagedProcess {
  public readonly child: ChildProcess;
  private exited = false;
  public readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  public constructor(
    public readonly name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions & { logFile: string },
  ) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    // detached: a process group of its own, so stop() also reaches its children.
    this.child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
    });
  }

  public get running(): boolean {
    return !this.exited;
  }

  /** SIGTERM to the group, SIGKILL after `graceMs` if still alive. */
  public async stop(graceMs = 3_000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Sends a signal to the whole process group. */
  public signal(signal: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}
