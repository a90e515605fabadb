import { type ApiSigning, signExecuteApiRequest } from './signExecuteApiRequest';

/** What `signedFetch` sends: fetch's own options, with a body it can hash (text or bytes). */
export interface SignedRequestInit extends Omit<RequestInit, 'body' | 'headers'> {
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * `fetch` with the request signed for API Gateway (SigV4, service
 * `execute-api`) and the API key of `signing` attached. The target and Host
 * are signed as fetch sends them: the URL's encoded path and query, and its
 * host with the port.
 */
export async function signedFetch(url: string | URL, init: SignedRequestInit, signing: ApiSigning): Promise<Response> {
  const target = new URL(url);
  const method = (init.method ?? 'GET').toUpperCase();
  const signed = await signExecuteApiRequest(
    { method, target: `${target.pathname}${target.search}`, host: target.host, ...(init.headers ? { headers: init.headers } : {}), ...(init.body !== undefined ? { body: init.body } : {}) },
    signing,
  );
  // fetch writes Host itself, from the URL: the signed value is the same.
  const { host: _host, ...headers } = signed;
  return fetch(target, { ...init, method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}
