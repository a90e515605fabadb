import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** Where a measured figure comes from: which bench, at which commit, when, on what machine. */
export interface BenchSource {
  readonly bench: string;
  /** `git rev-parse --short HEAD`, with `-dirty` when the worktree had uncommitted changes. */
  readonly commit: string;
  readonly measuredAt: string;
  readonly machine: string;
}

/** The source of figures measured now by `bench` (e.g. `npm run bench:shards`). */
export function benchSource(bench: string): BenchSource {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', cwd: __dirname }).trim();
  let commit = 'unknown';
  try {
    commit = git('rev-parse', '--short', 'HEAD');
    // A changed source file makes the figures dirty; the bench's own results (units.json is tracked) do not.
    if (git('status', '--porcelain', '--untracked-files=no', '--', ':/', ':(top,exclude)bench/results') !== '') commit += '-dirty';
  } catch {
    // Not a git checkout (an unpacked tarball): the figures still say when and where.
  }
  const cores = cpus();
  return {
    bench,
    commit,
    measuredAt: new Date().toISOString(),
    machine: `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`,
  };
}
