import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GatewayResponseError } from './GatewayResponseError';
import { decodeLeniently } from '../../core/http/decodeLeniently';

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * How far X-Amz-Date may be from the server's clock, either way: API Gateway's
 * window, which its "Signature expired: … (… - 5 min.)" answer names (other
 * services allow 15 minutes).
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A request as it arrived, before anything is decoded: what the signature covers. */
export interface ReceivedRequest {
  readonly method: string;
  /** The path as sent, percent-escapes and stage included: `/v1/metrics/orders%20eu`. */
  readonly rawPath: string;
  /** The query as sent, without `?`; `''` for none. */
  readonly rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value, … in the order received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** What the signature must be scoped to and checked against. */
export interface SignatureScope {
  /** The region requests are signed for (`credentials.json`'s `region`). */
  readonly region: string;
  /** @default 'execute-api' */
  readonly service?: string;
  /** The server's clock. */
  readonly nowMs: number;
  /** The signing secret of an access key id, or undefined for a key nobody issued. */
  readonly secretOf: (accessKeyId: string) => string | undefined;
}

/** A signature that checked out: who signed. */
export interface VerifiedSignature {
  readonly accessKeyId: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Verifies a SigV4 (`AWS4-HMAC-SHA256`) signed request as API Gateway does for
 * an `AWS_IAM` method, or throws the GatewayResponseError API Gateway would
 * answer with (403, its message). Accepts what both common signers send:
 * @smithy/signature-v4 (the path URI-encoded twice, the query sorted and
 * re-encoded, `x-amz-content-sha256` signed) and `curl --aws-sigv4` 7.88 (the
 * path and the query as sent); either way the signature covers the method,
 * path, query, signed headers and the body's SHA-256, so accepting both forms
 * lets nothing unsigned through. The comparison is constant-time.
 */
export function verifySignature(request: ReceivedRequest, scope: SignatureScope): VerifiedSignature {
  const headers = groupHeaders(request.rawHeaders);
  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization.every((value) => value.trim() === '')) {
    throw new GatewayResponseError('MISSING_AUTHENTICATION_TOKEN', { message: 'Missing Authentication Token' });
  }
  const header = authorization.join(',').trim();
  const amzDate = headers.get('x-amz-date')?.at(-1)?.trim() ?? toBasicFormat(headers.get('date')?.at(-1));
  const parsed = parseAuthorization(header, amzDate !== undefined);
  const requestDate = parseBasicDate(amzDate!);
  const [accessKeyId, scopeDate, region, service, terminator] = parsed.credential.split('/');
  if (terminator !== 'aws4_request' || parsed.credential.split('/').length !== 5) {
    throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator ?? ''}'. `);
  }
  const expectedService = scope.service ?? 'execute-api';
  if (service !== expectedService) throw incomplete(`Credential should be scoped to correct service: '${expectedService}'. `);
  if (region !== scope.region) throw incomplete(`Credential should be scoped to a valid region, not '${region}'. `);
  if (scopeDate !== amzDate!.slice(0, 8)) {
    throw incomplete(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate!.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const secret = scope.secretOf(accessKeyId!);
  if (secret === undefined) {
    throw new GatewayResponseError('UNAUTHORIZED', { message: 'The security token included in the request is invalid.' });
  }
  checkFreshness(amzDate!, requestDate, scope.nowMs);

  const received = Buffer.from(parsed.signature, 'utf8');
  const signingKey = [scopeDate!, region!, service!, 'aws4_request'].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from(`AWS4${secret}`, 'utf8'),
  );
  const credentialScope = parsed.credential.slice(accessKeyId!.length + 1);
  const canonicalHeaders = parsed.signedHeaders.map((name) => `${name}:${canonicalValue(headers.get(name))}\n`).join('');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  for (const path of candidatePaths(request.rawPath)) {
    for (const query of candidateQueries(request.rawQuery)) {
      const canonicalRequest = [request.method, path, query, canonicalHeaders, parsed.signedHeaders.join(';'), payloadHash].join('\n');
      const stringToSign = [ALGORITHM, amzDate, credentialScope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
      const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'), 'utf8');
      if (expected.length === received.length && timingSafeEqual(expected, received)) return { accessKeyId: accessKeyId! };
    }
  }
  throw new GatewayResponseError('INVALID_SIGNATURE', { message: SIGNATURE_MISMATCH });
}

interface ParsedAuthorization {
  readonly credential: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/**
 * `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; anything
 * missing is named in one message, as API Gateway does, with the header
 * quoted at the end (`Authorization=…`).
 */
function parseAuthorization(header: string, hasDate: boolean): ParsedAuthorization {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  const parameters = new Map<string, string>();
  if (algorithm === ALGORITHM) {
    for (const part of header.slice(space + 1).split(',')) {
      const equals = part.indexOf('=');
      if (equals > 0) parameters.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
    }
  }
  const credential = parameters.get('Credential');
  const signedHeaders = parameters.get('SignedHeaders');
  const signature = parameters.get('Signature');
  const problems = [
    ...(algorithm === ALGORITHM ? [] : [`Authorization header requires the '${ALGORITHM}' algorithm.`]),
    ...(credential ? [] : ["Authorization header requires 'Credential' parameter."]),
    ...(signature ? [] : ["Authorization header requires 'Signature' parameter."]),
    ...(signedHeaders ? [] : ["Authorization header requires 'SignedHeaders' parameter."]),
    ...(hasDate ? [] : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ];
  // A huge header is cut in the message: the client sent it, and an answer need not be as large.
  if (problems.length > 0) throw incomplete(`${problems.join(' ')} Authorization=${header.length > 200 ? `${header.slice(0, 200)}…` : header}`);
  return { credential: credential!, signedHeaders: signedHeaders!.split(';').map((name) => name.trim().toLowerCase()), signature: signature! };
}

const incomplete = (message: string): GatewayResponseError => new GatewayResponseError('INCOMPLETE_SIGNATURE', { message });

/** `20260102T030405Z` → epoch ms, or a 403 naming the format as API Gateway does. */
function parseBasicDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const ms = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!) : Number.NaN;
  // Date.UTC rolls 20261399 over into another date: a date that does not print back as itself is not one.
  if (!match || Number.isNaN(ms) || basicFormat(ms) !== value) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${value.length > 64 ? `${value.slice(0, 64)}…` : value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  return ms;
}

/** A `Date` header (RFC 7231, what SigV4 allows instead of X-Amz-Date) in basic format; garbage passes through to fail the format check. */
function toBasicFormat(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : basicFormat(ms);
}

const basicFormat = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

function checkFreshness(amzDate: string, requestMs: number, nowMs: number): void {
  const minutes = MAX_CLOCK_SKEW_MS / 60_000;
  if (requestMs < nowMs - MAX_CLOCK_SKEW_MS) {
    throw new GatewayResponseError('EXPIRED_TOKEN', {
      message: `Signature expired: ${amzDate} is now earlier than ${basicFormat(nowMs - MAX_CLOCK_SKEW_MS)} (${basicFormat(nowMs)} - ${minutes} min.)`,
    });
  }
  if (requestMs > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new GatewayResponseError('EXPIRED_TOKEN', {
      message: `Signature not yet current: ${amzDate} is still later than ${basicFormat(nowMs + MAX_CLOCK_SKEW_MS)} (${basicFormat(nowMs)} + ${minutes} min.)`,
    });
  }
}

/** Header values by lower-case name, in the order received. */
function groupHeaders(rawHeaders: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), rawHeaders[index + 1]!]);
  }
  return headers;
}

