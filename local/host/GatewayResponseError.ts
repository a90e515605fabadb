import { TributaryError } from '../../core/errors';

/**
 * API Gateway's own response types the local API answers with, as the stage's
 * access log names them (`$context.error.responseType`).
 */
export const GATEWAY_RESPONSE_TYPES = {
  MISSING_AUTHENTICATION_TOKEN: 403,
  INCOMPLETE_SIGNATURE: 403,
  INVALID_SIGNATURE: 403,
  EXPIRED_TOKEN: 403,
  UNAUTHORIZED: 403,
  ACCESS_DENIED: 403,
  INVALID_API_KEY: 403,
  BAD_REQUEST_PARAMETERS: 400,
  THROTTLED: 429,
  QUOTA_EXCEEDED: 429,
} as const;
export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_TYPES;

/**
 * A request API Gateway itself refuses before any function runs (no or a bad
 * signature, a denied identity, a missing API key, a throttle): the status and
 * the exact JSON body API Gateway sends for it.
 */
export class GatewayResponseError extends TributaryError {
  public readonly statusCode: number;

  public constructor(
    public readonly responseType: GatewayResponseType,
    /** The body as API Gateway writes it; `{ Message }` (capital M) for an IAM denial, `{ message }` otherwise. */
    public readonly body: Readonly<Record<string, string>>,
  ) {
    super(body.message ?? body.Message ?? responseType);
    this.name = 'GatewayResponseError';
    this.statusCode = GATEWAY_RESPONSE_TYPES[responseType];
  }
}
