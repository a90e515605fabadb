import type { LocalManagedPolicy } from '../assembly/LocalPlan';

/**
 * Whether `policies` allow `execute-api:Invoke` on `resourceArn`
 * (`arn:aws:execute-api:us-east-1:000000000000:<apiId>/v1/GET/metrics/x`),
 * as IAM evaluates identity policies: an explicit Deny wins, then any Allow,
 * else the implicit deny. Action and resource patterns take IAM's `*` and `?`
 * wildcards. Conditions are not evaluated (the stack's policies have none).
 */
export function allowsInvoke(policies: readonly LocalManagedPolicy[], resourceArn: string): boolean {
  const matching = policies
    .flatMap((policy) => policy.statements)
    .filter(
      (statement) =>
        statement.actions.some((action) => wildcardMatches(action.toLowerCase(), 'execute-api:invoke')) &&
        statement.resources.some((resource) => wildcardMatches(resource, resourceArn)),
    );
  if (matching.some((statement) => statement.effect === 'Deny')) return false;
  return matching.some((statement) => statement.effect === 'Allow');
}

/** IAM's wildcards: `*` any run of characters (`/` included), `?` any one. */
function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}
