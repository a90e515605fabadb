import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

describe('npx cdk synth', () => {
  it('synthesizes offline with the pinned CLI, bundling every function locally', () => {
    // Prepare
    const outdir = mkdtempSync(path.join(tmpdir(), 'tributary-synth-'));

    // Act
    const run = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

    // Assess
    expect(run.stderr).not.toMatch(/docker/i);
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(path.join(outdir, 'Tributary.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::Kinesis::Stream', 'AWS::Lambda::EventSourceMapping', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue']) {
      expect(types).toContain(type);
    }
    const bundles = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));
    // ingest, aggregator, archive, changes, query, audit, the clock (the bundled config turns idle finalisation on) and alerts (it declares an alert).
    expect(bundles).toHaveLength(8);
    for (const bundle of bundles) expect(existsSync(path.join(outdir, bundle, 'index.js'))).toBe(true);
  }, 120_000);
});
