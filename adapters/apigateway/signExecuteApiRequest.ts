import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './Sha256';
import { decodeLeniently } from '../../core/http/decodeLeniently';

/** An AWS key pair, and the session token that comes with temporary credentials. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Who signs a request to the API, for which region, and the API key it carries (if the API wants one). */
export interface ApiSigning {
  readonly credentials: SigningCredentials;
  readonly region: string;
  /** Sent as `x-api-key` (and signed with the rest). */
  readonly apiKey?: string;
  /** The signing service; only a known-answer test against another service's example needs another. @default 'execute-api' */
  readonly service?: string;
}

/** One request as it goes on the wire: the request target exactly as sent (path and query, already encoded) and the Host header. */
export interface SignableRequest {
  readonly method: string;
  /** Path and query as they appear on the request line, e.g. `/v1/metrics/orders%20eu?group=eu-west`. */
  readonly target: string;
  /** The Host header as sent (with the port when it is not the scheme's default). */
  readonly host: string;
  /** Headers to send and sign; a header the signature must not cover (user-agent, connection) is left unsigned by the signer. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** The header API Gateway reads a producer's API key from. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * The headers to send `request` with, signed with SigV4 for API Gateway
 * (service `execute-api`): the request's own headers (names lower-cased),
 * `host`, `x-api-key` when `signing` has one, `x-amz-date`,
 * `x-amz-security-token` for temporary credentials, and `authorization`.
 *
 * The path is signed as sent (smithy's default for every service but S3:
 * normalized, then each segment encoded once more, as API Gateway computes
 * it), the query from its parameters as sent, decoded once and re-encoded by
 * the signer. No `x-amz-content-sha256` header: API Gateway hashes the body
 * it received, so the body is covered either way.
 */
export async function signExecuteApiRequest(request: SignableRequest, signing: ApiSigning, signingDate: Date = new Date()): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  if (signing.apiKey !== undefined) headers[API_KEY_HEADER] = signing.apiKey;
  const queryStart = request.target.indexOf('?');
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query = queryStart < 0 ? {} : parseQueryAsSent(request.target.slice(queryStart + 1));
  const signer = new SignatureV4({ credentials: signing.credentials, region: signing.region, service: signing.service ?? 'execute-api', sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: request.method, protocol: 'https:', hostname: request.host, path, query, headers, ...(request.body !== undefined ? { body: request.body } : {}) },
    { signingDate },
  );
  return signed.headers;
}

/**
 * The query's parameters by name, each value decoded once as a server
 * decodes it: valid `%XX` escapes become their UTF-8 bytes, an invalid one
 * (`%ZZ`, a lone `%`) stays as written, `+` stays a plus (SigV4 knows no
 * form encoding). A repeated name keeps every value; a name without `=`
 * has the empty value.
 */
export function parseQueryAsSent(search: string): Record<string, string | string[]> {
  // No prototype: a parameter named __proto__ is a parameter like any other.
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeLeniently(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeLeniently(pair.slice(equals + 1));
    const previous = query[name];
    query[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return query;
}
