import { TributaryError } from '../../core/errors';

/**
 * API Gateway's own response types the local API answers with, as the stage's
 * access log names them (`$context.error.responseType`), with their status and
 * the `x-amzn-ErrorType` header API Gateway sends with them.
 */
export const GATEWAY_RESPONSE_TYPES = {
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, errorType: 'MissingAuthenticationTokenException' },
  INCOMPLETE_SIGNATURE: { statusCode: 403, errorType: 'IncompleteSignatureException' },
  INVALID_SIGNATURE: { statusCode: 403, errorType: 'InvalidSignatureException' },
  EXPIRED_TOKEN: { statusCode: 403, errorType: 'InvalidSignatureException' },
  UNAUTHORIZED: { statusCode: 403, errorType: 'UnrecognizedClientException' },
  ACCESS_DENIED: { statusCode: 403, errorType: 'AccessDeniedException' },
  INVALID_API_KEY: { statusCode: 403, errorType: 'ForbiddenException' },
  BAD_REQUEST_PARAMETERS: { statusCode: 400, errorType: 'BadRequestException' },
  THROTTLED: { statusCode: 429, errorType: 'TooManyRequestsException' },
  QUOTA_EXCEEDED: { statusCode: 429, errorType: 'LimitExceededException' },
} as const;
export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_TYPES;

/**
 * A request API Gateway itself refuses before any function runs (no or a bad
 * signature, a denied identity, a missing API key, a throttle): the status and
 * the exact JSON body API Gateway sends for it.
 */
export class GatewayResponseError extends TributaryError {
  public readonly statusCode: number;
  /** API Gateway's `x-amzn-ErrorType` for it, e.g. `MissingAuthenticationTokenException`. */
  public readonly errorType: string;

  public constructor(
    public readonly responseType: GatewayResponseType,
    /** The body as API Gateway writes it; `{ Message }` (capital M) for an IAM denial, `{ message }` otherwise. */
    public readonly body: Readonly<Record<string, string>>,
  ) {
    super(body.message ?? body.Message ?? responseType);
    this.name = 'GatewayResponseError';
    this.statusCode = GATEWAY_RESPONSE_TYPES[responseType].statusCode;
    this.errorType = GATEWAY_RESPONSE_TYPES[responseType].errorType;
  }
}
