import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One resource of a CloudFormation template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/** One output of a template: the stack names its managed policies this way (`ProducerPolicyArn`). */
export interface TemplateOutput {
  readonly Description?: string;
  readonly Value: unknown;
}

export interface CloudFormationTemplate {
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, TemplateOutput>;
}

/** A synthesized stack: its template and where its file assets (function bundles) are on disk. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CloudFormationTemplate;
  /** Asset object key (e.g. `abc….zip`) → directory in the cloud assembly. */
  readonly assetDirs: ReadonlyMap<string, string>;
}

interface AssetManifest {
  files?: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
}

/** Reads a stack's template and asset manifest from a cloud assembly directory (cdk.out). */
export function readSynthesizedStack(assemblyDir: string, stackName: string): SynthesizedStack {
  const templatePath = path.join(assemblyDir, `${stackName}.template.json`);
  if (!existsSync(templatePath)) {
    throw new Error(`No template for stack ${stackName} in ${assemblyDir}: run \`npx cdk synth\` first`);
  }
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as CloudFormationTemplate;
  const assetDirs = new Map<string, string>();
  const manifestPath = path.join(assemblyDir, `${stackName}.assets.json`);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AssetManifest;
    for (const file of Object.values(manifest.files ?? {})) {
      for (const destination of Object.values(file.destinations)) {
        assetDirs.set(destination.objectKey, path.join(assemblyDir, file.source.path));
      }
    }
  }
  return { stackName, template, assetDirs };
}
