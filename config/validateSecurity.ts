import { producerOutputId } from './producerOutputId';
import type { ResolvedConfig } from './TributaryConfig';

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const PRODUCER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** An origin as browsers send it: scheme, host, optional port, nothing after. Plain http only for local development. */
const ORIGIN = /^(?:https:\/\/[a-z0-9.-]+|http:\/\/(?:localhost|127\.0\.0\.1))(?::\d{1,5})?$/;

/** The problems of the api, observability and encryption sections (empty when all is well). */
export function validateSecurity(config: Pick<ResolvedConfig, 'api' | 'observability' | 'encryption'>): string[] {
  const problems: string[] = [];
  const { api, observability, encryption } = config;
  const integer = (field: string, value: unknown, min: number, max: number, hint = ''): boolean => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return true;
    problems.push(`${field} must be an integer from ${min} to ${max}${hint} (got ${JSON.stringify(value)})`);
    return false;
  };
  if (api.authorization !== 'iam' && api.authorization !== 'none') {
    problems.push(`api.authorization must be "iam" or "none" (got ${JSON.stringify(api.authorization)})`);
  }
  const stageRateOk = integer('api.rateLimitPerSecond', api.rateLimitPerSecond, 1, 10_000, ' (API Gateway\'s default account limit)');
  const stageBurstOk = integer('api.burstLimit', api.burstLimit, 1, 5_000, ' (API Gateway\'s default account burst)');
  if (!Array.isArray(api.producers)) {
    problems.push(`api.producers must be an array (got ${JSON.stringify(api.producers)})`);
  } else {
    const seen = new Set<string>();
    // Each producer's key id is a stack output named from its letters and digits (producerOutputId);
    // names whose outputs differ only in case are refused too, so an operator never confuses two.
    const outputs = new Map<string, string>();
    api.producers.forEach((producer, index) => {
      const at = `api.producers[${index}]`;
      if (typeof producer.name !== 'string' || !PRODUCER_NAME.test(producer.name)) {
        problems.push(`${at}.name must be 1 to 64 letters, digits, "_" or "-" (got ${JSON.stringify(producer.name)})`);
      } else if (seen.has(producer.name)) {
        problems.push(`${at}.name "${producer.name}" is used by another producer; names must be unique`);
      } else {
        seen.add(producer.name);
        const output = producerOutputId(producer.name).toLowerCase();
        const other = outputs.get(output);
        if (other !== undefined) {
          problems.push(`${at}.name "${producer.name}" gives the same stack output as "${other}" (${producerOutputId(producer.name)}); names must differ in more than case, "-" and "_"`);
        } else {
          outputs.set(output, producer.name);
        }
      }
      integer(`${at}.rateLimitPerSecond`, producer.rateLimitPerSecond, 1, stageRateOk ? api.rateLimitPerSecond : 10_000, stageRateOk ? ' (api.rateLimitPerSecond)' : '');
      integer(`${at}.burstLimit`, producer.burstLimit, 1, stageBurstOk ? api.burstLimit : 5_000, stageBurstOk ? ' (api.burstLimit)' : '');
      if (producer.quotaPerDay !== undefined) integer(`${at}.quotaPerDay`, producer.quotaPerDay, 1, 1_000_000_000);
    });
  }
  if (!Array.isArray(api.corsOrigins)) {
    problems.push(`api.corsOrigins must be an array of origins (got ${JSON.stringify(api.corsOrigins)})`);
  } else {
    api.corsOrigins.forEach((origin, index) => {
      if (origin === '*') problems.push(`api.corsOrigins[${index}] is "*": list the dashboards' origins instead, so no other site can read with a visitor's credentials`);
      else if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
        problems.push(`api.corsOrigins[${index}] must be an origin such as "https://dashboard.example.com" (https, or http://localhost for development; no path) (got ${JSON.stringify(origin)})`);
      }
    });
  }
  if (api.wafRateLimitPer5Minutes !== 0) integer('api.wafRateLimitPer5Minutes', api.wafRateLimitPer5Minutes, 10, 2_000_000_000, ', or 0 for no WAF');
  for (const field of ['ingestReservedConcurrency', 'queryReservedConcurrency'] as const) {
    if (api[field] !== false) integer(`api.${field}`, api[field], 1, 1_000, ', or false for none');
  }
  if (!LOG_RETENTION_DAYS.includes(observability.logRetentionDays)) {
    problems.push(`observability.logRetentionDays must be one of CloudWatch's values ${LOG_RETENTION_DAYS.join(', ')} (got ${JSON.stringify(observability.logRetentionDays)})`);
  }
  if (typeof observability.tracing !== 'boolean') problems.push(`observability.tracing must be true or false (got ${JSON.stringify(observability.tracing)})`);
  if (typeof encryption.customerManagedKey !== 'boolean') {
    problems.push(`encryption.customerManagedKey must be true or false (got ${JSON.stringify(encryption.customerManagedKey)})`);
  }
  return problems;
}
