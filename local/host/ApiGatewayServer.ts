import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RequestError } from '../../core/errors';
import type { LocalCorsPreflight, LocalRestApi, LocalRoute } from '../assembly/LocalPlan';
import type { LocalCredentials } from '../credentials/LocalCredentials';
import { LOCAL_ACCOUNT } from '../emulators/Emulators';
import type { Invoke } from '../esm/InvokeResult';
import type { AccessLogEntry } from './AccessLogEntry';
import { answerPreflight } from './answerPreflight';
import { GatewayResponseError } from './GatewayResponseError';
import { LocalAuthorizer, type CallerIdentity } from './LocalAuthorizer';
import { RequestThrottle } from './RequestThrottle';

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The methods an API Gateway REST API routes (what `ANY` stands for). Node's parser
 * takes more (PROPFIND, PURGE, …); those must never reach a function.
 */
const API_GATEWAY_METHODS: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);

/** Methods whose body the function reads: the server insists that body is JSON. */
const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['PATCH', 'POST', 'PUT']);

/**
 * `application/json` or a structured `+json` type, optionally with parameters. A
 * browser page can post `text/plain`, form data or no type at all to 127.0.0.1
 * without a CORS preflight; `application/json` always needs one, so requiring it
 * keeps any web page a developer has open from posting events into the pipeline.
 */
const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json[ \t]*(?:;.*)?$/i;

/** Requests per route (`POST /events`) by status class. */
export interface RouteStats {
  requests: number;
  clientErrors: number;
  serverErrors: number;
}

/** How long the server waits for slow clients, whom it lets in, and where it logs them. */
export interface ApiGatewayServerOptions {
  /**
   * What signatures and API keys are verified against (`<stateDir>/credentials.json`).
   * @default undefined: no signature verifies and no API key matches, so `AWS_IAM` and key-required routes answer 403
   */
  readonly credentials?: LocalCredentials;
  /**
   * The clock of the throttles and of the signature's freshness check.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Called once per answered request with its access log line (the stage's access log offline).
   * @default undefined: no access log
   */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /**
   * Time a client has to send its request line and headers.
   * @default 10_000
   */
  readonly headersTimeoutMs?: number;
  /**
   * Time a client has to send its whole request, body included (10 MB on loopback takes milliseconds).
   * @default 60_000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How often Node checks the two timeouts above, so a timeout fires up to this much late.
   * @default 5_000
   */
  readonly timeoutCheckIntervalMs?: number;
}

const DEFAULT_TIMEOUTS: Required<Pick<ApiGatewayServerOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'timeoutCheckIntervalMs'>> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  timeoutCheckIntervalMs: 5_000,
};

/** What the access log learns of a request as it goes through. */
interface RequestRecord {
  readonly requestId: string;
  readonly startMs: number;
  resourcePath: string | null;
  caller: CallerIdentity | null;
  errorType: string | null;
  errorMessage: string | null;
}

interface CompiledRoute extends LocalRoute {
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

/**
 * Serves a REST API's Lambda proxy routes on 127.0.0.1, under the stage name
 * as on AWS (`/v1/events`), turning each request into an API Gateway proxy
 * event and the function's answer back into HTTP. A function error answers
 * 502 as API Gateway does.
 *
 * No request takes the server down: a client's mistake gets a 4xx naming it
 * (400 malformed target or escape, 404 no route, 405 method, 413 size, 415
 * content type) before any function runs, and an internal failure answers 500.
 */
export class ApiGatewayServer {
  private readonly routes: CompiledRoute[];
  private readonly preflights: (LocalCorsPreflight & { readonly pattern: RegExp })[];
  private readonly options: ApiGatewayServerOptions & typeof DEFAULT_TIMEOUTS;
  private readonly clock: () => number;
  private readonly authorizer: LocalAuthorizer;
  private readonly throttle: RequestThrottle;
  private server: http.Server | undefined;
  public readonly stats: Record<string, RouteStats> = {};

