import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Bundles a function as infra/constructs/createTributaryFunction.ts has
 * NodejsFunction do it (esbuild, CJS for Node 20 syntax, minified, nothing
 * external), without writing it: the files esbuild read, and those whose code
 * made it into the bundle (tree shaking drops the rest).
 */
async function bundle(name: string): Promise<{ read: string[]; inBundle: string[] }> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint !== undefined)!;
  const ours = (files: string[]) => files.filter((file) => !file.includes('node_modules')).sort();
  return { read: ours(Object.keys(result.metafile.inputs)), inBundle: ours(Object.keys(output.inputs)) };
}

/** What the aggregator and the other writers need and the query API must not load. */
// The sketches and WindowAccumulator are read side too: an open window's value is merged from its
// per-shard partials when it is read (decision 0013).
const WRITE_SIDE = [
  /^adapters\/dynamodb\/DynamoWindowStore\.ts$/,
  /^core\/aggregator\//,
  /^core\/windowing\/(?!windowState\.ts$)/,
  /^core\/ports\/inMemory\//,
  /^adapters\/(kinesis|powertools)\//,
  /^functions\/(?!query\/)/,
  /^(ops|local|infra|bench|test)\//,
];

describe('Bundle: query function', () => {
  it('reads windows without loading the write side: no window store, no aggregator, no windowing beyond window states', async () => {
    // Act
    const { read, inBundle } = await bundle('query');

    // Assess: the read side is there (so the rule checks something), the write side is not even read.
    expect(read).toEqual(expect.arrayContaining(['functions/query/queryMetric.ts', 'adapters/dynamodb/WindowQueries.ts', 'adapters/dynamodb/windowItems.ts', 'core/aggregation/emptyResults.ts', 'core/aggregation/mergePartials.ts']));
    expect(read.filter((file) => WRITE_SIDE.some((pattern) => pattern.test(file)))).toEqual([]);
    // The shared item mapping imports the delivery marks for the store; none of that code reaches the bundle.
    expect(inBundle.filter((file) => file.startsWith('core/delivery/'))).toEqual([]);
  }, 60_000);
});
