import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HandlerTracer, traceHandler } from '../../../adapters/xray/traceHandler';

/** A stand-in for Powertools' Tracer that records what the wrapper does with the segments. */
function recordingTracer(enabled: boolean): { tracer: HandlerTracer; calls: string[] } {
  const calls: string[] = [];
  const subsegment = { name: '', close: () => calls.push(`close ${subsegment.name}`) };
  const facade = {
    name: 'facade',
    addNewSubsegment: (name: string) => {
      subsegment.name = name;
      calls.push(`open ${name}`);
      return subsegment;
    },
  };
  const tracer = {
    isTracingEnabled: () => enabled,
    getSegment: () => facade,
    setSegment: (segment: { name: string }) => calls.push(`active ${segment.name}`),
    annotateColdStart: () => calls.push('annotate cold start'),
    addServiceNameAnnotation: () => calls.push('annotate service'),
    addErrorAsMetadata: (error: Error) => calls.push(`error ${error.message}`),
  } as unknown as HandlerTracer;
  return { tracer, calls };
}

const CONTEXT = {} as Context;

describe('Function: traceHandler', () => {
  const saved = { handler: process.env._HANDLER, executionEnv: process.env.AWS_EXECUTION_ENV, enabled: process.env.POWERTOOLS_TRACE_ENABLED };
  beforeEach(() => {
    process.env._HANDLER = 'index.handler';
  });
  afterEach(() => {
    for (const [name, value] of [['_HANDLER', saved.handler], ['AWS_EXECUTION_ENV', saved.executionEnv], ['POWERTOOLS_TRACE_ENABLED', saved.enabled]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('runs the handler in its own annotated subsegment and makes the facade active again after it', async () => {
    // Prepare
    const { tracer, calls } = recordingTracer(true);
    const handler = traceHandler(tracer, async (event: { n: number }, _context: Context) => {
      calls.push('handler');
      return { doubled: event.n * 2 };
    });

    // Act
    const result = await handler({ n: 21 }, CONTEXT);

    // Assess: the response is returned, and never recorded (it carries user data).
    expect(result).toEqual({ doubled: 42 });
    expect(calls).toEqual(['open ## index.handler', 'active ## index.handler', 'annotate cold start', 'annotate service', 'handler', 'close ## index.handler', 'active facade']);
  });

  it('records a thrown error on the subsegment, closes it and throws the error on', async () => {
    // Prepare
    const { tracer, calls } = recordingTracer(true);
    const handler = traceHandler(tracer, async () => {
      throw new Error('DynamoDB unavailable');
    });

    // Act / Assess
    await expect(handler()).rejects.toThrow('DynamoDB unavailable');
    expect(calls.slice(-3)).toEqual(['error DynamoDB unavailable', 'close ## index.handler', 'active facade']);
  });

  it('leaves the handler untouched when tracing is off', async () => {
    // Prepare
    const { tracer, calls } = recordingTracer(false);

    // Act
    const result = await traceHandler(tracer, async (event: string) => event.toUpperCase())('offline');

    // Assess
    expect(result).toBe('OFFLINE');
    expect(calls).toEqual([]);
  });

  it('is off outside Lambda even when the stack turned tracing on: the offline host sets no AWS_EXECUTION_ENV, so no client is patched', async () => {
    // Prepare: what the stack writes, in an environment like the offline host's.
    process.env.POWERTOOLS_TRACE_ENABLED = 'true';
    delete process.env.AWS_EXECUTION_ENV;
    const tracer = new Tracer({ serviceName: 'tributary-ingest' });
    const client = new KinesisClient({ region: 'eu-west-1' });
    const middleware = client.middlewareStack.identify();

    // Act
    const captured = tracer.captureAWSv3Client(client);
    const result = await traceHandler(tracer, async (event: number) => event + 1)(1);

    // Assess
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(captured).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(middleware);
    expect(result).toBe(2);
  });

  it('is off in Lambda when the stack turned tracing off (POWERTOOLS_TRACE_ENABLED=false)', () => {
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';

    expect(new Tracer({ serviceName: 'tributary-query' }).isTracingEnabled()).toBe(false);
  });
});
