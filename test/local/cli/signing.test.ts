import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalCredentials, writeLocalCredentials } from '../../../local/credentials/LocalCredentials';
import { explainForbidden } from '../../../local/cli/explainForbidden';
import { resolveApiTarget } from '../../../local/cli/resolveApiTarget';
import { parseAuthorization, referenceSignature } from '../../support/referenceSigV4';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'tributary.js');
/** No AWS credentials from the machine running the tests may leak into a run. */
const NO_AWS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', TRIBUTARY_API_KEY: '' };

let workDir: string;
let stateDir: string;

beforeEach(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'tributary-cli-signing-'));
  stateDir = path.join(workDir, 'state');
  mkdirSync(stateDir);
});

/** The real CLI, run asynchronously so this process's stand-in API can answer it. */
function tributary(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: workDir, env: { ...process.env, ...NO_AWS, TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_DEBUG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** runtime.json of a pipeline (this test process, so its pid is alive) whose API is at `apiUrl`. */
function writeRuntimeFile(apiUrl: string): void {
  writeFileSync(path.join(stateDir, 'runtime.json'), JSON.stringify({ apiUrl, endpoints: { kinesis: apiUrl, dynamodb: apiUrl, sqs: apiUrl }, pid: process.pid, startedAt: '2026-11-22T08:00:00.000Z' }));
}

interface Received {
  readonly accessKeyId: string;
  readonly verified: boolean;
  readonly apiKey: string | undefined;
  readonly region: string;
}

/** A stand-in ingest API that checks each request's signature against the secrets it knows, with the reference implementation. */
class StandInApi {
  public readonly received: Received[] = [];
  public answer: { status: number; body: unknown } | undefined;
  private server: Server | undefined;

  public constructor(private readonly secrets: Readonly<Record<string, string>>) {}

  public async listen(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        this.received.push(this.check(request, body));
        const { events } = JSON.parse(body.toString()) as { events: unknown[] };
        const answer = this.answer ?? { status: 200, body: { results: events.map((_, index) => ({ index, status: 'accepted', id: `e${index}` })) } };
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  public async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private check(request: IncomingMessage, body: Buffer): Received {
    const { credential, signedHeaders, signature } = parseAuthorization(String(request.headers.authorization ?? ''));
    const [accessKeyId = '', , region = ''] = credential.split('/');
    const secret = this.secrets[accessKeyId];
    const expected =
      secret === undefined
        ? undefined
        : referenceSignature({
            method: request.method!,
            path: request.url!.split('?')[0]!,
            query: request.url!.split('?')[1] ?? '',
            headers: Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])])),
            body,
            accessKeyId,
            secretAccessKey: secret,
            region,
            service: 'execute-api',
            amzDate: String(request.headers['x-amz-date']),
          });
    return { accessKeyId, verified: expected === signature && signedHeaders.includes('host'), apiKey: request.headers['x-api-key'] as string | undefined, region };
  }
}

const secretsOf = (credentials: LocalCredentials): Record<string, string> =>
  Object.fromEntries(Object.values(credentials.identities).map((identity) => [identity.accessKeyId, identity.secretAccessKey]));