/** SigV4's canonical header value: each value trimmed, runs of spaces made one, repeated headers joined by commas. */
const canonicalValue = (values: readonly string[] | undefined): string => (values ?? []).map((value) => value.trim().replace(/\s+/g, ' ')).join(',');

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 and smithy's escapeUri encode. */
const escapeUri = (value: string): string => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The canonical paths a client may have signed: SigV4's for every service but
 * S3 (each segment URI-encoded again: `%20` → `%2520`, what smithy does with
 * the path it is given), and the path as sent (what curl 7.88 signs).
 */
function candidatePaths(rawPath: string): string[] {
  const doubleEncoded = escapeUri(rawPath).replace(/%2F/g, '/');
  return doubleEncoded === rawPath ? [rawPath] : [doubleEncoded, rawPath];
}

/**
 * The canonical queries a client may have signed: SigV4's (decoded,
 * re-encoded, sorted by name then value), the same with `+` read as a space
 * (a URL built with URLSearchParams sends `eu+west` for what smithy signed as
 * `eu%20west`), and the query as sent (curl 7.88).
 */
function candidateQueries(rawQuery: string): string[] {
  return [...new Set([canonicalQuery(rawQuery, false), canonicalQuery(rawQuery, true), rawQuery])];
}

function canonicalQuery(rawQuery: string, plusIsSpace: boolean): string {
  const decode = (text: string): string => decodeLeniently(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals < 0 ? part : part.slice(0, equals));
    if (name.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([escapeUri(name), escapeUri(equals < 0 ? '' : decode(part.slice(equals + 1)))]);
  }
  return pairs
    .sort(([nameA, valueA], [nameB, valueB]) => (nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
