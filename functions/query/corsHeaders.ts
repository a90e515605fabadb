/** The port a browser leaves out of an origin it serializes, by scheme. */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'https:': '443', 'http:': '80' } as const;

/**
 * The CORS headers of a read answer to a request from `origin`, given the
 * configured `allowedOrigins` (`api.corsOrigins`): the origin is echoed in
 * `Access-Control-Allow-Origin` only when it is listed, never `*`, so no
 * other site's page can read the answer. `Vary: Origin` goes on every answer
 * once any origin is configured, so a cache never serves one origin's answer
 * to another. No origins configured: no headers at all (CORS off).
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (allowedOrigins.length === 0) return {};
  if (origin === undefined) return { vary: 'Origin' };
  const requested = comparable(origin);
  if (!allowedOrigins.some((candidate) => comparable(candidate) === requested)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The request's `Origin` header, whatever case the client or API Gateway gave its name. */
export function originOf(headers: Readonly<Record<string, string | undefined>> | null | undefined): string | undefined {
  if (!headers) return undefined;
  const name = Object.keys(headers).find((candidate) => candidate.toLowerCase() === 'origin');
  return name === undefined ? undefined : headers[name];
}

/**
 * An origin as browsers compare them: scheme and host in lower case, the
 * scheme's default port left out (a configured `https://x:443` is the origin
 * `https://x` a browser sends). Anything that is not `scheme://host[:port]`
 * stays as it is, so it can only match itself.
 */
function comparable(origin: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)\/\/([^/:]+)(?::(\d+))?$/i.exec(origin);
  if (!match) return origin;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  const port = match[3] === undefined || match[3] === DEFAULT_PORTS[scheme] ? '' : `:${match[3]}`;
  return `${scheme}//${host}${port}`;
}
