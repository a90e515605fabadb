import { parseArgs } from 'node:util';
import { CliError } from './CliError';
import { lateCommand } from './lateCommand';
import { redriveCommand } from './redriveCommand';
import { parseCliTime, replayCommand } from './replayCommand';
import { sendCommand } from './sendCommand';
import { startCommand } from './startCommand';

const USAGE = `Usage: tributary <command>

  start                     run the whole pipeline offline (what \`npm start\` does)
  send [options]            post events to the ingest API
      --file <events.ndjson>  one event per line (default: synthetic order.created events)
      --rate <n>              events per second (default 100)
      --duration <s>          seconds of synthetic load (default 10)
      --count <n>             number of synthetic events (instead of --duration)
      --batch <n>             events per request, 1-500 (default 100)
      --url <url>             API base URL (default: the running pipeline's)
  late --metric <name>      list the late-event output of the running pipeline
      --day <YYYY-MM-DD>      UTC day of the events' time (default: today)
      --limit <n>             at most this many (default 50)
  redrive [--dry-run]       re-apply the aggregator's DLQ ranges from the stream, exactly once
  replay --from <time>      re-read the stream from a time and rebuild what the windows lack
      --to <time>             up to this arrival time (default: now)
      --metric <name>         only this metric (default: all)
                              times: ISO-8601 with a timezone or epoch ms; an interrupted
                              replay resumes when run again with the same options
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand();
    case 'send': {
      const { values } = parseArgs({
        args: rest,
        options: {
          file: { type: 'string' },
          rate: { type: 'string', default: '100' },
          duration: { type: 'string' },
          count: { type: 'string' },
          batch: { type: 'string', default: '100' },
          url: { type: 'string' },
        },
        strict: true,
      });
      const number = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
        if (value === undefined) return undefined;
        const parsed = Number(value);
        if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new CliError(`--${name} must be a number from ${min} to ${max} (got ${value})`);
        return parsed;
      };
      const summary = await sendCommand({
        ...(values.file !== undefined ? { file: values.file } : {}),
        ...(values.url !== undefined ? { url: values.url.replace(/\/$/, '') } : {}),
        rate: number('rate', values.rate, 0.1, 100_000)!,
        ...(values.duration !== undefined ? { durationSeconds: number('duration', values.duration, 0.1, 86_400)! } : {}),
        ...(values.count !== undefined ? { count: Math.round(number('count', values.count, 1, 100_000_000)!) } : {}),
        batchSize: Math.round(number('batch', values.batch, 1, 500)!),
      });
      if (summary.failed > 0 || summary.rejected > 0) process.exitCode = 1;
      return;
    }
    case 'late': {
      const { values } = parseArgs({
        args: rest,
        options: { metric: { type: 'string' }, day: { type: 'string' }, limit: { type: 'string', default: '50' } },
        strict: true,
      });
      if (!values.metric) throw new CliError('late needs --metric <name> (see GET /metrics/{name})');
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw new CliError(`--limit must be a whole number from 1 to 1000 (got ${values.limit})`);
      await lateCommand({ metric: values.metric, day: values.day ?? new Date().toISOString().slice(0, 10), limit });
      return;
    }
    case 'redrive': {
      const { values } = parseArgs({ args: rest, options: { 'dry-run': { type: 'boolean', default: false } }, strict: true });
      const report = await redriveCommand({ dryRun: values['dry-run'] ?? false });
      if (report.expired.length > 0 || report.unreadable > 0) process.exitCode = 1;
      return;
    }
    case 'replay': {
      const { values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' }, metric: { type: 'string' } }, strict: true });
      if (!values.from) throw new CliError('replay needs --from <time> (ISO-8601 with a timezone, or epoch ms)');
      await replayCommand({
        fromMs: parseCliTime('from', values.from),
        ...(values.to !== undefined ? { toMs: parseCliTime('to', values.to) } : {}),
        ...(values.metric !== undefined ? { metric: values.metric } : {}),
      });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      throw new CliError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`tributary: ${(error as Error).message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