  public constructor(
    private readonly api: LocalRestApi,
    private readonly invokers: ReadonlyMap<string, Invoke>,
    private readonly log: (message: string) => void,
    options: ApiGatewayServerOptions = {},
  ) {
    this.routes = api.routes.map((route) => compileRoute(route));
    this.preflights = api.corsPreflights.map((preflight) => ({ ...preflight, pattern: compilePath(preflight.resourcePath).pattern }));
    this.options = { ...DEFAULT_TIMEOUTS, ...options };
    this.clock = options.clock ?? Date.now;
    this.authorizer = new LocalAuthorizer(api, options.credentials);
    this.throttle = new RequestThrottle(api, this.clock);
  }

  /** Listens on `port` (0 for any free one) and returns the base URL including the stage. */
  public async listen(port: number): Promise<string> {
    this.server = http.createServer(
      {
        headersTimeout: this.options.headersTimeoutMs,
        requestTimeout: this.options.requestTimeoutMs,
        connectionsCheckingInterval: this.options.timeoutCheckIntervalMs,
      },
      (request, response) => {
        void this.handle(request, response);
      },
    );
    this.server.keepAliveTimeout = 30_000;
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket));
    // Node hands CONNECT to this event and, with no listener, just closes the socket: answer as for any method no route takes.
    this.server.on('connect', (_request: http.IncomingMessage, socket: Socket) => {
      socket.on('error', () => undefined);
      const body = JSON.stringify({ message: 'CONNECT is not a method this API routes' });
      socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/${this.api.stageName}`;
  }

  public async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Never rejects: every failure ends as an answer, or as a destroyed socket when the answer had begun. */
  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    // A client that goes away mid-answer makes the response emit 'error'; without a listener that would be thrown.
    response.on('error', () => undefined);
    const record: RequestRecord = { requestId: randomUUID(), startMs: this.clock(), resourcePath: null, caller: null, errorType: null, errorMessage: null };
    response.setHeader('x-amzn-requestid', record.requestId);
    response.once('finish', () => this.logAccess(request, response, record));
    try {
      await this.route(request, response, record);
    } catch (error) {
      if (error instanceof GatewayResponseError) {
        record.errorType = error.responseType;
        record.errorMessage = error.message;
        return send(response, error.statusCode, error.body, { 'x-amzn-errortype': error.errorType });
      }
      if (error instanceof RequestError) {
        record.errorMessage = error.message;
        return send(response, error.statusCode, { message: error.message });
      }
      this.log(`${request.method ?? '?'} ${request.url ?? '?'}: internal error ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal server error' });
      else response.destroy();
    }
  }

