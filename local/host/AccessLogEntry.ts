/**
 * One line of the local API's access log (`<stateDir>/logs/api-access.log`),
 * named as the stage's access log format names its fields
 * (infra/constructs/PipelineApi.ts); `-` where API Gateway logs `-`, and
 * `producer`, the API key's producer, in place of what only AWS knows.
 */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly requestTimeEpochMs: number;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly path: string;
  readonly status: number;
  readonly responseLatencyMs: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly caller: string;
  readonly userArn: string;
  readonly apiKeyId: string;
  readonly producer: string;
  readonly errorType: string;
  readonly errorMessage: string;
}
