import { CliError } from './CliError';

/** A command line that cannot be run (unknown command or option, a value out of range): exit code 2, like getopt tools. */
export class UsageError extends CliError {
  public constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
