import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { buildApp } from '../../infra/buildApp';

/** One unacknowledged cdk-nag finding, as `policy validation` reports it. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly violations: readonly { ruleName: string; severity: string; violatingConstructs: readonly { constructPath: string }[] }[];
  }[];
}

/**
 * Synthesizes the app (without bundling the functions: the rules read the
 * template, not the code) with the AwsSolutions and Serverless packs and
 * returns what they report, acknowledged findings excluded.
 */
export function nagFindings(config: TributaryConfig, context: Record<string, unknown> = {}): NagFinding[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'tributary-nag-'));
  try {
    const { app } = buildApp(config, { outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    try {
      app.synth();
    } catch (error) {
      // A failed validation throws after writing its report; anything else is a real synth error.
      if ((error as Error).name !== 'ValidationFailed' && !/Validation failed/.test((error as Error).message)) throw error;
    }
    let report: ValidationReport;
    try {
      report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    } catch {
      return [];
    }
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => ({ rule: violation.ruleName, severity: violation.severity, path: construct.constructPath }))),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
