import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_USAGE, TOP_USAGE } from '../../../local/cli/commandUsage';
import { describeFailure } from '../../../local/cli/describeFailure';
import { describeLateEntry, parseUtcDay } from '../../../local/cli/lateCommand';
import { redriveReportLines } from '../../../local/cli/redriveCommand';
import { UsageError } from '../../../local/cli/UsageError';
import { RecordsExpiredError } from '../../../core/errors';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'tributary.js');
const VERSION = (JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const KNOWN_METRICS = 'orders-per-region, checkout-errors-5m, user-sessions';
/** Credentials `--url` signs with (the stand-in servers here do not check them). */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: '', AWS_REGION: '' };
/** A line of a Node stack trace, which must never reach the user. */
const STACK_FRAME = /^\s+at /m;

let workDir: string;
let stateDir: string;

/** The real CLI as a user runs it, from a folder of its own with its own state directory. */
function tributary(args: readonly string[], env: Record<string, string> = {}) {
  const startedMs = Date.now();
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: workDir,
    env: { ...process.env, TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_DEBUG: '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, elapsedMs: Date.now() - startedMs };
}

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** runtime.json as `npm start` writes it, for a pipeline at `port` run by `pid`. */
function writeRuntimeFile(pid: number, port: number): void {
  mkdirSync(stateDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(
    path.join(stateDir, 'runtime.json'),
    JSON.stringify({ apiUrl: `${url}/v1`, endpoints: { kinesis: url, dynamodb: url, sqs: url }, pid, startedAt: '2026-11-22T08:00:00.000Z' }),
  );
}

beforeEach(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'tributary-cli-'));
  stateDir = path.join(workDir, 'state');
});

