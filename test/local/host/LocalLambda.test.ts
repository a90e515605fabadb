import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../../local/assembly/LocalPlan';
import { LocalLambda } from '../../../local/host/LocalLambda';
import { waitUntil } from '../../support/waitUntil';

/** A function bundle on disk, as cdk.out holds one. */
function bundle(source: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  const codeDir = mkdtempSync(path.join(tmpdir(), 'tributary-bundle-'));
  writeFileSync(path.join(codeDir, 'index.js'), source);
  return {
    logicalId: 'Fn',
    functionName: 'Fn',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
    codeDir,
    handler: 'index.handler',
    timeoutSeconds: 5,
    memorySizeMb: 128,
    environment: {},
    ...overrides,
  };
}

const started: LocalLambda[] = [];
function lambda(definition: LocalFunction, environment: Record<string, string> = {}): { fn: LocalLambda; logs: () => string } {
  const sink = new PassThrough();
  let logs = '';
  sink.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const fn = new LocalLambda(definition, environment, sink);
  started.push(fn);
  return { fn, logs: () => logs };
}

describe('Class: LocalLambda', () => {
  afterEach(async () => {
    await Promise.all(started.splice(0).map((fn) => fn.stop()));
  });

  it('returns the handler result, with a Lambda context', async () => {
    const { fn } = lambda(
      bundle(`exports.handler = async (event, context) => ({ echo: event.n, name: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 });`),
    );
    const result = await fn.invoke({ n: 7 });
    expect(result).toMatchObject({ ok: true, payload: { echo: 7, name: 'Fn', remaining: true } });
  });

  it('reports a thrown error as a function error', async () => {
    const { fn } = lambda(bundle(`class PoisonRecordError extends Error { constructor(m) { super(m); this.name = 'PoisonRecordError'; } }
      exports.handler = async () => { throw new PoisonRecordError('bad record'); };`));
    expect(await fn.invoke({})).toMatchObject({ ok: false, errorType: 'PoisonRecordError', errorMessage: 'bad record' });
    expect(fn.stats).toMatchObject({ invocations: 1, errors: 1 });
  });

  it('reports a bundle that fails to load as an init error', async () => {
    const { fn } = lambda(bundle(`throw new Error('missing configuration');`));
    expect(await fn.invoke({})).toMatchObject({ ok: false, errorType: 'Runtime.InitError', errorMessage: 'Error: missing configuration' });
  });

  it('kills a sandbox that times out and serves the next invocation from a fresh one', async () => {
    const { fn } = lambda(
      bundle(`let calls = 0; exports.handler = async (event) => { calls++; if (event.hang) await new Promise(() => {}); return calls; };`, { timeoutSeconds: 1 }),
    );
    expect(await fn.invoke({ hang: true })).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    // A fresh sandbox: module state starts over.
    expect(await fn.invoke({})).toMatchObject({ ok: true, payload: 1 });
  });

  it('gives each function its own environment and forwards its logs', async () => {
    const source = `exports.handler = async () => { console.log('hello from', process.env.WHO); return process.env.WHO + ':' + process.env.SHARED; };`;
    const a = lambda(bundle(source, { functionName: 'A', environment: { WHO: 'a' } }), { SHARED: 'x' });
    const b = lambda(bundle(source, { functionName: 'B', environment: { WHO: 'b' } }), { SHARED: 'x' });
    const [resultA, resultB] = await Promise.all([a.fn.invoke({}), b.fn.invoke({})]);
    expect([resultA, resultB]).toMatchObject([{ payload: 'a:x' }, { payload: 'b:x' }]);
    expect(process.env.WHO).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.logs()).toContain('[A] hello from a');
  });

  it('runs the X-Ray SDK in manual mode, without its promise hooks: Powertools Tracer is off offline', async () => {
    const { fn } = lambda(bundle(`exports.handler = async () => process.env.AWS_XRAY_MANUAL_MODE ?? 'unset';`));
    expect(await fn.invoke({})).toMatchObject({ ok: true, payload: 'true' });
  });

  it('runs concurrent invocations in separate warm sandboxes, reusing them', async () => {
    const { fn } = lambda(bundle(`exports.handler = async () => { await new Promise((r) => setTimeout(r, 100)); return process.pid; };`));
    await fn.warm();
    await Promise.all([fn.invoke({}), fn.invoke({}), fn.invoke({})]);
    await fn.invoke({});
    expect(fn.stats).toMatchObject({ invocations: 4, errors: 0, coldStarts: 3 });
  });

  it('hands every EMF datapoint to its sink, a line written in two pieces read whole', async () => {
    // Prepare: 20,000 lag values (a line of about 60 kB), written as two halves.
    const source = `exports.handler = async () => {
      const values = Array.from({ length: 20000 }, (_, i) => i % 7);
      const line = JSON.stringify({ _aws: { Timestamp: 1234, CloudWatchMetrics: [{ Namespace: 'Tributary', Dimensions: [['service']], Metrics: [{ Name: 'ConsumerLagMs', Unit: 'Milliseconds' }] }] }, service: 'tributary-aggregator', ConsumerLagMs: values });
      process.stdout.write(line.slice(0, 1000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.stdout.write(line.slice(1000) + '\\n');
      return 'done';
    };`;
    const received: { metricName: string; count: number; timestampMs: number }[] = [];
    const fn = new LocalLambda(bundle(source), {}, new PassThrough().resume(), 8, (datapoints) => {
      for (const point of datapoints) received.push({ metricName: point.metricName, count: point.values.length, timestampMs: point.timestampMs });
    });
    started.push(fn);

    // Act
    expect(await fn.invoke({})).toMatchObject({ ok: true, payload: 'done' });
    await waitUntil('the EMF line to be read', () => received.length > 0, 5_000, 20);

    // Assess
    expect(received).toEqual([{ metricName: 'ConsumerLagMs', count: 20_000, timestampMs: 1234 }]);
    expect(fn.stats.metrics.ConsumerLagMs).toBe(Array.from({ length: 20_000 }, (_, i) => i % 7).reduce((a, b) => a + b, 0));
  });
});
