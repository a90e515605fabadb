import type { ApiSigning } from '../../adapters/apigateway/signExecuteApiRequest';
import { signedFetch, type SignedRequestInit } from '../../adapters/apigateway/signedFetch';
import { credentialsPath, type LocalCredentials, type LocalRole, readLocalCredentials } from './LocalCredentials';
import { roleForRoute } from './roleForRoute';

/** Thrown when a state directory has no credentials file: no pipeline was ever started there. */
export class LocalCredentialsMissingError extends Error {
  public constructor(public readonly file: string) {
    super(`no local credentials (${file} is missing): start the pipeline with \`npm start\` first`);
    this.name = 'LocalCredentialsMissingError';
  }
}

/** Options of one call: who signs it (default: the role the route needs). */
export interface LocalCallInit extends SignedRequestInit {
  readonly role?: LocalRole;
}

/**
 * Calls the local API as its clients do (the benches, the chaos run, the
 * tests): each request signed with the local identity its route needs, and
 * `POST /events` with a producer's API key when producers are configured.
 */
export class LocalApiClient {
  public constructor(
    /** The API base URL with its stage, e.g. http://127.0.0.1:3000/v1. */
    public readonly apiUrl: string,
    public readonly credentials: LocalCredentials,
    /** Whose API key `POST /events` carries. @default the first configured producer */
    private readonly producer: string | undefined = Object.keys(credentials.apiKeys)[0],
  ) {}

  /** The client of the pipeline that `npm start` ran with `stateDir`. */
  public static fromStateDir(apiUrl: string, stateDir: string, producer?: string): LocalApiClient {
    const credentials = readLocalCredentials(stateDir);
    if (!credentials) throw new LocalCredentialsMissingError(credentialsPath(stateDir));
    return new LocalApiClient(apiUrl, credentials, producer);
  }

  /** How a request to `stagePath` is signed: the route's role (or `role`), and the API key on the producer's route. */
  public signing(method: string, stagePath: string, role: LocalRole = roleForRoute(method, stagePath)): ApiSigning {
    const apiKey = role === 'producer' && this.producer !== undefined ? this.credentials.apiKeys[this.producer] : undefined;
    return { credentials: this.credentials.identities[role], region: this.credentials.region, ...(apiKey !== undefined ? { apiKey } : {}) };
  }

  /** A signed request to `stagePath` (path and query below the stage, e.g. `/metrics/orders-per-region?group=eu`). */
  public fetch(stagePath: string, init: LocalCallInit = {}): Promise<Response> {
    const { role, ...request } = init;
    return signedFetch(`${this.apiUrl}${stagePath}`, request, this.signing(request.method ?? 'GET', stagePath, role));
  }

  /** `POST /events` with a JSON body, signed as the producer. */
  public postJson(stagePath: string, body: unknown): Promise<Response> {
    return this.fetch(stagePath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }
}
