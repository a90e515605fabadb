/**
 * A failure the user can act on, printed as one line `tributary: <message>`
 * without a stack trace. The message says what went wrong, then (after `; ` or
 * `: `) what to do about it.
 */
export class CliError extends Error {
  public constructor(
    message: string,
    /** The process exit code: 1 for a failure of the work, 2 for a command line that cannot be run. @default 1 */
    public readonly exitCode: 1 | 2 = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}