  private logAccess(request: http.IncomingMessage, response: http.ServerResponse, record: RequestRecord): void {
    if (!this.options.accessLog) return;
    const target = request.url ?? '/';
    const queryStart = target.search(/[?#]/);
    this.options.accessLog({
      requestId: record.requestId,
      requestTimeEpochMs: record.startMs,
      httpMethod: request.method ?? '?',
      resourcePath: record.resourcePath ?? '-',
      path: queryStart < 0 ? target : target.slice(0, queryStart),
      status: response.statusCode,
      responseLatencyMs: Math.max(0, this.clock() - record.startMs),
      sourceIp: request.socket.remoteAddress ?? '-',
      userAgent: request.headers['user-agent'] ?? '-',
      caller: record.caller?.principalId ?? '-',
      userArn: record.caller?.userArn ?? '-',
      apiKeyId: record.caller?.apiKey?.id ?? '-',
      producer: record.caller?.apiKey?.producer ?? '-',
      errorType: record.errorType ?? '-',
      errorMessage: record.errorMessage ?? '-',
    });
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse, record: RequestRecord): Promise<void> {
    const { url, rawPath, rawQuery } = parseRequestTarget(request.url ?? '/');
    const stagePrefix = `/${this.api.stageName}`;
    if (url.pathname !== stagePrefix && !url.pathname.startsWith(`${stagePrefix}/`)) {
      return send(response, 404, { message: `No stage in ${url.pathname}: this API's routes are under ${stagePrefix}/` });
    }
    const path = url.pathname.slice(stagePrefix.length) || '/';
    const method = request.method ?? 'GET';
    const preflight = method === 'OPTIONS' ? this.preflights.find((candidate) => candidate.pattern.test(path)) : undefined;
    if (preflight) {
      // A MOCK method: no authorization (NONE in the template), but the stage throttle counts it as on AWS.
      record.resourcePath = preflight.resourcePath;
      this.throttle.admit();
      const origin = request.headers.origin;
      const answer = answerPreflight(preflight, Array.isArray(origin) ? origin[0] : origin);
      response.writeHead(answer.statusCode, answer.headers);
      response.end();
      return;
    }
    // API Gateway REST would answer 403 "Missing Authentication Token" for a route or method it does not
    // have; offline we keep 404 (no such path) and 405 (path exists, not with this method), each listing
    // the routes, because a developer's typo is the usual cause. A method API Gateway does not route
    // (PROPFIND, …) matches nothing, not even ANY. Lower-case methods never get here: Node's parser
    // refuses them (clientError → 400).
    const matches = this.routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter((candidate) => candidate.match);
    const found = API_GATEWAY_METHODS.has(method)
      ? matches.find((candidate) => candidate.route.httpMethod === method || candidate.route.httpMethod === 'ANY')
      : undefined;
    if (!found) {
      const known = this.routes.map((route) => `${route.httpMethod} ${stagePrefix}${route.resourcePath}`).join(', ');
      const message = { message: `No route for ${method} ${url.pathname}; routes: ${known}` };
      if (matches.length === 0) return send(response, 404, message);
      const preflightMethods = this.preflights.some((candidate) => candidate.pattern.test(path)) ? ['OPTIONS'] : [];
      return send(response, 405, message, { allow: allowedMethods([...matches.map((candidate) => candidate.route.httpMethod), ...preflightMethods]) });
    }
    record.resourcePath = found.route.resourcePath;
    const routeKey = `${found.route.httpMethod} ${found.route.resourcePath}`;
    const routeStats = this.stats[routeKey] ?? { requests: 0, clientErrors: 0, serverErrors: 0 };
    this.stats[routeKey] = routeStats;
    routeStats.requests += 1;
    response.once('finish', () => {
      if (response.statusCode >= 500) routeStats.serverErrors += 1;
      else if (response.statusCode >= 400) routeStats.clientErrors += 1;
    });
    const invoke = this.invokers.get(found.route.functionLogicalId);
    if (!invoke) return send(response, 500, { message: `Route target ${found.route.functionLogicalId} is not running` });

    const pathParameters: Record<string, string> = {};
    found.route.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodePathParameter(name, found.match![index + 1]!);
    });
    // Read first: the signature covers the body's bytes.
    const body = await readBody(request);
    if (body === undefined) {
      // The client went away before sending what it declared: nobody is left to answer.
      this.log(`${method} ${url.pathname}: client closed the connection before the end of its body`);
      return;
    }
    // API Gateway's order: authentication and authorization, the API key, then the throttles, then validation.
    const received = { method, rawPath, rawQuery, rawHeaders: request.rawHeaders, body };
    const caller = this.authorizer.authorize(received, found.route, path, this.clock());
    record.caller = caller;
    this.throttle.admit(caller.apiKey?.id);
    requireParameters(found.route, url, request.headers);
    if (METHODS_WITH_BODY.has(method)) requireJsonContentType(request.headers['content-type']);

    const event = toProxyEvent(request, url, path, found.route, pathParameters, body.length > 0 ? body.toString('utf8') : null, this.api, caller, record);
    const result = await invoke(event);
    if (!result.ok) {
      this.log(`${method} ${url.pathname}: function error ${result.errorType}: ${result.errorMessage}`);
      return send(response, 502, { message: 'Internal server error' });
    }
    const answer = toHttpAnswer(result.payload);
    if (typeof answer === 'string') {
      this.log(`${method} ${url.pathname}: malformed Lambda proxy response (${answer})`);
      return send(response, 502, { message: 'Internal server error' });
    }
    try {
      response.writeHead(answer.statusCode, answer.headers);
    } catch (error) {
      // Node refuses a status outside 100–999 or a header value with a newline: the function's fault, as on AWS.
      this.log(`${method} ${url.pathname}: malformed Lambda proxy response (${(error as Error).message})`);
      // writeHead set the headers before the bad one: none of the function's headers may reach the client.
      for (const name of response.getHeaderNames()) if (name !== 'x-amzn-requestid') response.removeHeader(name);
      return send(response, 502, { message: 'Internal server error' });
    }
    response.end(answer.body);
  }
}

