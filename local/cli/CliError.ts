/** A mistake the user can fix; printed without a stack trace. */
export class CliError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
