import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { tributaryConfig } from '../../infra/tributary.config';
import { LOCAL_ROLES, type LocalRole } from '../credentials/LocalCredentials';
import { COMMAND_USAGE, TOP_USAGE, isCommandName } from './commandUsage';
import { describeFailure } from './describeFailure';
import { parseCommandOptions } from './parseCommandOptions';
import { DEAD_LETTER_QUEUES, type DeadLetterQueueName } from './PipelineTarget';
import type { PipelineSelection } from './resolvePipelineTarget';
import { UsageError } from './UsageError';

/** Exit code of a run stopped by SIGINT (128 + 2), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * `tributary <command> [options]`. Each command parses its own options (plus
 * -h/--help) and is imported only when run, so `--help` and a mistyped option
 * answer at once and never start anything. Exit codes: 0 done, 1 failed,
 * 2 a command line that cannot be run, 130 interrupted.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') return print(TOP_USAGE);
  if (command === '--version' || command === '-v') return print(packageVersion());
  if (command === 'help') {
    const topic = rest[0];
    if (topic === undefined) return print(TOP_USAGE);
    if (isCommandName(topic)) return print(COMMAND_USAGE[topic]);
    throw new UsageError(`unknown command "${topic}"; run \`tributary --help\` for the commands`);
  }
  if (!isCommandName(command)) {
    throw new UsageError(`unknown ${command.startsWith('-') ? 'option' : 'command'} ${command.startsWith('-') ? command : `"${command}"`}; run \`tributary --help\` for the commands`);
  }
  // Help wins over everything else on the line, even an option parseArgs would refuse.
  if (asksForHelp(rest)) return print(COMMAND_USAGE[command]);

  switch (command) {
    case 'start': {
      const values = parseCommandOptions('start', rest, { fresh: { type: 'boolean', default: false } });
      const { startCommand } = await import('./startCommand');
      return startCommand({ fresh: values.fresh === true });
    }
    case 'send': {
      const values = parseCommandOptions('send', rest, {
        file: { type: 'string' },
        rate: { type: 'string', default: '100' },
        duration: { type: 'string' },
        count: { type: 'string' },
        batch: { type: 'string', default: '100' },
        url: { type: 'string' },
        'api-key': { type: 'string' },
        producer: { type: 'string' },
        type: { type: 'string' },
        'error-rate': { type: 'string' },
        'late-rate': { type: 'string' },
      });
      const number = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
        if (value === undefined) return undefined;
        const parsed = Number(value);
        if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) throw new UsageError(`--${name} must be a number from ${min} to ${max} (got ${value})`);
        return parsed;
      };
      const options = {
        ...(values.file !== undefined ? { file: values.file } : {}),
        ...(values.url !== undefined ? { url: parseApiUrl(values.url) } : {}),
        rate: number('rate', values.rate, 0.1, 100_000)!,
        ...(values.duration !== undefined ? { durationSeconds: number('duration', values.duration, 0.1, 86_400)! } : {}),
        ...(values.count !== undefined ? { count: Math.round(number('count', values.count, 1, 100_000_000)!) } : {}),
        batchSize: Math.round(number('batch', values.batch, 1, 500)!),
        ...(values['api-key'] !== undefined ? { apiKey: nonEmpty('api-key', values['api-key']) } : {}),
        ...(values.producer !== undefined ? { producer: values.producer } : {}),
        ...sendLoadOptions(values.type, values['error-rate'], values['late-rate'], values.file, number),
      };
      const { sendCommand } = await import('./sendCommand');
      const summary = await sendCommand(options);
      if (summary.interrupted) process.exitCode = INTERRUPTED_EXIT_CODE;
      else if (summary.failed > 0 || summary.rejected > 0) process.exitCode = 1;
      return;
    }
    case 'credentials': {
      const values = parseCommandOptions('credentials', rest, { role: { type: 'string', default: 'producer' }, producer: { type: 'string' } });
      const role = values.role ?? 'producer';
      if (!isLocalRole(role)) throw new UsageError(`--role ${role} is not a role; one of: ${LOCAL_ROLES.join(', ')}`);
      if (values.producer !== undefined && role !== 'producer') throw new UsageError(`--producer picks the API key of --role producer, not of ${role}`);
      const { credentialsLines } = await import('./credentialsCommand');
      for (const line of credentialsLines({ role, ...(values.producer !== undefined ? { producer: values.producer } : {}) })) print(line);
      return;
    }
    case 'late': {
      const values = parseCommandOptions('late', rest, { metric: { type: 'string' }, day: { type: 'string' }, limit: { type: 'string', default: '50' }, ...PIPELINE_OPTIONS });
      const { lateCommand } = await import('./lateCommand');
      if (!values.metric) throw new UsageError(`late needs --metric <name>; known: ${tributaryConfig.metrics.map((metric) => metric.name).join(', ')}`);
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw new UsageError(`--limit must be a whole number from 1 to 1000 (got ${values.limit})`);
      await lateCommand({ metric: values.metric, day: values.day ?? new Date().toISOString().slice(0, 10), limit, ...pipelineSelection(values) });
      return;
    }
    case 'redrive': {
      const values = parseCommandOptions('redrive', rest, { 'dry-run': { type: 'boolean', default: false }, queue: { type: 'string', default: 'aggregator' }, ...PIPELINE_OPTIONS });
      const queue = values.queue ?? 'aggregator';
      if (!isDeadLetterQueueName(queue)) throw new UsageError(`--queue ${queue} is not a DLQ of the pipeline; one of: ${DEAD_LETTER_QUEUES.join(', ')}`);
      const { redriveCommand } = await import('./redriveCommand');
      const report = await redriveCommand({ dryRun: values['dry-run'], queue, ...pipelineSelection(values) });
      if (report.expired.length > 0 || report.unreadable > 0 || report.failed.length > 0) process.exitCode = 1;
      return;
    }
    case 'replay': {
      const values = parseCommandOptions('replay', rest, { from: { type: 'string' }, to: { type: 'string' }, metric: { type: 'string' }, ...PIPELINE_OPTIONS });
      if (!values.from) throw new UsageError('replay needs --from <time> (ISO-8601 with a timezone, or epoch ms)');
      const { parseCliTime, replayCommand } = await import('./replayCommand');
      await replayCommand({
        fromMs: parseCliTime('from', values.from),
        ...(values.to !== undefined ? { toMs: parseCliTime('to', values.to) } : {}),
        ...(values.metric !== undefined ? { metric: values.metric } : {}),
        ...pipelineSelection(values),
      });
      return;
    }
    case 'plan': {
      const values = parseCommandOptions('plan', rest, {
        rate: { type: 'string' },
        'event-bytes': { type: 'string', default: '300' },
        'events-per-request': { type: 'string', default: '100' },
        groups: { type: 'string', default: '100' },
        metrics: { type: 'string' },
        shards: { type: 'string' },
        json: { type: 'boolean', default: false },
      });
      if (values.rate === undefined) throw new UsageError('plan needs --rate <events/s>, e.g. tributary plan --rate 10000');
      const whole = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
        if (value === undefined) return undefined;
        const parsed = Number(value);
        if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min || parsed > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
        return parsed;
      };
      const { planCommand } = await import('./planCommand');
      const metrics = whole('metrics', values.metrics, 1, 1_000);
      const shards = whole('shards', values.shards, 1, 100_000);
      planCommand({
        eventsPerSecond: whole('rate', values.rate, 1, 10_000_000)!,
        eventBytes: whole('event-bytes', values['event-bytes'], 1, 262_144)!,
        eventsPerRequest: whole('events-per-request', values['events-per-request'], 1, 500)!,
        groupsPerMetric: whole('groups', values.groups, 1, 100_000_000)!,
        ...(metrics !== undefined ? { metrics } : {}),
        ...(shards !== undefined ? { shards } : {}),
        json: values.json === true,
      });
      return;
    }
  }
}

/** The options every repair command takes to work on a deployed stack instead of the offline pipeline. */
const PIPELINE_OPTIONS = { stack: { type: 'string' }, region: { type: 'string' } } as const;

