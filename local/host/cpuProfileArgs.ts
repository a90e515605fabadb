/**
 * Node flags that make the function host and each of its sandbox threads write a
 * V8 CPU profile into `TRIBUTARY_CPU_PROFILE_DIR` when they exit (none when it is
 * unset): where the host's time goes under load, per function
 * (`npx tsx bench/hostProfile.ts <dir>` sums them up). A sandbox thread is given
 * its own flags, so it needs them as much as the host does.
 */
export function cpuProfileArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.TRIBUTARY_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
