import * as net from 'node:net';

/** What came back for one raw request: the status (0 when the server answered nothing), and the body text. */
export interface RawResponse {
  readonly status: number;
  readonly body: string;
  /** Why no status was read: the server closed or reset the connection, or the time ran out. */
  readonly error?: string;
}

/** A well-formed request's parts, as `httpRequest` wrote them: what a signature covers. */
export interface HttpMessage {
  readonly method: string;
  /** The request target exactly as on the request line. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** One request as bytes on a socket: what a browser, a proxy or a broken client may send. */
export interface RawRequest {
  /** Everything up to and including the blank line after the headers. */
  readonly head: string;
  readonly body?: Buffer;
  /** Send only this many body bytes, then destroy the socket (an aborted upload): no answer is read. */
  readonly abortAfterBytes?: number;
  /** How `httpRequest` built it, so it can be built again with signature headers; garbage has none. */
  readonly message?: HttpMessage;
}

/** The Host header `httpRequest` writes (and a signature of its requests covers). */
export const RAW_HOST = '127.0.0.1';

/**
 * Sends `request` to 127.0.0.1:`port` on a fresh connection and reads the
 * answer until the server closes it (requests carry `Connection: close`) or
 * `timeoutMs` passes. Handles chunked bodies. Never throws: a connection the
 * server refuses or resets is an answer with status 0 and the error.
 */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks), error));
    };
    const timer = setTimeout(() => finish('timed out'), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => finish(error.message));
    socket.on('connect', () => {
      socket.write(request.head, 'latin1');
      if (request.abortAfterBytes !== undefined) {
        socket.write(request.body?.subarray(0, request.abortAfterBytes) ?? Buffer.alloc(0), () => {
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          resolve({ status: 0, body: '', error: 'aborted by the client' });
        });
        return;
      }
      if (request.body) socket.write(request.body);
    });
  });
}

function parseResponse(bytes: Buffer, error: string | undefined): RawResponse {
  const text = bytes.toString('utf8');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!match) return { status: 0, body: text, error: error ?? 'no HTTP answer' };
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  let body = headEnd < 0 ? '' : text.slice(headEnd + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = unchunk(body);
  return { status: Number(match[1]), body };
}

function unchunk(body: string): string {
  let out = '';
  let position = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', position);
    if (lineEnd < 0) return out;
    const size = Number.parseInt(body.slice(position, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    // Sizes count bytes: slice the UTF-8 bytes, not the characters.
    const rest = Buffer.from(body.slice(lineEnd + 2), 'utf8');
    out += rest.subarray(0, size).toString('utf8');
    body = rest.subarray(size + 2).toString('utf8');
    position = 0;
  }
}

/** A well-formed HTTP/1.1 request with `Connection: close` and the body's length. */
export function httpRequest(method: string, target: string, headers: Readonly<Record<string, string>> = {}, body?: string | Buffer): RawRequest {
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${RAW_HOST}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (bytes) lines.push(`Content-Length: ${bytes.byteLength}`);
  return { head: `${lines.join('\r\n')}\r\n\r\n`, ...(bytes ? { body: bytes } : {}), message: { method, target, headers, ...(bytes ? { body: bytes } : {}) } };
}
