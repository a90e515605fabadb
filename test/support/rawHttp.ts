import * as net from 'node:net';
import { type ApiSigning, signExecuteApiRequest } from '../../adapters/apigateway/signExecuteApiRequest';

/** One HTTP/1.1 response as read off the wire. */
export interface RawResponse {
  readonly statusCode: number;
  /** Header names lower-cased; the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What came back on one connection: every complete response in order, and whether the server closed it. */
export interface RawExchange {
  readonly responses: readonly RawResponse[];
  readonly closedByServer: boolean;
}

export interface RawSendOptions {
  /** Destroy the socket right after writing (a client that gives up mid-request). */
  readonly destroyAfterWrite?: boolean;
  /** Half-close after writing, so the server sees the end of what the client will ever send. @default true */
  readonly endAfterWrite?: boolean;
  /** Stop waiting for the server to close after this long. @default 3_000 */
  readonly waitMs?: number;
}

/**
 * Writes `bytes` as they are on a fresh TCP connection to 127.0.0.1:`port` (no client
 * library to fix them up) and collects what the server answers until it closes the
 * connection or `waitMs` passes.
 */
export function sendRaw(port: number, bytes: string | Buffer, options: RawSendOptions = {}): Promise<RawExchange> {
  const { destroyAfterWrite = false, endAfterWrite = true, waitMs = 3_000 } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let settled = false;
    const socket = net.connect({ port, host: '127.0.0.1' });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve({ responses: parseResponses(Buffer.concat(chunks)), closedByServer });
      } catch (error) {
        reject(error as Error);
      }
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => {
      socket.write(bytes);
      if (destroyAfterWrite) {
        socket.destroy();
        finish();
      } else if (endAfterWrite) socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', finish);
    // A reset after the server answered and closed is still an answer; what was read counts.
    socket.on('error', finish);
  });
}

/** Splits a byte stream into HTTP/1.1 responses, framed by Content-Length or chunked; a truncated last one is left out. */
export function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const headerEnd = raw.indexOf('\r\n\r\n', offset);
    if (headerEnd < 0) break;
    const [statusLine, ...headerLines] = raw.subarray(offset, headerEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
    if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headerEnd + 4;
    const framed = headers['transfer-encoding'] === 'chunked' ? readChunked(raw, bodyStart) : readSized(raw, bodyStart, Number(headers['content-length'] ?? '0'));
    if (!framed) break;
    responses.push({ statusCode: Number(status[1]), headers, body: framed.body.toString('utf8') });
    offset = framed.end;
  }
  return responses;
}

function readSized(raw: Buffer, start: number, lengthBytes: number): { body: Buffer; end: number } | undefined {
  if (start + lengthBytes > raw.length) return undefined;
  return { body: raw.subarray(start, start + lengthBytes), end: start + lengthBytes };
}

function readChunked(raw: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const sizeBytes = parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(sizeBytes)) throw new Error(`bad chunk size at byte ${offset}`);
    const dataStart = lineEnd + 2;
    if (sizeBytes === 0) return raw.length >= dataStart + 2 ? { body: Buffer.concat(parts), end: dataStart + 2 } : undefined;
    if (dataStart + sizeBytes + 2 > raw.length) return undefined;
    parts.push(raw.subarray(dataStart, dataStart + sizeBytes));
    offset = dataStart + sizeBytes + 2;
  }
}

/** A request as a client would write it: request line, `Host`, the given headers, `Connection: close`, body. */
export function rawRequest(requestLine: string, headers: Readonly<Record<string, string>> = {}, body = ''): string {
  const lines = [requestLine, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), 'Connection: close'];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * `rawRequest`, signed with SigV4 for `execute-api` as the bytes go out
 * (Host `127.0.0.1`, the target as on the request line), for tests that need
 * a signed request a client library would not write (a duplicated header,
 * an odd target), or one signed at another moment (`signingDate`).
 */
export async function signedRawRequest(requestLine: string, headers: Readonly<Record<string, string>>, body: string, signing: ApiSigning, signingDate = new Date()): Promise<string> {
  const [method = '', target = ''] = requestLine.split(' ');
  const signed = await signExecuteApiRequest({ method, target, host: '127.0.0.1', headers, ...(body !== '' ? { body } : {}) }, signing, signingDate);
  const { host: _host, ...rest } = signed;
  return rawRequest(requestLine, rest, body);
}
