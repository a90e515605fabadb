import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, STACK_NAME } from '../../../infra/buildApp';
import { tributaryConfig } from '../../../infra/tributary.config';
import { readSynthesizedStack, type SynthesizedStack } from '../../../local/assembly/CloudAssembly';
import { notEmulatedResources } from '../../../local/assembly/notEmulatedResources';

describe('Offline: aggregator.enhancedFanOut', () => {
  it('names the stream consumer as not emulated, with what the host does instead, and nothing UNSUPPORTED', () => {
    // Prepare: the stack as `npm start` synthesizes it, with the option on.
    const outdir = mkdtempSync(path.join(tmpdir(), 'tributary-synth-'));
    let stack: SynthesizedStack;
    try {
      buildApp({ ...tributaryConfig, cache: { dax: false }, aggregator: { ...tributaryConfig.aggregator, enhancedFanOut: true } }, { outdir, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
      stack = readSynthesizedStack(outdir, STACK_NAME);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }

    // Act
    const notEmulated = notEmulatedResources(stack.template.Resources);

    // Assess
    expect(notEmulated.filter((resource) => resource.type === 'AWS::Kinesis::StreamConsumer')).toEqual([
      {
        logicalId: expect.stringMatching(/^AggregatorStreamConsumer/),
        type: 'AWS::Kinesis::StreamConsumer',
        reason:
          'enhanced fan-out is not emulated offline: the host polls the stream with GetRecords for a mapping on a stream consumer (same records, same order per shard; no dedicated 2 MB/s, no ~70 ms push)',
      },
    ]);
    expect(notEmulated.filter((resource) => resource.reason.startsWith('UNSUPPORTED'))).toEqual([]);
  }, 60_000);
});
