import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LocalRestApi, LocalRoute } from '../assembly/LocalPlan';
import { LOCAL_ACCOUNT } from '../emulators/Emulators';
import type { Invoke } from './InvokeResult';

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Requests per route (`POST /events`) by status class. */
export interface RouteStats {
  requests: number;
  clientErrors: number;
  serverErrors: number;
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
 */
export class ApiGatewayServer {
  private readonly routes: CompiledRoute[];
  private server: http.Server | undefined;
  public readonly stats: Record<string, RouteStats> = {};

  public constructor(
    private readonly api: LocalRestApi,
    private readonly invokers: ReadonlyMap<string, Invoke>,
    private readonly log: (message: string) => void,
  ) {
    this.routes = api.routes.map((route) => compileRoute(route));
  }

  /** Listens on `port` (0 for any free one) and returns the base URL including the stage. */
  public async listen(port: number): Promise<string> {
    this.server = http.createServer((request, response) => {
      void this.handle(request, response);
    });
    this.server.keepAliveTimeout = 30_000;
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

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const stagePrefix = `/${this.api.stageName}`;
    const send = (statusCode: number, body: unknown): void => {
      response.writeHead(statusCode, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== stagePrefix && !url.pathname.startsWith(`${stagePrefix}/`)) {
      return send(404, { message: `No stage in ${url.pathname}: this API's routes are under ${stagePrefix}/` });
    }
    const path = url.pathname.slice(stagePrefix.length) || '/';
    const method = request.method ?? 'GET';
    const matches = this.routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter((candidate) => candidate.match);
    const found = matches.find((candidate) => candidate.route.httpMethod === method || candidate.route.httpMethod === 'ANY');
    if (!found) {
      const known = this.routes.map((route) => `${route.httpMethod} ${stagePrefix}${route.resourcePath}`).join(', ');
      return send(matches.length > 0 ? 405 : 404, { message: `No route for ${method} ${url.pathname}; routes: ${known}` });
    }
    const routeStats = (this.stats[`${found.route.httpMethod} ${found.route.resourcePath}`] ??= { requests: 0, clientErrors: 0, serverErrors: 0 });
    routeStats.requests += 1;
    response.once('finish', () => {
      if (response.statusCode >= 500) routeStats.serverErrors += 1;
      else if (response.statusCode >= 400) routeStats.clientErrors += 1;
    });
    const invoke = this.invokers.get(found.route.functionLogicalId);
    if (!invoke) return send(500, { message: `Route target ${found.route.functionLogicalId} is not running` });

    const chunks: Buffer[] = [];
    let size = 0;
    // Read to the end even past the limit (keeping nothing), so the client gets the 413 rather than a reset connection.
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    }
    if (size > MAX_BODY_BYTES) return send(413, { message: `Request body is ${size} bytes; API Gateway takes at most ${MAX_BODY_BYTES}` });
    const pathParameters: Record<string, string> = {};
    found.route.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodeURIComponent(found.match![index + 1]!);
    });
    const event = toProxyEvent(request, url, path, found.route, pathParameters, chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null, this.api);
    const result = await invoke(event);
    if (!result.ok) {
      this.log(`${method} ${url.pathname}: function error ${result.errorType}: ${result.errorMessage}`);
      return send(502, { message: 'Internal server error' });
    }
    const proxy = result.payload as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | null;
    if (!proxy || typeof proxy.statusCode !== 'number') {
      this.log(`${method} ${url.pathname}: malformed Lambda proxy response`);
      return send(502, { message: 'Internal server error' });
    }
    response.writeHead(proxy.statusCode, proxy.headers ?? {});
    response.end(proxy.body === undefined ? '' : Buffer.from(proxy.body, proxy.isBase64Encoded ? 'base64' : 'utf8'));
  }
}

function compileRoute(route: LocalRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const pattern = route.resourcePath
    .split('/')
    .map((part) => {
      const parameter = /^\{(.+?)(\+)?\}$/.exec(part);
      if (!parameter) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${pattern || '/'}$`), parameterNames };
}

function toProxyEvent(
  request: http.IncomingMessage,
  url: URL,
  path: string,
  route: LocalRoute,
  pathParameters: Record<string, string>,
  body: string | null,
  api: LocalRestApi,
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
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = Date.now();
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
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? null,
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${api.stageName}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: route.resourcePath,
      resourcePath: route.resourcePath,
      stage: api.stageName,
    },
  };
}