describe('CLI: tributary', () => {
  describe('help and version', () => {
    it('lists every command for --help', () => {
      const run = tributary(['--help']);

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${TOP_USAGE}\n`);
      for (const command of Object.keys(COMMAND_USAGE)) expect(run.stdout).toMatch(new RegExp(`^  ${command} {2,}\\S`, 'm'));
      expect(run.stderr).toBe('');
    });

    it.each(['send', 'credentials', 'late', 'redrive', 'replay'] as const)('prints the usage of %s for --help and exits 0', (command) => {
      const run = tributary([command, '--help']);

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${COMMAND_USAGE[command]}\n`);
      expect(run.stdout.startsWith(`Usage: tributary ${command}`)).toBe(true);
      expect(run.stderr).toBe('');
    });

    it('prints the usage for -h too, even beside options the command would refuse', () => {
      const run = tributary(['late', '--day', 'someday', '--bogus', '-h']);

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${COMMAND_USAGE.late}\n`);
    });

    it('prints the usage of start for --help without starting anything', () => {
      const run = tributary(['start', '--help']);

      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${COMMAND_USAGE.start}\n`);
      expect(run.stdout).not.toContain('synthesizing');
      expect(existsSync(path.join(stateDir, 'runtime.json'))).toBe(false);
      expect(existsSync(stateDir)).toBe(false);
      expect(run.elapsedMs).toBeLessThan(5_000);
    });

    it('prints the package version for --version and -v', () => {
      expect(tributary(['--version'])).toMatchObject({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
      expect(tributary(['-v'])).toMatchObject({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    });
  });

  describe('command lines it cannot run (exit 2)', () => {
    it('names an unknown command in one line and points at --help', () => {
      expect(tributary(['sned'])).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: unknown command "sned"; run `tributary --help` for the commands\n' });
    });

    it("names an unknown option in one line and points at the command's --help", () => {
      expect(tributary(['send', '--cuont', '5'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'tributary: unknown option --cuont; run `tributary send --help` for its options\n',
      });
    });

    it('refuses a synthetic load it cannot generate: an unknown --type, --error-rate without checkouts, a rate out of 0–1, any of them with --file', () => {
      const refused = (args: string[], message: string) => expect(tributary(['send', ...args])).toMatchObject({ status: 2, stdout: '', stderr: `tributary: ${message}\n` });
      refused(['--type', 'payments'], '--type must be orders or checkout (got payments)');
      refused(['--error-rate', '0.3'], '--error-rate applies to --type checkout only');
      refused(['--type', 'checkout', '--error-rate', '1.5'], '--error-rate must be a number from 0 to 1 (got 1.5)');
      refused(['--file', 'events.ndjson', '--type', 'checkout'], '--type, --error-rate and --late-rate generate synthetic events: they cannot be used with --file');
      refused(['--file', 'events.ndjson', '--late-rate', '0.02'], '--type, --error-rate and --late-rate generate synthetic events: they cannot be used with --file');
      refused(['--late-rate', '1.5'], '--late-rate must be a number from 0 to 1 (got 1.5)');
    });

    it('refuses a --day that is no calendar day, naming what is wrong', () => {
      expect(tributary(['late', '--metric', 'orders-per-region', '--day', '2026-13-45'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'tributary: --day 2026-13-45 is not a calendar day (there is no month 13); give a UTC day as YYYY-MM-DD (default: today)\n',
      });
      expect(tributary(['late', '--metric', 'orders-per-region', '--day', '2026-02-30'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'tributary: --day 2026-02-30 is not a calendar day (February 2026 has 28 days); give a UTC day as YYYY-MM-DD (default: today)\n',
      });
    });

    it('refuses a --metric the configuration does not have, listing the known ones, with no pipeline running', () => {
      expect(tributary(['late', '--metric', 'nope', '--day', '2026-11-22'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: `tributary: --metric nope is not a metric of this pipeline; known: ${KNOWN_METRICS}\n`,
      });
    });

    it('refuses a --queue that is no DLQ of the pipeline, --region without --stack, and an empty --stack, before connecting to anything', () => {
      expect(tributary(['redrive', '--queue', 'archiver'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'tributary: --queue archiver is not a DLQ of the pipeline; one of: aggregator, archive, changes\n',
      });
      expect(tributary(['redrive', '--region', 'eu-west-1'])).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'tributary: --region picks the region of --stack: pass --stack <name> too (offline, the pipeline is the one `npm start` runs)\n',
      });
      expect(tributary(['replay', '--from', '0', '--stack', ' '])).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: --stack needs a value\n' });
    });
  });

  describe('no pipeline (exit 1, one line, no stack)', () => {
    it('send without a runtime file says to start one', () => {
      const run = tributary(['send', '--count', '1']);

      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `tributary: no pipeline is running from this folder (${path.join('state', 'runtime.json')} is missing): start it with \`npm start\` (or pass --url)\n`,
      );
      expect(run.stderr).not.toMatch(STACK_FRAME);
    });

    it('send to a URL nobody answers on says no pipeline is answering there', async () => {
      const port = await closedPort();

      const run = tributary(['send', '--count', '3', '--url', `http://127.0.0.1:${port}/v1/`], AWS_ENV);

      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`tributary: no pipeline is answering at http://127.0.0.1:${port}/v1/events: start it with \`npm start\` (or pass --url)\n`);
      expect(run.stderr).not.toMatch(STACK_FRAME);
    });

    it('a runtime file left by a stopped run (its pid is dead) is named as such', async () => {
      // Prepare: the pid of a process that has exited.
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
      writeRuntimeFile(deadPid, await closedPort());
      const advice = `no pipeline is running from this folder (${path.join('state', 'runtime.json')} is from a stopped run, pid ${deadPid}): start it with \`npm start\``;

      // Act
      const late = tributary(['late', '--metric', 'orders-per-region', '--day', '2026-11-22']);
      const send = tributary(['send', '--count', '1']);

      // Assess
      expect(late).toMatchObject({ status: 1, stdout: '', stderr: `tributary: ${advice}\n` });
      expect(send).toMatchObject({ status: 1, stdout: '', stderr: `tributary: ${advice} (or pass --url)\n` });
    });

    it('emulators that refuse connections are one line, and the stack only with TRIBUTARY_DEBUG=1', async () => {
      // Prepare: a live pid (this test's) but nothing on the ports.
      const port = await closedPort();
      writeRuntimeFile(process.pid, port);

      // Act
      const quiet = tributary(['redrive']);
      const debug = tributary(['redrive'], { TRIBUTARY_DEBUG: '1' });

      // Assess
      expect(quiet).toMatchObject({ status: 1, stdout: '', stderr: `tributary: no pipeline is answering at http://127.0.0.1:${port}: start it with \`npm start\`\n` });
      expect(debug.status).toBe(1);
      expect(debug.stderr.split('\n')[0]).toBe(`tributary: no pipeline is answering at http://127.0.0.1:${port}: start it with \`npm start\``);
      expect(debug.stderr).toMatch(STACK_FRAME);
    });
  });

  describe('send interrupted', () => {
    let server: Server;
    let answeredEvents = 0;

    beforeEach(async () => {
      // A stand-in ingest API that accepts everything and counts what it answered.
      answeredEvents = 0;
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const { events } = JSON.parse(body) as { events: unknown[] };
          answeredEvents += events.length;
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ accepted: events.length, rejected: 0, failed: 0, results: events.map((_, index) => ({ index, status: 'accepted', id: `e${index}` })) }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('says on Ctrl-C how many events were accepted, rejected and failed so far, and exits 130', async () => {
      // Prepare
      const { port } = server.address() as { port: number };
      const child = spawn(process.execPath, [BIN, 'send', '--url', `http://127.0.0.1:${port}/v1`, '--rate', '100', '--count', '100000', '--batch', '10'], {
        cwd: workDir,
        env: { ...process.env, TRIBUTARY_STATE_DIR: stateDir, ...AWS_ENV },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 15_000;
      while (answeredEvents < 30 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

      // Act
      child.kill('SIGINT');
      const code = await exited;

      // Assess
      expect(code).toBe(130);
      const match = /^interrupted after (\d+) of 100000 event\(s\) sent: (\d+) accepted, 0 rejected, 0 failed in \d+\.\d s \(\d+ ev\/s\)\n$/.exec(stdout);
      expect(match, stdout).not.toBeNull();
      expect(Number(match![2])).toBe(answeredEvents);
      expect(Number(match![1])).toBe(answeredEvents);
      expect(answeredEvents).toBeGreaterThanOrEqual(30);
      expect(stderr).toBe('');
    });
  });
});

describe('Function: parseUtcDay', () => {
  it('takes real calendar days, leap days included', () => {
    expect(parseUtcDay('2024-02-29')).toBe('2024-02-29');
    expect(parseUtcDay('2000-02-29')).toBe('2000-02-29');
    expect(parseUtcDay('2026-12-31')).toBe('2026-12-31');
  });

  it('refuses the 29th of February of a year that has none, and days that are not written YYYY-MM-DD', () => {
    expect(() => parseUtcDay('2100-02-29')).toThrow(new UsageError('--day 2100-02-29 is not a calendar day (February 2100 has 28 days); give a UTC day as YYYY-MM-DD (default: today)'));
    expect(() => parseUtcDay('2026-04-31')).toThrow('(April 2026 has 30 days)');
    expect(() => parseUtcDay('2026-01-00')).toThrow('(January 2026 has 31 days)');
    expect(() => parseUtcDay('2026-1-5')).toThrow('--day 2026-1-5 is not a day written YYYY-MM-DD; give a UTC day as YYYY-MM-DD (default: today)');
  });
});

describe('Function: describeLateEntry', () => {
  it('prints the reason of any entry, and an event time ahead of the watermark as ahead', () => {
    const item = {
      pk: 'orders-per-region#2999-01-01',
      sk: '032472144000000#01FUTURE',
      reason: 'future-event-time',
      event: JSON.stringify({ id: '01FUTURE', type: 'order.created', key: 'k', time: 32_472_144_000_000, data: {} }),
      eventTime: 32_472_144_000_000,
      group: 'eu-west',
      windowsMissed: [],
      watermark: 32_472_143_880_000,
    };

    expect(describeLateEntry(item)).toBe('2999-01-01T00:00:00.000Z  01FUTURE  future-event-time · group eu-west · 120 s ahead of the watermark');
  });

  it('prints a late entry with the windows it missed and how far behind the watermark it was', () => {
    const eventTimeMs = Date.parse('2026-11-22T02:00:10Z');
    const item = {
      sk: `${String(eventTimeMs).padStart(15, '0')}#01LATE`,
      reason: 'late',
      event: `{"id":"01LATE","type":"order.created","key":"k","time":${eventTimeMs},"data":{"amount":1e400}}`,
      eventTime: eventTimeMs,
      group: 'eu-west',
      windowsMissed: [{ startMs: Date.parse('2026-11-22T02:00:00Z'), endMs: Date.parse('2026-11-22T02:01:00Z') }],
      watermark: eventTimeMs + 115_000,
    };

    expect(describeLateEntry(item)).toBe('2026-11-22T02:00:10.000Z  01LATE  late · group eu-west · missed 02:00:00 · 115 s behind the watermark');
  });
});

describe('Function: describeFailure', () => {
  it("finds a refused connection inside fetch's cause, an AggregateError of both address families", () => {
    const attempt = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 3000 });
    const error = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([attempt]), { code: 'ECONNREFUSED' }) });

    expect(describeFailure(error)).toEqual({ line: 'no pipeline is answering at http://127.0.0.1:3000: start it with `npm start`', exitCode: 1 });
  });

  it('keeps an unforeseen error to one line that points at TRIBUTARY_DEBUG', () => {
    expect(describeFailure(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: sqs:receivemessage'), { name: 'AccessDenied' }))).toEqual({
      line: 'AWS refused (AccessDenied): User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: sqs:receivemessage; the identity needs the permissions in docs/operations/runbooks.md (On AWS: --stack), or fresh credentials',
      exitCode: 1,
    });
    expect(describeFailure(new RangeError('first line\n  second line'))).toEqual({
      line: 'unexpected RangeError: first line second line; run again with TRIBUTARY_DEBUG=1 for the stack',
      exitCode: 1,
    });
  });
});

describe('Function: redriveReportLines', () => {
  it('names the queue, what its redrive guarantees, the records it set aside and what its messages should have been', () => {
    const report = { messages: 3, redriven: 2, records: 9, rejected: 1, expired: [], unreadable: 1, messageKind: 'DynamoDB Streams on-failure records', failed: [] };

    expect(redriveReportLines(report, false, 500, 'changes')).toEqual([
      'redrove 2 of 3 DLQ message(s) of the changes DLQ, 9 record(s); each change was published at most once (0.5 s)',
      '  set aside: 1 record(s) no retry can apply, in the rejected-records output (late-event table, ~rejected#<day>) with the reason',
      '  kept: 1 message(s) that are not DynamoDB Streams on-failure records',
    ]);
    expect(redriveReportLines({ ...report, rejected: 0, unreadable: 0 }, true, 500, 'archive')).toEqual([
      'dry run: 3 DLQ message(s) of the archive DLQ, 9 record(s) still in the stream; nothing applied or deleted (0.5 s)',
    ]);
  });

  it('names every message it kept, one line each, after the summary', () => {
    const report = {
      messages: 4,
      redriven: 1,
      records: 7,
      events: 350,
      expired: [new RecordsExpiredError({ shardId: 'shardId-000000000000', first: '101', last: '105' }, 'trimmed')],
      unreadable: 1,
      failed: [{ messageId: 'm-3', range: { shardId: 'shardId-000000000001', first: '201', last: '209' }, reason: 'ValidationException: Item size\n  has exceeded the maximum' }],
    };

    expect(redriveReportLines(report, false, 1_234)).toEqual([
      'redrove 1 of 4 DLQ message(s), 7 record(s) (350 event(s)); each window took only what it lacked (1.2 s)',
      '  kept: Records 101..105 of shardId-000000000000 are no longer in the stream (trimmed); the DLQ message is kept',
      '  kept: 1 message(s) that are not Kinesis on-failure records',
      '  kept: message m-3 (201..209 of shardId-000000000001) could not be applied: ValidationException: Item size has exceeded the maximum',
    ]);
  });
});
