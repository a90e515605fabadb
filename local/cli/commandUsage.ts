import { tributaryConfig } from '../../infra/tributary.config';

const metricNames = tributaryConfig.metrics.map((metric) => metric.name).join(', ');

/**
 * What `tributary <command> --help` prints, per command. The option lists are
 * the ones main.ts parses: a new option goes in both places.
 */
export const COMMAND_USAGE = {
  start: `Usage: tributary start

Runs the whole pipeline offline (what \`npm start\` does): emulators, function host,
API and dashboard, until Ctrl-C. Its state (logs, runtime.json) goes to
TRIBUTARY_STATE_DIR (default .tributary); ports come from TRIBUTARY_API_PORT (3000),
TRIBUTARY_DASHBOARD_PORT (3001), TRIBUTARY_KINESIS_PORT (4568),
TRIBUTARY_DYNAMODB_PORT (8000) and TRIBUTARY_SQS_PORT (4566).

Options:
  --fresh                 delete the kept Kinesis and DynamoDB data (<state dir>/data) and start empty
  -h, --help              print this and exit`,
  send: `Usage: tributary send [options]

Posts events to the ingest API of the running pipeline with a progress line, then
prints how many were accepted, rejected and failed (and the first rejections).
Ctrl-C stops it and prints the counts so far.

Options:
  --file <events.ndjson>  one event per line (default: synthetic order.created events)
  --type <orders|checkout>
                          synthetic events: order.created (default), or checkout.completed
                          and checkout.failed (the checkout-errors-5m metric and its alert)
  --error-rate <0-1>      share of synthetic checkouts that fail, spread evenly (default 0.02)
  --late-rate <0-1>       share of synthetic events sent 10 minutes in the past, spread evenly:
                          late for every bundled window (default 0; 0.02 drives the
                          late-event-rate alarm, whose threshold is 1 %)
  --rate <n>              events per second (default 100)
  --duration <s>          seconds of synthetic load (default 10)
  --count <n>             number of synthetic events (instead of --duration)
  --batch <n>             events per request, 1-500 (default 100)
  --url <url>             API base URL (default: the running pipeline's, from runtime.json)
  --api-key <value>       x-api-key to send (default: TRIBUTARY_API_KEY; locally the producer's key)
  --producer <name>       send the local API key of this producer of api.producers
                          (default: the only one configured)
  -h, --help              print this and exit

Every request is signed with SigV4 (service execute-api). Without --url: as the
local producer identity of <state dir>/credentials.json. With --url: with
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the
environment, for the region in the execute-api host name (else AWS_REGION); a
loopback --url without them signs with the local credentials.

Exit code: 0 all accepted, 1 some rejected or failed (or the API refused the
credentials: the message says what to fix), 130 interrupted.`,
  credentials: `Usage: tributary credentials [--role <role>] [--producer <name>]

Prints the shell lines that sign as a local identity of the offline pipeline
(from <state dir>/credentials.json, which \`npm start\` writes and keeps across
restarts), for curl --aws-sigv4, the AWS CLI and \`tributary send --url\`:

  eval "$(npx tributary credentials --role metrics-reader)"
  curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \\
    'http://127.0.0.1:3000/v1/metrics/orders-per-region?group=eu-west'

It prints export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_REGION=us-east-1
(and TRIBUTARY_API_KEY=… for the producer when api.producers is configured; send
it as x-api-key), then unset AWS_SESSION_TOKEN. On AWS, a producer's role gets
the stack output ProducerPolicyArn instead (docs/operations/deploy.md).

Options:
  --role <role>           producer (POST /events), metrics-reader (GET /metrics/*),
                          events-reader (GET /events) or admin (all); default producer
  --producer <name>       with --role producer: whose API key goes into TRIBUTARY_API_KEY
                          (default: the only one configured)
  -h, --help              print this and exit`,
  late: `Usage: tributary late --metric <name> [--day <YYYY-MM-DD>] [--limit <n>] [--stack <name>]

Lists the late-event output of one metric for one UTC day, oldest event time first,
each entry with its reason (late, invalid-event-time, future-event-time), the
windows it missed and the watermark it met. Of the running offline pipeline, or of
a deployed one with --stack.

Options:
  --metric <name>         one of: ${metricNames}
  --day <YYYY-MM-DD>      UTC day of the events' time (default: today)
  --limit <n>             at most this many, 1-1000 (default 50)
  --stack <name>          a deployed pipeline: the CloudFormation stack's outputs name its
                          resources (AWS credentials and region from the environment)
  --region <region>       the stack's region (default: AWS_REGION, else your AWS profile's)
  -h, --help              print this and exit`,
  redrive: `Usage: tributary redrive [--queue <consumer>] [--dry-run] [--stack <name>]

Re-applies the ranges in one consumer's DLQ from their stream, through the
consumer's own code, effectively once: the aggregator's windows take only what
they lack, the archive writes each event as its one item, the change publisher
publishes each change at most once. A message is deleted only once applied;
messages it cannot apply are named, kept for a later run, and make the exit code 1.
Of the running offline pipeline, or of a deployed one with --stack: redrive
within the stream's retention (Kinesis 24 h by default, DynamoDB Streams 24 h).

Options:
  --queue <consumer>      aggregator (default), archive or changes
  --dry-run               list what would be redriven; apply and delete nothing
  --stack <name>          a deployed pipeline: the CloudFormation stack's outputs name its
                          resources (AWS credentials and region from the environment)
  --region <region>       the stack's region (default: AWS_REGION, else your AWS profile's)
  -h, --help              print this and exit`,
  replay: `Usage: tributary replay --from <time> [--to <time>] [--metric <name>] [--stack <name>]

Re-reads the stream from a time and rebuilds what the windows lack. An interrupted
replay resumes when run again with the same options. Of the running offline
pipeline, or of a deployed one with --stack.

Options:
  --from <time>           from this arrival time (required)
  --to <time>             up to this arrival time (default: now)
  --metric <name>         only this metric (default: all): ${metricNames}
  --stack <name>          a deployed pipeline: the CloudFormation stack's outputs name its
                          resources (AWS credentials and region from the environment)
  --region <region>       the stack's region (default: AWS_REGION, else your AWS profile's)
  -h, --help              print this and exit

Times are ISO-8601 with a timezone (2026-11-22T08:00:00Z) or epoch milliseconds.`,
  plan: `Usage: tributary plan --rate <events/s> [options]

Sizes a deployment for a load and prices it per month: Kinesis shards, Lambda
concurrency, DynamoDB units per second and the partitions that run hot, and the
cost per component at list prices (core/planning/listPrices.ts, dated), beside a
design that writes every event and the Managed Flink floor. Every unit count comes
from bench/results/units.json (measured by npm run bench:shards and bench:units;
its source line names the commit); the metrics and batch size from tributary.config.

Options:
  --rate <n>              events per second (required), 1-10000000
  --event-bytes <n>       bytes of one event's JSON as sent, 1-262144 (default 300)
  --events-per-request <n>
                          events per POST /events, 1-500 (default 100)
  --groups <n>            groups per metric in a window (default 100)
  --metrics <n>           metric definitions (default: the config's, ${tributaryConfig.metrics.length})
  --shards <n>            plan with this many shards instead of what the load needs
  --json                  the plan as JSON, with the prices and the units' source
  -h, --help              print this and exit`,
} as const;

/** A command `tributary` knows. */
export type CommandName = keyof typeof COMMAND_USAGE;

/** Whether `name` is a command `tributary` knows. */
export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_USAGE, name);
}

/** What `tributary --help` prints: every command, one line each. */
export const TOP_USAGE = `Usage: tributary <command> [options]

Commands:
  start                   run the whole pipeline offline (what \`npm start\` does)
  send                    post events to the ingest API (a file, or synthetic load)
  credentials             print the local keys of a role as shell exports (eval "$(…)")
  late                    list a metric's late-event output for a day
  redrive                 re-apply a consumer's DLQ ranges from their stream, effectively once
  replay                  re-read the stream from a time and rebuild what the windows lack
  plan                    size and price a deployment for a load, from measured unit counts

  late, redrive and replay work on the offline pipeline, or with --stack <name> on a
  deployed one.

  tributary <command> --help   that command's options
  tributary --version          the version

Exit codes: 0 done, 1 failed (the message says why and what to do), 2 a command line
that cannot be run, 130 interrupted. TRIBUTARY_DEBUG=1 adds the stack to an error.`;
