import * as path from 'node:path';
import { credentialsPath, LOCAL_ROLES } from '../credentials/LocalCredentials';
import { JavaMissingError } from '../emulators/Emulators';
import type { HostStats } from '../host/FunctionHost';
import { PipelineAlreadyRunningError } from '../runtime/PipelineAlreadyRunningError';
import { PipelineSupervisor } from '../runtime/PipelineSupervisor';

const envPort = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number from 0 to 65535 (got ${JSON.stringify(value)})`);
  }
  return port;
};

/** Options of `tributary start`. */
export interface StartOptions {
  /** Delete the kept emulator data (`<stateDir>/data`) and start empty. @default false */
  readonly fresh?: boolean;
}

/** A stop that has not finished by then is cut short: the guard then ends the emulators. */
const STOP_DEADLINE_MS = 15_000;

/** `tributary start`: the whole pipeline offline, until Ctrl-C. */
export async function startCommand(options: StartOptions = {}): Promise<void> {
  const startedAt = Date.now();
  const stateDir = path.resolve(process.env.TRIBUTARY_STATE_DIR ?? '.tributary');
  const interactive = process.stdout.isTTY === true;
  let supervisor: PipelineSupervisor;
  try {
    supervisor = await PipelineSupervisor.start({
      stateDir,
      persistData: true,
      fresh: options.fresh === true,
      assemblyDir: path.resolve(process.env.TRIBUTARY_CDK_OUT ?? 'cdk.out'),
      apiPort: envPort('TRIBUTARY_API_PORT', 3000),
      dashboardPort: envPort('TRIBUTARY_DASHBOARD_PORT', 3001),
      emulatorPorts: {
        kinesis: envPort('TRIBUTARY_KINESIS_PORT', 4568),
        dynamodb: envPort('TRIBUTARY_DYNAMODB_PORT', 8000),
        sqs: envPort('TRIBUTARY_SQS_PORT', 4566),
      },
      pollIntervalMs: Number(process.env.TRIBUTARY_POLL_INTERVAL_MS ?? '1000'),
      onProgress: (step) => console.log(`  … ${step}`),
    });
  } catch (error) {
    if (error instanceof JavaMissingError) {
      console.error(error.message);
      process.exit(1);
    }
    if (error instanceof PipelineAlreadyRunningError) {
      console.error(`tributary: ${error.message}`);
      process.exit(1);
    }
    console.error(`tributary: could not start the pipeline: ${(error as Error).message}`);
    process.exit(1);
  }

  const { plan, emulators } = supervisor;
  const shown = (dir: string): string => {
    const relative = path.relative(process.cwd(), dir);
    return relative === '' ? '.' : relative.startsWith('..') ? dir : relative;
  };
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const { credentials } = supervisor;
  const signed = plan.restApis.some((api) => api.routes.some((route) => route.authorizationType === 'AWS_IAM'));
  const metricsUrl = `${supervisor.apiUrl}/metrics/orders-per-region?group=eu-west`;
  const producers = Object.keys(credentials.apiKeys);
  // Key ids only: the secrets stay in the 0600 file, and a terminal's scrollback is not a secret store.
  const keys = `
  Keys       ${shown(credentialsPath(stateDir))} (0600, kept across restarts): SigV4 key pairs per role (${LOCAL_ROLES.join(', ')})
             producer ${credentials.identities.producer.accessKeyId}   admin ${credentials.identities.admin.accessKeyId}${
               producers.length > 0 ? `\n             API keys (x-api-key on POST /events) for: ${producers.join(', ')}` : ''
             }
             npx tributary credentials --role <role>   prints export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_REGION=…`;
  const tryCurl = signed
    ? `eval "$(npx tributary credentials --role metrics-reader)"
        curl --aws-sigv4 "aws:amz:${credentials.region}:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" '${metricsUrl}'`
    : `curl '${metricsUrl}'`;
  const openWarning = signed ? '' : "\n  WARNING    api.authorization is 'none': every route answers unsigned requests (a private sandbox only)";
  const unsupported = plan.notEmulated.filter((entry) => entry.reason.startsWith('UNSUPPORTED'));
  console.log(`
Tributary is running offline (up in ${seconds} s)

  Dashboard  ${supervisor.dashboardUrl ?? '(none)'}
  API        ${supervisor.apiUrl}
             POST ${supervisor.apiUrl}/events      GET ${supervisor.apiUrl}/metrics/{name}
  Kinesis    ${emulators.endpoints.kinesis}
  DynamoDB   ${emulators.endpoints.dynamodb}
  SQS        ${emulators.endpoints.sqs}
  Data       ${shown(path.join(stateDir, 'data'))}/   Kinesis and DynamoDB, kept across restarts (--fresh starts empty)
             SQS and SNS (fauxqs) are in memory: DLQ messages and SNS subscriptions are lost at stop
  Logs       ${shown(path.join(stateDir, 'logs'))}/   (the previous run's in ${shown(path.join(stateDir, 'logs.previous'))}/; API access log: api-access.log)${keys}${openWarning}

  Try:  npx tributary send --rate 200 --duration 10
        ${tryCurl}
${plan.notEmulated.length > 0 ? `\n  Not emulated: ${summarize(plan.notEmulated.map((entry) => entry.type))}` : ''}${
    unsupported.length > 0 ? `\n  UNSUPPORTED offline: ${unsupported.map((entry) => `${entry.logicalId} (${entry.type})`).join(', ')}` : ''
  }
  Ctrl-C stops everything.
`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (interactive) process.stdout.write('\n');
    console.log('stopping…');
    setTimeout(() => {
      console.error(`tributary: the pipeline did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting (its guard ends the emulators)`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    void supervisor.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`tributary: stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // Whoever started us died without a signal reaching us (kill -9 of a wrapper): stop rather than orphan the emulators.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) stop();
  }, 1_000).unref();

  let lastPrinted = 0;
  setInterval(() => {
    if (stopping) return;
    const line = statusLine(supervisor.latestStats, supervisor.hostRunning, emulators.dead, supervisor.hostRestarts);
    if (interactive) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      console.log(line);
    }
  }, 1_000).unref();
}

function summarize(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${type.replace(/^AWS::/, '')}×${count}`).join(' ');
}

/** One line: health, then what flowed through. */
export function statusLine(stats: HostStats | undefined, hostRunning: boolean, deadEmulators: readonly string[], restarts: number): string {
  const health = deadEmulators.length > 0 ? `✗ ${deadEmulators.join(', ')} DOWN` : hostRunning ? '● up' : '○ host restarting';
  if (!stats) return `${health} · waiting for the function host`;
  const functions = Object.values(stats.functions);
  const mappings = Object.values(stats.mappings);
  const sum = <T>(items: readonly T[], pick: (item: T) => number): number => items.reduce((total, item) => total + pick(item), 0);
  const parts = [
    health,
    `invocations ${sum(functions, (fn) => fn.invocations)}`,
    `errors ${sum(functions, (fn) => fn.errors)}`,
    `records ${sum(mappings, (m) => m.processedRecords)}`,
    `lag ${Math.max(0, ...mappings.map((m) => m.millisBehindLatest))} ms`,
    `to DLQ ${sum(mappings, (m) => m.discardedRecords)}`,
  ];
  if (restarts > 0) parts.push(`host restarts ${restarts}`);
  return parts.join(' · ');
}
