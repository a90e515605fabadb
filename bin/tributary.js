#!/usr/bin/env node
// The CLI is TypeScript run through tsx, as in development: no separate build step to forget.
// Signals are relayed so that `kill <pid>` of this wrapper stops the pipeline as Ctrl-C does.
'use strict';
const { readFileSync } = require('node:fs');
const { constants } = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const main = path.join(__dirname, '..', 'local', 'cli', 'main.ts');
const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));

// Whoever started us can die without a signal reaching us: `kill -9` of npm, or
// SIGTERM to npm, which passes it only to the `sh -c` it runs us under. We are
// then re-parented and would keep the whole pipeline running. So watch the
// parent and, under `sh -c` (npm scripts, npx), the process that ran the shell;
// when one goes, stop the CLI as Ctrl-C would, and kill it if it hangs.
const parentPid = process.ppid;
const watched = [parentPid, ...(isShellCommand(parentPid) ? [parentOf(parentPid)] : [])].filter((pid) => pid !== undefined && pid > 1);
const STOP_GRACE_MS = 10_000;
const watch = setInterval(() => {
  if (process.ppid === parentPid && watched.every(isAlive)) return;
  clearInterval(watch);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
}, 500);
watch.unref();

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Whether `pid` runs `<shell> -c …` (Linux /proc; elsewhere only the parent is watched). */
function isShellCommand(pid) {
  try {
    const [command, flag] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /(^|\/)(sh|bash|dash|zsh)$/.test(command) && flag === '-c';
  } catch {
    return false;
  }
}

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
