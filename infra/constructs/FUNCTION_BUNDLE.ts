/**
 * How esbuild bundles every function: one place, read by the stack's functions
 * and by the benchmark that measures the aggregator's hot path as it deploys
 * (bench/hotPath.ts), so the two cannot drift apart.
 */
export const FUNCTION_BUNDLE = {
  // Lambda runs Node.js 24; the offline host runs the same bundle on Node.js 20, so the syntax stays at 20.
  target: 'node20',
  minify: true,
  sourceMap: true,
} as const;
