import type { LocalRole } from '../credentials/LocalCredentials';
import type { ApiTarget } from './resolveApiTarget';

/** The stack output naming the managed policy that allows each role's routes (docs/operations/deploy.md). */
const POLICY_OUTPUT: Readonly<Record<LocalRole, string>> = {
  producer: 'ProducerPolicyArn',
  'metrics-reader': 'MetricsReaderPolicyArn',
  'events-reader': 'EventsReaderPolicyArn',
  admin: 'ProducerPolicyArn, MetricsReaderPolicyArn and EventsReaderPolicyArn',
};

/**
 * What to do about a 403 of API Gateway, from its message: one line for a
 * CliError, naming the credential, key or policy to fix. The messages are
 * API Gateway's own (the local API answers the same ones).
 */
export function explainForbidden(message: string, target: ApiTarget): string {
  const said = `the API refused the request (403 ${JSON.stringify(message)})`;
  const local = target.credentialsFrom === 'local';
  const keyId = target.signing.credentials.accessKeyId;
  if (/Missing Authentication Token/i.test(message)) {
    return `${said}: it has no such route, or the request reached it unsigned; check that ${target.baseUrl} is the API's base URL with its stage (e.g. https://<id>.execute-api.<region>.amazonaws.com/v1)`;
  }
  if (/security token included in the request is invalid/i.test(message)) {
    return local
      ? `${said}: the running pipeline does not know the key ${keyId} of ${target.credentialsFile}; run this from the folder (and TRIBUTARY_STATE_DIR) the pipeline was started from, or restart it with \`npm start\``
      : `${said}: AWS does not know the access key ${keyId}; set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) to current credentials of the caller's role`;
  }
  if (/signature we calculated does not match/i.test(message)) {
    return `${said}: check that AWS_SECRET_ACCESS_KEY belongs to ${keyId} and that ${target.signing.region} is the API's region (AWS_REGION)`;
  }
  if (/Signature expired/i.test(message)) return `${said}: this machine's clock is more than 5 minutes off; set it right (NTP) and try again`;
  if (/not authorized to perform: execute-api:Invoke/i.test(message)) {
    return local
      ? `${said}: sign as the ${target.role} identity: eval "$(npx tributary credentials --role ${target.role})"`
      : `${said}: attach the stack output ${POLICY_OUTPUT[target.role]} to the caller's role (docs/operations/deploy.md#onboard-a-producer)`;
  }
  if (/^Forbidden$/i.test(message.trim())) {
    return local
      ? `${said}: the API wants a producer's API key (x-api-key): pass --producer <name> or --api-key <value> (or set TRIBUTARY_API_KEY); \`npx tributary credentials --producer <name>\` prints it`
      : `${said}: the API wants a producer's API key (x-api-key): pass --api-key <value> or set TRIBUTARY_API_KEY; its value: aws apigateway get-api-key --api-key <ProducerApiKeyId<Name> output> --include-value --query value --output text`;
  }
  return said;
}