/** `--stack` and `--region` as a PipelineSelection; an empty value is a usage error, not a stack named "". */
function pipelineSelection(values: { readonly stack?: string | boolean; readonly region?: string | boolean }): PipelineSelection {
  const stack = typeof values.stack === 'string' ? nonEmpty('stack', values.stack) : undefined;
  const region = typeof values.region === 'string' ? nonEmpty('region', values.region) : undefined;
  return { ...(stack !== undefined ? { stack } : {}), ...(region !== undefined ? { region } : {}) };
}

/** `--type`, `--error-rate` and `--late-rate` of `send`: which synthetic load; the error rate only for checkouts, none with --file. */
function sendLoadOptions(
  type: string | undefined,
  errorRate: string | undefined,
  lateRate: string | undefined,
  file: string | undefined,
  number: (name: string, value: string | undefined, min: number, max: number) => number | undefined,
): { type?: 'orders' | 'checkout'; errorRate?: number; lateRate?: number } {
  if (type !== undefined && type !== 'orders' && type !== 'checkout') throw new UsageError(`--type must be orders or checkout (got ${type})`);
  if (file !== undefined && (type !== undefined || errorRate !== undefined || lateRate !== undefined)) {
    throw new UsageError('--type, --error-rate and --late-rate generate synthetic events: they cannot be used with --file');
  }
  if (errorRate !== undefined && type !== 'checkout') throw new UsageError('--error-rate applies to --type checkout only');
  return {
    ...(type !== undefined ? { type } : {}),
    ...(errorRate !== undefined ? { errorRate: number('error-rate', errorRate, 0, 1)! } : {}),
    ...(lateRate !== undefined ? { lateRate: number('late-rate', lateRate, 0, 1)! } : {}),
  };
}

function isDeadLetterQueueName(value: string): value is DeadLetterQueueName {
  return (DEAD_LETTER_QUEUES as readonly string[]).includes(value);
}

function isLocalRole(value: string): value is LocalRole {
  return (LOCAL_ROLES as readonly string[]).includes(value);
}

/** An option value that must not be empty (an empty API key would be sent as a header with no value). */
function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

function print(text: string): void {
  console.log(text);
}

/** -h or --help anywhere before a `--` that ends the options. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** The API base URL, without a trailing slash; a URL that does not parse is a usage error, not a fetch failure later. */
function parseApiUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new UsageError(`--url ${value} is not an http(s) URL; give the API base URL, e.g. http://127.0.0.1:3000/v1`);
  }
  return value.replace(/\/+$/, '');
}

/** Every failure ends here: one line on stderr (the stack only with TRIBUTARY_DEBUG=1) and a non-zero exit. */
function fail(error: unknown): never {
  const { line, exitCode } = describeFailure(error);
  console.error(`tributary: ${line}`);
  if (process.env.TRIBUTARY_DEBUG === '1') console.error(error instanceof Error ? (error.stack ?? error) : error);
  process.exit(exitCode);
}

// An error raised outside the awaited chain (a stray socket error, a timer) gets the same one line.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main(process.argv.slice(2)).catch(fail);
