// Watches the process that started the emulators; if it dies without stopping
// them (kill -9, a test worker torn down), ends their process groups so nothing
// is left holding ports. Usage: node orphanGuard.cjs <ownerPid> <pgid>...
'use strict';
const [ownerPid, ...groups] = process.argv.slice(2).map(Number);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
setInterval(() => {
  if (alive(ownerPid)) return;
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
}, 500);
