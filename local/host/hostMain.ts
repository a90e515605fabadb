// Entry of the function host child process: `node --import tsx local/host/hostMain.ts <plan.json>`.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalPlan } from '../assembly/LocalPlan';
import { readLocalCredentials } from '../credentials/LocalCredentials';
import type { LocalAlarmStatus } from '../alarms/LocalAlarmStatus';
import { alarmTimeScale } from '../alarms/alarmTimeScale';
import { FunctionHost } from './FunctionHost';

const logDir = process.env.TRIBUTARY_LOG_DIR ?? '.tributary/logs';

/**
 * A stray rejection or exception (one request, one poller tick, a socket error
 * nobody listened for) is logged and the host keeps serving: the supervisor's
 * restart is for a host that cannot go on, and costs every function a cold start
 * and every mapping its in-flight batch. Intentional exits (shutdown, a failed
 * start) still call process.exit themselves.
 */
function logStray(kind: string, error: unknown): void {
  const line = `${new Date().toISOString()} function host: ${kind}, still serving: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  try {
    // An EPIPE is most likely our own stderr gone with the supervisor: writing there again would loop.
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EPIPE') console.error(line);
    mkdirSync(logDir, { recursive: true });
    appendFileSync(path.join(logDir, 'host.log'), `${line}\n`);
  } catch {
    // Logging must not throw here: an exception inside this handler would end the process after all.
  }
}
process.on('unhandledRejection', (reason) => logStray('unhandled rejection', reason));
process.on('uncaughtException', (error) => logStray('uncaught exception', error));

/** TRIBUTARY_SCHEDULE_INTERVAL_MS, when set to a whole number of ms ≥ 100; anything else is refused at start. */
function scheduleIntervalMs(): number | undefined {
  const text = process.env.TRIBUTARY_SCHEDULE_INTERVAL_MS;
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 100) throw new Error(`TRIBUTARY_SCHEDULE_INTERVAL_MS must be a whole number of milliseconds ≥ 100, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<void> {
  const planPath = process.argv[2];
  if (!planPath) throw new Error('usage: hostMain <plan.json>');
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as LocalPlan;
  // Written by the supervisor before it starts the host; kept out of plan.json, which is not private.
  const credentials = readLocalCredentials(process.env.TRIBUTARY_STATE_DIR ?? '.tributary');
  if (!credentials) console.error('function host: no credentials.json in the state directory; every signed route will answer 403');
  const host = new FunctionHost(plan, {
    ...(credentials ? { credentials } : {}),
    apiPort: Number(process.env.TRIBUTARY_API_PORT ?? '3000'),
    ...(scheduleIntervalMs() !== undefined ? { scheduleIntervalMs: scheduleIntervalMs()! } : {}),
    alarmTimeScale: alarmTimeScale(process.env.TRIBUTARY_ALARM_TIME_SCALE),
    logDir,
    timing: {
      idlePollIntervalMs: Number(process.env.TRIBUTARY_POLL_INTERVAL_MS ?? '1000'),
      retryBaseDelayMs: Number(process.env.TRIBUTARY_RETRY_BASE_MS ?? '100'),
    },
  });
  await host.start();
  if (process.env.TRIBUTARY_STATE_DIR) writeFileSync(path.join(process.env.TRIBUTARY_STATE_DIR, 'host.pid'), String(process.pid));
  process.send?.({ type: 'ready', apiUrls: host.apiUrls });
  const timer = setInterval(() => {
    const stats = host.stats();
    process.send?.({ type: 'stats', stats });
    writeAlarmStates(stats.alarms);
  }, 1_000);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    void host.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The supervisor went away: do not linger as an orphan.
  process.on('disconnect', shutdown);
}

/** The alarms.json text last written. */
let lastAlarmStates: string | undefined;

/**
 * The alarms' states as the host last reported them, in `<stateDir>/alarms.json`, for
 * whoever reads the running pipeline from outside (tests, scripts); replaced
 * whole (rename), so a reader never sees half a file.
 */
function writeAlarmStates(alarms: readonly LocalAlarmStatus[]): void {
  const stateDir = process.env.TRIBUTARY_STATE_DIR;
  if (!stateDir) return;
  const text = `${JSON.stringify(alarms, null, 2)}\n`;
  // Only when a state changed: the write and rename every second were 2.6 % of the host's main thread under load.
  if (text === lastAlarmStates) return;
  try {
    const file = path.join(stateDir, 'alarms.json');
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    lastAlarmStates = text;
  } catch (error) {
    logStray('writing alarms.json failed', error);
  }
}

main().catch((error: unknown) => {
  console.error(`function host failed to start: ${(error as Error).stack ?? String(error)}`);
  process.send?.({ type: 'failed', message: (error as Error).message });
  process.exit(1);
});
