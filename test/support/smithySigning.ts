import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

const toBytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** SHA-256 and HMAC-SHA-256 as @smithy/signature-v4 wants them (`new (secret?)`, `update`, `digest`), from node:crypto. */
export class Sha256 {
  private readonly hash;
  public constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  public update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** What to sign: the request as it will go on the wire to 127.0.0.1:`port`. */
export interface SmithySignInput {
  readonly method: string;
  readonly port: number;
  /** Path as sent (already percent-encoded), e.g. `/v1/metrics/orders%20eu`. */
  readonly path: string;
  readonly query?: Record<string, string | string[]>;
  /** Headers to send and sign; `host` is added. */
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signingDate?: Date;
}

/**
 * The headers @smithy/signature-v4 (default options: the path URI-encoded
 * again, `x-amz-content-sha256` signed) produces for a request to the local
 * API, signed for us-east-1 execute-api with `credentials`.
 */
export async function smithySignedHeaders(credentials: { accessKeyId: string; secretAccessKey: string }, input: SmithySignInput): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: input.port,
      path: input.path,
      query: input.query ?? {},
      headers: { host: `127.0.0.1:${input.port}`, ...input.headers },
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
    input.signingDate ? { signingDate: input.signingDate } : {},
  );
  return signed.headers;
}