/** A request validator's required query strings and headers; API Gateway answers 400 naming what is missing. */
function requireParameters(route: LocalRoute, url: URL, headers: http.IncomingHttpHeaders): void {
  const missing = route.requiredParameters
    .filter((parameter) => {
      const [location, name] = [parameter.slice(0, parameter.indexOf('.')), parameter.slice(parameter.indexOf('.') + 1)];
      return location === 'querystring' ? !url.searchParams.has(name) : headers[name.toLowerCase()] === undefined;
    })
    .map((parameter) => parameter.slice(parameter.indexOf('.') + 1));
  if (missing.length > 0) throw new GatewayResponseError('BAD_REQUEST_PARAMETERS', { message: `Missing required request parameters: [${missing.join(', ')}]` });
}

function send(response: http.ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(statusCode, { ...headers, 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * What the server makes of the request target, without resolving `.`/`..` as
 * `new URL` would: API Gateway matches the path as sent, so `/v1/../v1/events`
 * (or `%2e%2e`) is no route rather than the events route.
 */
function parseRequestTarget(target: string): { url: URL; rawPath: string; rawQuery: string } {
  let pathAndQuery: string;
  if (target.startsWith('/')) {
    pathAndQuery = target;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    // Absolute form (`GET http://host/v1/events`), which proxies send: the path is what follows the authority.
    if (!URL.canParse(target)) throw new RequestError(400, `Malformed absolute URL in the request line: ${target}`);
    const authorityStart = target.indexOf('//') + 2;
    const pathStart = target.slice(authorityStart).search(/[/?#]/);
    pathAndQuery = pathStart < 0 ? '/' : target.slice(authorityStart + pathStart);
    if (!pathAndQuery.startsWith('/')) pathAndQuery = `/${pathAndQuery}`;
  } else {
    throw new RequestError(400, `Request target must be a path or an absolute URL, got ${target}`);
  }
  const queryStart = pathAndQuery.search(/[?#]/);
  const rawPath = queryStart < 0 ? pathAndQuery : pathAndQuery.slice(0, queryStart);
  // WHATWG URL turns `\` into `/` (and would then resolve `..`); RFC 3986 does not allow it in a path at all.
  if (rawPath.includes('\\')) throw new RequestError(400, `Backslash in the request path ${rawPath}`);
  const badEscape = /%(?![0-9a-f]{2})/i.exec(rawPath);
  if (badEscape) throw new RequestError(400, `Malformed percent-escape "${rawPath.slice(badEscape.index, badEscape.index + 3)}" in the request path ${rawPath}`);
  if (rawPath.split('/').some((segment) => isDotSegment(segment))) {
    throw new RequestError(404, `No route for ${rawPath}: "." and ".." path segments are not resolved, as on API Gateway`);
  }
  const afterPath = queryStart < 0 ? '' : pathAndQuery.slice(queryStart);
  const rawQuery = afterPath.startsWith('?') ? afterPath.slice(1).split('#')[0]! : '';
  // Appended to a fixed origin, never resolved against it: `//host/...` stays a path rather than becoming a host.
  return { url: new URL(`http://127.0.0.1${pathAndQuery}`), rawPath, rawQuery };
}

function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}

function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // Well-formed escapes can still spell bytes that are not UTF-8 (`%C0%80`, `%FF`).
    throw new RequestError(400, `Path parameter ${name} is not percent-encoded UTF-8: ${raw}`);
  }
}

function requireJsonContentType(contentType: string | undefined): void {
  if (contentType !== undefined && JSON_CONTENT_TYPE.test(contentType)) return;
  const got = contentType === undefined ? 'none' : contentType;
  throw new RequestError(415, `Content-Type must be application/json or application/*+json (got ${got}); with curl add -H 'content-type: application/json'`);
}

function allowedMethods(routeMethods: readonly string[]): string {
  const methods = routeMethods.includes('ANY') ? [...API_GATEWAY_METHODS] : [...new Set(routeMethods)];
  return methods.sort().join(', ');
}

/** The body's bytes (empty when none), or `undefined` when the client went away before its end. */
async function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  try {
    // Read to the end even past the limit (keeping nothing), so the client gets the 413 rather than a reset connection.
    for await (const chunk of request) {
      sizeBytes += (chunk as Buffer).length;
      if (sizeBytes <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (!request.complete) return undefined;
    throw error;
  }
  // A request the client aborted can also end the iteration without an error.
  if (!request.complete) return undefined;
  if (sizeBytes > MAX_BODY_BYTES) throw new RequestError(413, `Request body is ${sizeBytes} bytes; API Gateway takes at most ${MAX_BODY_BYTES}`);
  return Buffer.concat(chunks);
}

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** The function's proxy response as HTTP, or what is wrong with it (API Gateway answers 502 for that). */
function toHttpAnswer(payload: unknown): HttpAnswer | string {
  if (payload === null || typeof payload !== 'object') return 'not an object';
  const proxy = payload as { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (typeof proxy.statusCode !== 'number') return 'statusCode is not a number';
  if (proxy.body != null && typeof proxy.body !== 'string') return 'body is not a string';
  if (proxy.headers != null && typeof proxy.headers !== 'object') return 'headers is not an object';
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries((proxy.headers ?? {}) as Record<string, unknown>)) {
    headers[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  const body = typeof proxy.body === 'string' ? Buffer.from(proxy.body, proxy.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode: proxy.statusCode, headers, body };
}

/**
 * A request Node's parser refused (bad request line, header overflow, timeout): there is no
 * request object, so the answer is written on the socket, as Node's default handler does
 * but with a JSON body naming the problem.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // `_httpMessage` is the response in progress on this socket, if any (Node's own default handler checks it too).
  const inProgress = (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  const [statusCode, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request was not received in time']
        : [400, 'Bad Request', `Malformed HTTP request: ${error.message}`];
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${statusCode} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function compileRoute(route: LocalRoute): CompiledRoute {
  return { ...route, ...compilePath(route.resourcePath) };
}

/** `/metrics/{name}` → a pattern capturing each parameter (`{proxy+}` spans segments), and their names. */
function compilePath(resourcePath: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const pattern = resourcePath
    .split('/')
    .map((part) => {
      const parameter = /^\{(.+?)(\+)?\}$/.exec(part);
      if (!parameter) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${pattern || '/'}$`), parameterNames };
}

function toProxyEvent(
  request: http.IncomingMessage,
  url: URL,
  path: string,
  route: LocalRoute,
  pathParameters: Record<string, string>,
  body: string | null,
  api: LocalRestApi,
  caller: CallerIdentity,
  record: RequestRecord,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values[values.length - 1]!;
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    const values = multiQuery[name] ?? [];
    values.push(value);
    multiQuery[name] = values;
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.resourcePath,
    path,
    httpMethod: route.httpMethod === 'ANY' ? (request.method ?? 'GET') : route.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: api.restApiId,
      authorizer: null,
      httpMethod: request.method ?? 'GET',
      // As API Gateway fills it for an IAM user: principal id as caller and user, null where nothing applies.
      identity: {
        accessKey: caller.accessKey,
        accountId: caller.accessKey ? LOCAL_ACCOUNT : null,
        apiKey: caller.apiKeyValue,
        apiKeyId: caller.apiKey?.id ?? null,
        caller: caller.principalId,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: caller.principalId,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: caller.userArn,
      },
      path: `/${api.stageName}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: record.requestId,
      requestTimeEpoch: record.startMs,
      resourceId: route.resourcePath,
      resourcePath: route.resourcePath,
      stage: api.stageName,
    },
  };
}
