import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('tributary start without Java', () => {
  it('exits at once with the command that installs it', () => {
    // Prepare: a PATH that has node but no java.
    const bin = mkdtempSync(path.join(tmpdir(), 'tributary-nojava-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));

    // Act
    const run = spawnSync(process.execPath, ['bin/tributary.js', 'start'], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, PATH: bin, TRIBUTARY_STATE_DIR: path.join(bin, 'state') },
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'Java 17+ is required to run DynamoDB Local offline, and `java` was not found.\nInstall it with:\n  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless',
    );
    expect(run.stdout).not.toContain('synthesizing');
  });
});
