import type { LocalCorsPreflight } from '../assembly/LocalPlan';

/**
 * What a MOCK `OPTIONS` method answers a browser's preflight from `origin`:
 * its headers with `Access-Control-Allow-Origin: <origin>` when the MOCK lists
 * the origin (matched exactly, as its response template compares), else none
 * of its `Access-Control-*` headers, so the browser refuses the real request.
 * (On AWS the static first origin is sent to any other origin, which a browser
 * refuses the same way.)
 */
export function answerPreflight(preflight: LocalCorsPreflight, origin: string | undefined): { statusCode: number; headers: Record<string, string> } {
  const allowed = origin !== undefined && preflight.allowedOrigins.includes(origin);
  const headers = allowed
    ? { ...preflight.headers, 'access-control-allow-origin': origin }
    : Object.fromEntries(Object.entries(preflight.headers).filter(([name]) => !name.startsWith('access-control-')));
  return { statusCode: preflight.statusCode, headers };
}