describe('CLI: tributary send signs its requests', () => {
  let api: StandInApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('signs as the local producer with the key of the only configured producer, against the running pipeline', async () => {
    // Prepare
    const credentials = writeLocalCredentials(stateDir, ['checkout']);
    api = new StandInApi(secretsOf(credentials));
    writeRuntimeFile(await api.listen());

    // Act
    const run = await tributary(['send', '--count', '5', '--batch', '2', '--rate', '1000']);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^5 accepted, 0 rejected, 0 failed in /);
    expect(api.received).toHaveLength(3);
    for (const received of api.received) expect(received).toEqual({ accessKeyId: credentials.identities.producer.accessKeyId, verified: true, apiKey: credentials.apiKeys.checkout, region: 'us-east-1' });
  });

  it('sends the key of --producer, or of --api-key / TRIBUTARY_API_KEY, and refuses to guess among several producers', async () => {
    // Prepare
    const credentials = writeLocalCredentials(stateDir, ['checkout', 'billing']);
    api = new StandInApi(secretsOf(credentials));
    writeRuntimeFile(await api.listen());

    // Act
    const guessing = await tributary(['send', '--count', '1']);
    const billing = await tributary(['send', '--count', '1', '--producer', 'billing']);
    const unknown = await tributary(['send', '--count', '1', '--producer', 'nobody']);
    const explicit = await tributary(['send', '--count', '1', '--api-key', 'given-key']);
    const fromEnv = await tributary(['send', '--count', '1'], { TRIBUTARY_API_KEY: 'env-key' });

    // Assess
    expect(guessing).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: several producers have API keys (checkout, billing): pass --producer <name> or --api-key <value>\n' });
    expect(unknown).toMatchObject({ status: 2, stderr: 'tributary: --producer nobody is not a configured producer; configured: checkout, billing\n' });
    expect([billing.status, explicit.status, fromEnv.status]).toEqual([0, 0, 0]);
    expect(api.received.map((received) => [received.verified, received.apiKey])).toEqual([
      [true, credentials.apiKeys.billing],
      [true, 'given-key'],
      [true, 'env-key'],
    ]);
  });

  it('signs a --url with AWS credentials from the environment, and says what to set when there are none', async () => {
    // Prepare: a deployed API stands in at a loopback URL; no credentials file, so nothing local to fall back on.
    const secrets = { AKIAEXAMPLEPRODUCER1: 'deployed-secret' };
    api = new StandInApi(secrets);
    const url = await api.listen();

    // Act
    const signed = await tributary(['send', '--count', '1', '--url', url], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEPRODUCER1', AWS_SECRET_ACCESS_KEY: 'deployed-secret', AWS_REGION: 'eu-west-2' });
    const unsigned = await tributary(['send', '--count', '1', '--url', url]);

    // Assess
    expect(signed.status).toBe(0);
    expect(api.received).toEqual([{ accessKeyId: 'AKIAEXAMPLEPRODUCER1', verified: true, apiKey: undefined, region: 'eu-west-2' }]);
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toBe(
      `tributary: --url ${url} needs AWS credentials to sign with (SigV4): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), ` +
        'e.g. eval "$(aws configure export-credentials --format env)", or for the local pipeline eval "$(npx tributary credentials --role producer)"\n',
    );
  });

  it('stops at a 403 and says what to fix: the API key, or the policy to attach on AWS', async () => {
    // Prepare
    const credentials = writeLocalCredentials(stateDir, []);
    api = new StandInApi(secretsOf(credentials));
    const url = await api.listen();
    writeRuntimeFile(url);
    const arn = 'arn:aws:sts::123456789012:assumed-role/checkout/i-1';

    // Act
    api.answer = { status: 403, body: { message: 'Forbidden' } };
    const noKey = await tributary(['send', '--count', '400', '--batch', '10', '--rate', '1000']);
    api.answer = { status: 403, body: { Message: `User: ${arn} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:123456789012:abc/v1/POST/events` } };
    const noPolicy = await tributary(['send', '--count', '1', '--url', url], { AWS_ACCESS_KEY_ID: 'AKIAOTHER', AWS_SECRET_ACCESS_KEY: 's' });

    // Assess
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toBe(
      'tributary: the API refused the request (403 "Forbidden"): the API wants a producer\'s API key (x-api-key): pass --producer <name> or --api-key <value> (or set TRIBUTARY_API_KEY); `npx tributary credentials --producer <name>` prints it\n',
    );
    // It stopped sending at once instead of posting all 40 batches.
    expect(api.received.length).toBeLessThanOrEqual(8);
    expect(noPolicy.status).toBe(1);
    expect(noPolicy.stderr).toMatch(/^tributary: the API refused the request \(403 "User: .* is not authorized to perform: execute-api:Invoke on .*"\): attach the stack output ProducerPolicyArn to the caller's role \(docs\/operations\/deploy\.md#onboard-a-producer\)\n$/);
  });
});

describe('CLI: tributary credentials', () => {
  it('prints exports that a shell can eval, for each role, without a running pipeline', () => {
    // Prepare
    const credentials = writeLocalCredentials(stateDir, ['checkout']);

    // Act: as a user would, in bash.
    const run = spawnSync('bash', ['-c', `eval "$("${process.execPath}" "${BIN}" credentials --role metrics-reader)" && echo "$AWS_ACCESS_KEY_ID|$AWS_SECRET_ACCESS_KEY|$AWS_REGION|\${TRIBUTARY_API_KEY:-none}|\${AWS_SESSION_TOKEN-unset}"`], {
      cwd: workDir,
      env: { ...process.env, ...NO_AWS, AWS_SESSION_TOKEN: 'a-real-session-token', TRIBUTARY_STATE_DIR: stateDir },
      encoding: 'utf8',
    });

    // Assess
    const reader = credentials.identities['metrics-reader'];
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${reader.accessKeyId}|${reader.secretAccessKey}|us-east-1|none|unset\n`);
  });

  it('adds TRIBUTARY_API_KEY for the producer when producers are configured', async () => {
    const credentials = writeLocalCredentials(stateDir, ['checkout', 'billing']);
    const { producer } = credentials.identities;

    const billing = await tributary(['credentials', '--producer', 'billing']);
    const several = await tributary(['credentials']);
    const admin = await tributary(['credentials', '--role', 'admin']);

    expect(billing).toMatchObject({
      status: 0,
      stdout: `export AWS_ACCESS_KEY_ID=${producer.accessKeyId} AWS_SECRET_ACCESS_KEY=${producer.secretAccessKey} AWS_REGION=us-east-1 TRIBUTARY_API_KEY=${credentials.apiKeys.billing}\nunset AWS_SESSION_TOKEN\n`,
    });
    expect(several).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: several producers have API keys (checkout, billing): pass --producer <name> or --api-key <value>\n' });
    expect(admin.stdout).not.toContain('TRIBUTARY_API_KEY');
    expect(admin.stdout).toContain(`AWS_ACCESS_KEY_ID=${credentials.identities.admin.accessKeyId} `);
  });

  it('refuses an unknown role (exit 2) and says to start the pipeline when there are no credentials (exit 1)', async () => {
    const noFile = await tributary(['credentials']);
    const badRole = await tributary(['credentials', '--role', 'root']);

    expect(noFile).toMatchObject({ status: 1, stdout: '', stderr: `tributary: no local credentials (${path.join(stateDir, 'credentials.json')} is missing): start the pipeline once with \`npm start\`, which writes them\n` });
    expect(badRole).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: --role root is not a role; one of: producer, metrics-reader, events-reader, admin\n' });
  });
});

