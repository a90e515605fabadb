import type { LocalApiKey, LocalManagedPolicy, LocalRestApi, LocalRoute } from '../assembly/LocalPlan';
import { LOCAL_ROLES, type LocalCredentials, type LocalIdentity, type LocalRole } from '../credentials/LocalCredentials';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';
import { allowsInvoke } from './allowsInvoke';
import { GatewayResponseError } from './GatewayResponseError';
import { ROLE_POLICIES } from './rolePolicies';
import { verifySignature, type ReceivedRequest } from './verifySignature';

/** Who a request came from, as API Gateway puts it in `requestContext.identity` and the access log. */
export interface CallerIdentity {
  /** The signer's principal id (`AIDA…`), as `caller` and `user`. */
  readonly principalId: string | null;
  readonly userArn: string | null;
  readonly accessKey: string | null;
  readonly role: LocalRole | null;
  /** The API key's value and id when the route requires one. */
  readonly apiKey: LocalApiKey | null;
  readonly apiKeyValue: string | null;
}

const ANONYMOUS: CallerIdentity = { principalId: null, userArn: null, accessKey: null, role: null, apiKey: null, apiKeyValue: null };

/**
 * The local API's authentication and authorization, from the template and
 * credentials.json: an `AWS_IAM` route needs a valid SigV4 signature by one
 * of the local identities whose role's managed policies allow
 * `execute-api:Invoke` on the request's ARN; an `apiKeyRequired` route needs
 * the `x-api-key` of a usage plan's enabled key. IAM first, then the key, as
 * API Gateway checks them; each refusal is API Gateway's 403.
 */
export class LocalAuthorizer {
  private readonly identities = new Map<string, { role: LocalRole; identity: LocalIdentity }>();
  private readonly apiKeysByValue = new Map<string, LocalApiKey>();

  public constructor(
    private readonly api: Pick<LocalRestApi, 'restApiId' | 'stageName' | 'usagePlans' | 'managedPolicies'>,
    private readonly credentials: LocalCredentials | undefined,
  ) {
    for (const role of LOCAL_ROLES) {
      const identity = credentials?.identities[role];
      if (identity) this.identities.set(identity.accessKeyId, { role, identity });
    }
    for (const key of api.usagePlans.flatMap((plan) => plan.apiKeys)) {
      const value = credentials?.apiKeys[key.producer];
      if (value && key.enabled) this.apiKeysByValue.set(value, key);
    }
  }

  /** The caller of `request` on `route` (`path` is the route's path under the stage), or the 403 API Gateway answers. */
  public authorize(request: ReceivedRequest, route: LocalRoute, path: string, nowMs: number): CallerIdentity {
    let caller = ANONYMOUS;
    if (route.authorizationType === 'AWS_IAM') {
      const { accessKeyId } = verifySignature(request, {
        region: this.credentials?.region ?? LOCAL_REGION,
        nowMs,
        secretOf: (id) => this.identities.get(id)?.identity.secretAccessKey,
      });
      const { role, identity } = this.identities.get(accessKeyId)!;
      const resourceArn = this.invokeArn(request.method, path);
      if (!allowsInvoke(this.policiesOf(role), resourceArn)) {
        throw new GatewayResponseError('ACCESS_DENIED', { Message: `User: ${identity.arn} is not authorized to perform: execute-api:Invoke on resource: ${resourceArn}` });
      }
      caller = { ...caller, principalId: `AIDA${accessKeyId.replace(/^AKIA/, '')}`, userArn: identity.arn, accessKey: accessKeyId, role };
    }
    if (route.apiKeyRequired) {
      const value = headerValue(request.rawHeaders, 'x-api-key');
      const key = value === undefined ? undefined : this.apiKeysByValue.get(value);
      if (!key || value === undefined) throw new GatewayResponseError('INVALID_API_KEY', { message: 'Forbidden' });
      caller = { ...caller, apiKey: key, apiKeyValue: value };
    }
    return caller;
  }

  /** `arn:aws:execute-api:us-east-1:000000000000:<apiId>/v1/POST/events`: what the policies' resources are matched against. */
  private invokeArn(method: string, path: string): string {
    return `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${this.api.restApiId}/${this.api.stageName}/${method}/${path.replace(/^\//, '')}`;
  }

  private policiesOf(role: LocalRole): LocalManagedPolicy[] {
    return this.api.managedPolicies.filter((policy) => ROLE_POLICIES[role].includes(policy.name));
  }
}

/** The last value of a header (names are case-insensitive). */
function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name) value = rawHeaders[index + 1];
  }
  return value;
}
