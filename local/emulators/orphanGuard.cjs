// Watches the process that started the emulators; if it dies without stopping
// them (kill -9, a test worker torn down), ends their process groups so nothing
// is left holding ports. SIGTERM first, so that kinesis-mock writes its data
// file and DynamoDB Local closes its database; SIGKILL for whatever is still
// there after a grace period. Usage: node orphanGuard.cjs <ownerPid> <pgid>...
'use strict';
const GRACE_MS = 3_000;
const [ownerPid, ...groups] = process.argv.slice(2).map(Number);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const signalGroups = (signal) => {
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {
      // already gone
    }
  }
};
const watch = setInterval(() => {
  if (alive(ownerPid)) return;
  clearInterval(watch);
  signalGroups('SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  setInterval(() => {
    if (groups.some((group) => alive(-group)) && Date.now() < deadline) return;
    signalGroups('SIGKILL');
    process.exit(0);
  }, 100);
}, 500);
