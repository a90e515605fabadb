import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';

/**
 * The local identities, one per managed policy of the stack (`admin` has all
 * three): what a producer, a dashboard and an operator sign with offline.
 */
export const LOCAL_ROLES = ['producer', 'metrics-reader', 'events-reader', 'admin'] as const;
export type LocalRole = (typeof LOCAL_ROLES)[number];

/** One local IAM principal: its access key pair and the ARN the local API names it by (access log, 403s). */
export interface LocalIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly arn: string;
}

/**
 * `<stateDir>/credentials.json` (mode 0600): what the local API verifies
 * signatures and API keys against, and what the CLI, benches and tests sign
 * with. Kept across restarts so exported variables and scripts keep working.
 */
export interface LocalCredentials {
  /** The region requests are signed for (service `execute-api`). */
  readonly region: string;
  readonly identities: Readonly<Record<LocalRole, LocalIdentity>>;
  /** API key value of each configured producer (`api.producers[].name`), sent as `x-api-key`. */
  readonly apiKeys: Readonly<Record<string, string>>;
}

export const CREDENTIALS_FILE = 'credentials.json';

/** The path of the credentials file in `stateDir`. */
export function credentialsPath(stateDir: string): string {
  return path.join(stateDir, CREDENTIALS_FILE);
}

/**
 * Writes the credentials file, keeping the identities and API keys already in
 * it (a restart changes no key) and adding an API key for each producer that
 * has none. Returns what is in it.
 */
export function writeLocalCredentials(stateDir: string, producerNames: readonly string[]): LocalCredentials {
  const previous = readIfValid(credentialsPath(stateDir));
  const identities = Object.fromEntries(LOCAL_ROLES.map((role) => [role, previous?.identities[role] ?? newIdentity(role)])) as Record<LocalRole, LocalIdentity>;
  const apiKeys = Object.fromEntries(producerNames.map((name) => [name, previous?.apiKeys[name] ?? randomBytes(30).toString('base64url')]));
  const credentials: LocalCredentials = { region: LOCAL_REGION, identities, apiKeys };
  const file = credentialsPath(stateDir);
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only when it creates the file.
  chmodSync(file, 0o600);
  return credentials;
}

/** The credentials file of `stateDir`, or undefined when there is none (no pipeline was ever started there). */
export function readLocalCredentials(stateDir: string): LocalCredentials | undefined {
  return readIfValid(credentialsPath(stateDir));
}

function readIfValid(file: string): LocalCredentials | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
    const identities = parsed.identities;
    if (typeof parsed.region !== 'string' || !identities || typeof parsed.apiKeys !== 'object' || parsed.apiKeys === null) return undefined;
    for (const role of LOCAL_ROLES) {
      const identity = identities[role];
      if (!identity || typeof identity.accessKeyId !== 'string' || typeof identity.secretAccessKey !== 'string') return undefined;
    }
    return parsed as LocalCredentials;
  } catch {
    // A file someone broke by hand: a new one replaces it.
    return undefined;
  }
}

/** Looks like an IAM user's key pair (AKIA + 16, 40-character secret) so tools that check the shape accept it. */
function newIdentity(role: LocalRole): LocalIdentity {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/tributary-local-${role}`,
  };
}
