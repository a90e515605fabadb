#!/usr/bin/env node
// The CLI is TypeScript run through tsx, as in development: no separate build step to forget.
// Signals are relayed so that `kill <pid>` of this wrapper stops the pipeline as Ctrl-C does.
'use strict';
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
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
