import type { ApiSigning, SigningCredentials } from '../../adapters/apigateway/signExecuteApiRequest';
import { LOCAL_REGION } from '../emulators/Emulators';
import { credentialsPath, type LocalCredentials, type LocalRole, readLocalCredentials } from '../credentials/LocalCredentials';
import { CliError } from './CliError';
import { readRuntimeInfo } from './readRuntimeInfo';
import { UsageError } from './UsageError';

/** Where a command sends its API requests and how it signs them. */
export interface ApiTarget {
  /** The API base URL with its stage, no trailing slash. */
  readonly baseUrl: string;
  readonly signing: ApiSigning;
  /** `local`: the identities of the running pipeline's credentials.json; `environment`: AWS_ACCESS_KEY_ID and friends. */
  readonly credentialsFrom: 'local' | 'environment';
  /** The role signed as when the credentials are local. */
  readonly role: LocalRole;
  /** The credentials file, when the credentials are local. */
  readonly credentialsFile?: string;
}

export interface ApiTargetOptions {
  /** `--url`: a deployed API (or any API) instead of the running pipeline's. */
  readonly url?: string;
  /** The local identity the route needs. */
  readonly role: LocalRole;
  /** `--api-key`; TRIBUTARY_API_KEY otherwise. */
  readonly apiKey?: string;
  /** `--producer`: whose local API key to send. */
  readonly producer?: string;
  readonly stateDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** `<id>.execute-api.<region>.amazonaws.com` (and .com.cn): the region an API Gateway host name carries. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * How to call the API: without `--url`, the running pipeline's URL signed
 * with the local identity of `role` from credentials.json (and a producer's
 * API key when producers are configured); with `--url`, AWS credentials from
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN: the variables of the SDK's default chain that a shell,
 * `aws configure export-credentials` or a CI job sets; profiles and SSO are
 * not read, as @aws-sdk/credential-providers is no dependency) and the
 * region of the execute-api host name, or AWS_REGION. A loopback `--url`
 * without AWS variables falls back to the local credentials.
 */
export function resolveApiTarget(options: ApiTargetOptions): ApiTarget {
  const env = options.env ?? process.env;
  const stateDir = options.stateDir ?? env.TRIBUTARY_STATE_DIR ?? '.tributary';
  const apiKey = options.apiKey ?? (env.TRIBUTARY_API_KEY || undefined);
  if (options.url === undefined) {
    const baseUrl = readRuntimeInfo(stateDir, ' (or pass --url)').apiUrl;
    return localTarget(baseUrl, stateDir, readCredentials(stateDir), options.role, apiKey, options.producer);
  }
  const host = new URL(options.url).hostname;
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  // A pipeline on this machine, reached by its URL: its credentials file has the keys.
  const localCredentials = loopback ? readLocalCredentials(stateDir) : undefined;
  const credentials = environmentCredentials(env);
  if (!credentials) {
    if (localCredentials) return localTarget(options.url, stateDir, localCredentials, options.role, apiKey, options.producer);
    throw new CliError(
      `--url ${options.url} needs AWS credentials to sign with (SigV4): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), ` +
        `e.g. eval "$(aws configure export-credentials --format env)", or for the local pipeline eval "$(npx tributary credentials --role ${options.role})"`,
    );
  }
  let key = apiKey;
  if (options.producer !== undefined) {
    if (!localCredentials) throw new UsageError('--producer picks an API key of the local pipeline; for a deployed API pass its value with --api-key <value> (or TRIBUTARY_API_KEY)');
    key ??= chooseProducerKey(localCredentials, options.producer);
  }
  const region = EXECUTE_API_HOST.exec(host)?.[1] ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || (loopback ? LOCAL_REGION : undefined));
  if (!region) throw new CliError(`cannot tell the region of ${host} (not an execute-api host name): set AWS_REGION to the API's region`);
  return { baseUrl: options.url, signing: withKey({ credentials, region }, key), credentialsFrom: 'environment', role: options.role };
}

function localTarget(baseUrl: string, stateDir: string, credentials: LocalCredentials, role: LocalRole, apiKey: string | undefined, producer: string | undefined): ApiTarget {
  const key = role === 'producer' ? (apiKey ?? chooseProducerKey(credentials, producer)) : apiKey;
  return {
    baseUrl,
    signing: withKey({ credentials: credentials.identities[role], region: credentials.region }, key),
    credentialsFrom: 'local',
    role,
    credentialsFile: credentialsPath(stateDir),
  };
}

function readCredentials(stateDir: string): LocalCredentials {
  const credentials = readLocalCredentials(stateDir);
  if (!credentials) throw new CliError(`no local credentials (${credentialsPath(stateDir)} is missing or unreadable): start the pipeline with \`npm start\`, which writes them`);
  return credentials;
}

/**
 * The API key a local producer sends: `producer`'s, or the only configured
 * producer's; none when no producer is configured (the API then wants none).
 */
export function chooseProducerKey(credentials: LocalCredentials, producer: string | undefined): string | undefined {
  const names = Object.keys(credentials.apiKeys);
  if (producer !== undefined) {
    const key = Object.hasOwn(credentials.apiKeys, producer) ? credentials.apiKeys[producer] : undefined;
    if (key === undefined) {
      throw new UsageError(
        `--producer ${producer} is not a configured producer; ${names.length > 0 ? `configured: ${names.join(', ')}` : 'none is configured (api.producers in infra/tributary.config.ts)'}`,
      );
    }
    return key;
  }
  if (names.length > 1) throw new UsageError(`several producers have API keys (${names.join(', ')}): pass --producer <name> or --api-key <value>`);
  return names.length === 1 ? credentials.apiKeys[names[0]!] : undefined;
}

function environmentCredentials(env: NodeJS.ProcessEnv): SigningCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

function withKey(signing: ApiSigning, apiKey: string | undefined): ApiSigning {
  return apiKey === undefined ? signing : { ...signing, apiKey };
}
