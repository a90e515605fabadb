import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid exists. Signal 0 checks without sending
 * anything; EPERM means it exists but belongs to someone else, so it counts
 * as alive. A pid file whose pid is dead is stale (the writer crashed or was
 * killed -9).
 */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process started, in clock ticks since boot (Linux, field 22 of
 * /proc/<pid>/stat); undefined where /proc is missing or the process is gone.
 * Recorded beside a pid, it tells a pid reused by another process from the
 * one that wrote it.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
