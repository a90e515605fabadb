import { createHash, createHmac } from 'node:crypto';

/** Everything SigV4 signs, spelled out: the reference the signer under test is checked against, written from AWS's description with node:crypto only. */
export interface ReferenceSigningInput {
  readonly method: string;
  /** The path as received on the request line (already encoded once). */
  readonly path: string;
  /** The query as received, without `?`. */
  readonly query: string;
  /** The signed headers, names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ` */
  readonly amzDate: string;
}

/** RFC 3986 encoding: everything but unreserved characters as %XX of its UTF-8 bytes. */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical request of AWS's SigV4 description for a service other than S3 (each path segment encoded again). */
export function referenceCanonicalRequest(input: ReferenceSigningInput): string {
  const canonicalPath = input.path.split('/').map(rfc3986).join('/') || '/';
  const canonicalQuery = input.query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      return `${rfc3986(decodeURIComponent(name))}=${rfc3986(decodeURIComponent(value))}`;
    })
    .sort()
    .join('&');
  const names = Object.keys(input.headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${input.headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = createHash('sha256').update(input.body).digest('hex');
  return [input.method, canonicalPath, canonicalQuery, canonicalHeaders, names.join(';'), payloadHash].join('\n');
}

/** The hex signature of the request, with the scope `<date>/<region>/<service>/aws4_request`. */
export function referenceSignature(input: ReferenceSigningInput): string {
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, createHash('sha256').update(referenceCanonicalRequest(input)).digest('hex')].join('\n');
  let key: Buffer = Buffer.from(`AWS4${input.secretAccessKey}`, 'utf8');
  for (const part of [day, input.region, input.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorization(header: string): { credential: string; signedHeaders: string[]; signature: string } {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(header);
  if (!match) throw new Error(`not a SigV4 Authorization header: ${header}`);
  return { credential: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]! };
}
