import type { Tracer } from '@aws-lambda-powertools/tracer';

/** The part of Powertools' Tracer a traced handler uses (tests pass a recording stand-in). */
export type HandlerTracer = Pick<Tracer, 'isTracingEnabled' | 'getSegment' | 'setSegment' | 'annotateColdStart' | 'addServiceNameAnnotation' | 'addErrorAsMetadata'>;

/** A Lambda handler as the functions export it: `(event)` or `(event, context)`. */
export type LambdaHandler<A extends unknown[], R> = (...args: A) => Promise<R>;

/**
 * `handler` in a `## <handler>` X-Ray subsegment annotated with the cold start
 * and the service name, and with the error as metadata when it throws — what
 * Powertools' `captureLambdaHandler` middleware does, without middy (not a
 * dependency here). Unlike it, the response is never recorded: responses
 * carry raw events and windows, and traces keep timings and errors only.
 * With tracing off (configuration, or outside Lambda: offline, tests) the
 * handler runs untouched.
 */
export function traceHandler<A extends unknown[], R>(tracer: HandlerTracer, handler: LambdaHandler<A, R>): LambdaHandler<A, R> {
  return async (...args) => {
    if (!tracer.isTracingEnabled()) return handler(...args);
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await handler(...args);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
    }
  };
}
