import { signExecuteApiRequest } from '../../adapters/apigateway/signExecuteApiRequest';
import type { LocalApiClient } from '../credentials/LocalApiClient';
import type { FuzzAuth } from './fuzzCases';
import { httpRequest, RAW_HOST, type RawRequest } from './rawRequest';

/** How far back a stale signature is dated: well past API Gateway's 5 minutes (and the 15 of the date check). */
const STALE_MS = 60 * 60_000;

/**
 * The request as it goes on the wire for its `auth`: signed as the local
 * identity its route needs (with the producer's API key on POST /events),
 * signed and then spoiled, signed an hour ago, or as generated (unsigned, or
 * with the garbage Authorization it carries). Requests that are not well
 * formed (raw garbage) go as they are. Signed at send time, so a long run's
 * dates stay fresh.
 */
export async function authenticateFuzzRequest(request: RawRequest, auth: FuzzAuth, stage: string, api: LocalApiClient, nowMs: number = Date.now()): Promise<RawRequest> {
  const message = request.message;
  if (!message || auth === 'unsigned' || auth === 'garbage-authorization') return request;
  const stagePath = message.target.startsWith(`/${stage}/`) ? message.target.slice(stage.length + 1) : message.target;
  let headers: Record<string, string>;
  try {
    headers = await signExecuteApiRequest(
      { method: message.method, target: message.target, host: RAW_HOST, headers: message.headers, ...(message.body ? { body: message.body } : {}) },
      api.signing(message.method, stagePath),
      new Date(auth === 'stale-signature' ? nowMs - STALE_MS : nowMs),
    );
  } catch {
    // A target the signer cannot encode (a lone surrogate): it goes unsigned, and a 403 is as good an answer as any 4xx.
    return request;
  }
  const { host: _host, ...signed } = headers;
  if (auth === 'bad-signature') signed.authorization = spoil(signed.authorization!);
  const rebuilt = httpRequest(message.method, message.target, signed, message.body);
  return request.abortAfterBytes === undefined ? rebuilt : { ...rebuilt, abortAfterBytes: request.abortAfterBytes };
}

/** The same header with the signature's last hex digit changed. */
function spoil(authorization: string): string {
  const last = authorization.at(-1);
  return `${authorization.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}