describe('Function: resolveApiTarget', () => {
  it('takes the region from an execute-api host name and carries a session token', () => {
    const target = resolveApiTarget({
      url: 'https://abc123def4.execute-api.ap-southeast-2.amazonaws.com/v1',
      role: 'metrics-reader',
      stateDir,
      env: { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_REGION: 'us-west-2' },
    });

    expect(target).toEqual({
      baseUrl: 'https://abc123def4.execute-api.ap-southeast-2.amazonaws.com/v1',
      signing: { credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }, region: 'ap-southeast-2' },
      credentialsFrom: 'environment',
      role: 'metrics-reader',
    });
  });

  it('needs AWS_REGION for a host name that does not carry one (a custom domain)', () => {
    const resolve = (env: NodeJS.ProcessEnv) => resolveApiTarget({ url: 'https://events.example.com/v1', role: 'producer', stateDir, env: { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's', ...env } });

    expect(() => resolve({})).toThrow("cannot tell the region of events.example.com (not an execute-api host name): set AWS_REGION to the API's region");
    expect(resolve({ AWS_REGION: 'eu-central-1' }).signing.region).toBe('eu-central-1');
  });
});

describe('Function: explainForbidden', () => {
  it("names the key the local pipeline does not know, and the clock for an expired signature", () => {
    const target = { baseUrl: 'http://127.0.0.1:3000/v1', signing: { credentials: { accessKeyId: 'AKIALOCAL', secretAccessKey: 's' }, region: 'us-east-1' }, credentialsFrom: 'local', role: 'producer', credentialsFile: '.tributary/credentials.json' } as const;

    expect(explainForbidden('The security token included in the request is invalid.', target)).toBe(
      'the API refused the request (403 "The security token included in the request is invalid."): the running pipeline does not know the key AKIALOCAL of .tributary/credentials.json; run this from the folder (and TRIBUTARY_STATE_DIR) the pipeline was started from, or restart it with `npm start`',
    );
    expect(explainForbidden('Signature expired: 20261122T080000Z is now earlier than 20261122T081500Z (20261122T082000Z - 5 min.)', target)).toMatch(/: this machine's clock is more than 5 minutes off; set it right \(NTP\) and try again$/);
    expect(explainForbidden('Missing Authentication Token', target)).toMatch(/check that http:\/\/127\.0\.0\.1:3000\/v1 is the API's base URL with its stage/);
  });
});
