import { ConfigError } from '../../core/errors';
import { CliError } from './CliError';

/** What the user sees of a failure: one line (without the `tributary: ` prefix) and the exit code. */
export interface FailureDescription {
  readonly line: string;
  readonly exitCode: number;
}

/**
 * Turns any error a command ends with into one line that says what went wrong
 * and what to do. A refused connection anywhere in the cause chain (the SDK's
 * socket error, fetch's `cause`, Node's AggregateError of IPv4 and IPv6
 * attempts) means the pipeline is not up; anything unforeseen keeps its name
 * and first line and points at TRIBUTARY_DEBUG for the stack.
 */
export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof CliError) return { line: oneLine(error.message), exitCode: error.exitCode };
  if (error instanceof ConfigError) {
    return { line: `invalid configuration (infra/tributary.config.ts): ${error.problems.join('; ')}; fix it and run again`, exitCode: 1 };
  }
  if (error instanceof Error && AWS_REFUSALS.test(error.name)) {
    // On a deployed stack (--stack): AWS's message names the action and the identity; what to grant is in the runbook.
    return { line: `AWS refused (${error.name}): ${oneLine(error.message)}; the identity needs the permissions in docs/operations/runbooks.md (On AWS: --stack), or fresh credentials`, exitCode: 1 };
  }
  const refused = findRefusedConnection(error);
  if (refused) return { line: `no pipeline is answering at ${refused}: start it with \`npm start\``, exitCode: 1 };
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { line: `unexpected ${name}: ${oneLine(message) || '(no message)'}; run again with TRIBUTARY_DEBUG=1 for the stack`, exitCode: 1 };
}

/** AWS errors that mean the caller's identity may not do this, or its credentials are no longer valid. */
const AWS_REFUSALS = /^(AccessDenied(Exception)?|UnauthorizedOperation|ExpiredToken(Exception)?|UnrecognizedClientException|InvalidClientTokenId|KMSAccessDeniedException)$/;

/** `http://<address>:<port>` of the first ECONNREFUSED in the error's cause chain. */
export function findRefusedConnection(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const { code, address, port, cause, errors } = error as { code?: unknown; address?: unknown; port?: unknown; cause?: unknown; errors?: unknown };
  if (code === 'ECONNREFUSED' && typeof address === 'string' && typeof port === 'number') {
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }
  // An AggregateError (one attempt per address family) holds the attempts, each with its address.
  for (const attempt of Array.isArray(errors) ? errors : []) {
    const found = findRefusedConnection(attempt, depth + 1);
    if (found) return found;
  }
  return findRefusedConnection(cause, depth + 1) ?? (code === 'ECONNREFUSED' ? 'the address in runtime.json' : undefined);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
