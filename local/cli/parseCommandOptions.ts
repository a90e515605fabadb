import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandName } from './commandUsage';
import { UsageError } from './UsageError';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

/**
 * The options of one command, with `-h/--help` added; a command line node's
 * parseArgs refuses becomes a one-line UsageError that points at the command's
 * help instead of parseArgs' own multi-sentence message.
 */
export function parseCommandOptions<T extends OptionsConfig>(command: CommandName, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, ...HELP }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${describeParseError(error as Error & { code?: string })}; run \`tributary ${command} --help\` for its options`);
  }
}

function describeParseError(error: Error & { code?: string }): string {
  // parseArgs names the offending argument in single quotes: "Unknown option '--nope'. To specify…".
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '--rate <value>' argument missing" or "Option '--dry-run' does not take an argument".
      const option = quoted.replace(/ <value>$/, '').replace(/^-\w, /, '');
      return /does not take an argument/.test(error.message) ? `${option} takes no value` : `${option} needs a value`;
    }
    default:
      return error.message.split('\n')[0] ?? String(error);
  }
}
