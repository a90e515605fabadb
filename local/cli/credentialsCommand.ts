import { credentialsPath, type LocalRole, readLocalCredentials } from '../credentials/LocalCredentials';
import { CliError } from './CliError';
import { chooseProducerKey } from './resolveApiTarget';

/** What `tributary credentials` prints. */
export interface CredentialsOptions {
  readonly role: LocalRole;
  /** Whose API key goes into TRIBUTARY_API_KEY (role producer). @default the only configured producer */
  readonly producer?: string;
  readonly stateDir?: string;
}

/**
 * `tributary credentials [--role <role>]`: the shell lines that make curl,
 * the AWS CLI and `tributary send --url` sign as one local identity, for
 * `eval "$(npx tributary credentials --role metrics-reader)"`. Read from
 * credentials.json, which outlives the pipeline, so no pipeline need be
 * running; AWS_SESSION_TOKEN is unset, as a real session's token would
 * otherwise be sent along with the local keys.
 */
export function credentialsLines(options: CredentialsOptions): string[] {
  const stateDir = options.stateDir ?? process.env.TRIBUTARY_STATE_DIR ?? '.tributary';
  const credentials = readLocalCredentials(stateDir);
  if (!credentials) throw new CliError(`no local credentials (${credentialsPath(stateDir)} is missing): start the pipeline once with \`npm start\`, which writes them`);
  const identity = credentials.identities[options.role];
  const variables: [string, string][] = [
    ['AWS_ACCESS_KEY_ID', identity.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', identity.secretAccessKey],
    ['AWS_REGION', credentials.region],
  ];
  const apiKey = options.role === 'producer' ? chooseProducerKey(credentials, options.producer) : undefined;
  if (apiKey !== undefined) variables.push(['TRIBUTARY_API_KEY', apiKey]);
  return [`export ${variables.map(([name, value]) => `${name}=${shellWord(value)}`).join(' ')}`, 'unset AWS_SESSION_TOKEN'];
}

/** The value as one shell word: as is when it has only safe characters (keys are base64), else single-quoted. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9+/=_.:-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
