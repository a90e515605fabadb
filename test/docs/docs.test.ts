import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import { API_DERIVED, CONFIG_DEFAULTS, type TributaryConfig } from '../../config/TributaryConfig';
import { WATERMARK_DEFAULTS, type MetricDefinition } from '../../core/metrics/MetricDefinition';
import { tributaryConfig } from '../../infra/tributary.config';
import { COMMAND_USAGE, isCommandName } from '../../local/cli/commandUsage';
import { checkTypeScriptExamples } from './checkTypeScriptExamples';
import { readMarkdown, type MarkdownDocument } from './readMarkdown';

const ROOT = path.resolve(__dirname, '..', '..');

/** Written on another branch of the same change; a link to it is checked once it exists. */
const PENDING_FILES = new Set<string>();

/** Files the code writes when it runs (gitignored), which docs may name. */
const GENERATED = [/^bench\/results\/[\w.-]+\.json$/];

/** First segments that make a backticked word a repository path; `shared/` is where the source used to be. */
const PATH_ROOTS = ['core', 'adapters', 'ops', 'config', 'functions', 'infra', 'local', 'bench', 'test', 'docs', 'shared'];
const REPOSITORY_PATH = new RegExp(`(?<![\\w./~-])(?:${PATH_ROOTS.join('|')})/[\\w./-]*\\w`, 'g');

/** npm's own commands the docs may use; `test` and `start` must also be scripts. */
const NPM_COMMANDS = new Set(['ci', 'install', 'test', 'start', 'run']);

function markdownFiles(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(ROOT, dir)).sort()) {
      const relative = `${dir}/${name}`;
      if (statSync(path.join(ROOT, relative)).isDirectory()) walk(relative);
      else if (name.endsWith('.md')) found.push(relative);
    }
  };
  walk('docs');
  return found;
}

const DOCUMENTS = markdownFiles().map((file) => readMarkdown(ROOT, file));
const BY_FILE = new Map(DOCUMENTS.map((document) => [document.file, document]));
const SCRIPTS = new Set(Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts));

/** Every piece of code in a document, each line with its own line number: spans, then block lines. */
function codeLines(document: MarkdownDocument): { line: number; text: string }[] {
  const lines = [...document.codeSpans];
  for (const block of document.codeBlocks) for (const [i, text] of block.text.split('\n').entries()) lines.push({ line: block.line + 1 + i, text });
  return lines;
}

function exists(relative: string): boolean {
  return existsSync(path.join(ROOT, relative));
}

describe('Docs: README.md and docs/**/*.md', () => {
  it('reads the README and the docs by audience', () => {
    expect(DOCUMENTS.map((document) => document.file)).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/architecture.md',
        'docs/offline.md',
        'docs/testing.md',
        'docs/benchmarks.md',
        'docs/reference/configuration.md',
        'docs/reference/http-api.md',
        'docs/reference/cli.md',
        'docs/reference/events.md',
        'docs/operations/deploy.md',
        'docs/operations/runbooks.md',
      ]),
    );
    expect(DOCUMENTS.filter((document) => /^docs\/decisions\/\d{4}-[a-z0-9-]+\.md$/.test(document.file)).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps the README the front door: at most ~200 lines, with the quickstart CI runs (`npm ci && npm start`, `npm test`)', () => {
    const readme = BY_FILE.get('README.md')!;
    expect(readme.lines.length).toBeLessThanOrEqual(210);
    const bash = readme.codeBlocks.filter((block) => block.language === 'bash').map((block) => block.text);
    expect(bash.some((text) => /^npm ci && npm start\b/m.test(text))).toBe(true);
    expect(bash.some((text) => /^npm test\b/m.test(text))).toBe(true);
    expect(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('closes every code fence', () => {
    const problems = DOCUMENTS.filter((document) => document.unclosedFenceLine !== undefined).map((document) => `${document.file}:${document.unclosedFenceLine}: code fence never closed`);
    expect(problems).toEqual([]);
  });

  it('links only to files that exist, and to headings that exist', () => {
    const problems: string[] = [];
    for (const document of DOCUMENTS) {
      for (const { line, target } of document.links) {
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
        const [pathPart = '', anchor] = target.split('#');
        const relative = pathPart === '' ? document.file : path.posix.normalize(path.posix.join(path.posix.dirname(document.file), decodeURI(pathPart)));
        const at = `${document.file}:${line}`;
        if (relative.startsWith('..')) {
          problems.push(`${at}: link ${target} leaves the repository`);
          continue;
        }
        if (!exists(relative)) {
          if (!PENDING_FILES.has(relative)) problems.push(`${at}: link ${target} → ${relative} does not exist`);
          continue;
        }
        if (anchor === undefined) continue;
        const linked = BY_FILE.get(relative);
        if (!linked) problems.push(`${at}: link ${target} has an anchor but ${relative} is not a Markdown file the docs test reads`);
        else if (!linked.anchors.has(anchor)) problems.push(`${at}: link ${target}: no heading "#${anchor}" in ${relative}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names only repository paths that exist (in code spans and code blocks)', () => {
    const problems: string[] = [];
    for (const document of DOCUMENTS) {
      for (const { line, text } of codeLines(document)) {
        for (const [candidate] of text.matchAll(REPOSITORY_PATH)) {
          if (GENERATED.some((pattern) => pattern.test(candidate)) && exists(path.posix.dirname(candidate))) continue;
          if (PENDING_FILES.has(candidate) && !exists(candidate)) continue;
          if (exists(candidate) || exists(`${candidate}.ts`)) continue;
          problems.push(`${document.file}:${line}: ${candidate} does not exist${candidate.startsWith('shared/') ? ' (the source moved out of shared/: see README.md#layout)' : ''}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs only npm scripts that package.json has', () => {
    const problems: string[] = [];
    for (const document of DOCUMENTS) {
      for (const { line, text } of codeLines(document)) {
        for (const match of text.matchAll(/(?<![\w-])npm\s+(?:run\s+([\w:-]+)|([a-z][\w-]*))/g)) {
          const [whole, script, command] = match;
          const at = `${document.file}:${line}`;
          if (script !== undefined && !SCRIPTS.has(script)) problems.push(`${at}: \`${whole}\`: package.json has no script "${script}"`);
          if (command !== undefined && !NPM_COMMANDS.has(command)) problems.push(`${at}: \`${whole}\`: not an npm command these docs use (${[...NPM_COMMANDS].join(', ')})`);
          if (command !== undefined && (command === 'test' || command === 'start') && !SCRIPTS.has(command)) problems.push(`${at}: \`${whole}\`: package.json has no script "${command}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs only tributary commands and options the CLI has (local/cli/commandUsage.ts)', () => {
    const problems: string[] = [];
    const checkOptions = (at: string, command: string, rest: string): void => {
      if (!isCommandName(command)) return;
      for (const [, option] of rest.matchAll(/(?:^|\s)(--?[a-z][\w-]*)/g)) {
        if (option === '--help' || option === '-h') continue;
        if (!new RegExp(`(?:^|[\\s,])${option}\\b`, 'm').test(COMMAND_USAGE[command])) problems.push(`${at}: tributary ${command} has no option ${option}`);
      }
    };
    for (const document of DOCUMENTS) {
      for (const { line, text } of codeLines(document)) {
        const at = `${document.file}:${line}`;
        for (const [, command, rest = ''] of text.matchAll(/(?<![\w/-])(?:tributary|node\s+bin\/tributary\.js)[ \t]+([^\s`|;&#]+)([^\n`|;&#]*)/g)) {
          if (command === '<command>' || command === '--help' || command === '-h' || command === '--version') continue;
          if (!isCommandName(command!)) problems.push(`${at}: tributary has no command "${command}" (it has ${Object.keys(COMMAND_USAGE).join(', ')})`);
          else checkOptions(at, command!, rest);
        }
        // `npm start -- <options>` passes its options to `tributary start`.
        for (const [, rest = ''] of text.matchAll(/(?<![\w-])npm\s+start\s+--\s+([^\n`|;&#]*)/g)) checkOptions(at, 'start', rest);
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows JSON that parses', () => {
    const problems: string[] = [];
    for (const document of DOCUMENTS) {
      for (const block of document.codeBlocks.filter((candidate) => candidate.language === 'json')) {
        try {
          JSON.parse(block.text);
        } catch (error) {
          problems.push(`${document.file}:${block.line}: JSON block does not parse: ${(error as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('configuration examples', () => {
    const examples = DOCUMENTS.flatMap((document) =>
      document.codeBlocks
        .filter((block) => (block.language === 'ts' || block.language === 'typescript') && /\b(TributaryConfig|MetricDefinition)\b|aggregations\s*:/.test(block.text))
        .map((block) => ({ at: `${document.file}:${block.line}`, text: block.text })),
    );

    it('has examples to check', () => {
      expect(examples.length).toBeGreaterThanOrEqual(2);
    });

    it('type-checks every TypeScript configuration example (as a file in infra/)', () => {
      expect(checkTypeScriptExamples(ROOT, examples)).toEqual([]);
    });

    it('passes every exported configuration or metric through resolveConfig, and shows infra/tributary.config.ts as it is', () => {
      const problems: string[] = [];
      for (const example of examples) {
        const module = { exports: {} as Record<string, unknown> };
        try {
          const { code } = transformSync(example.text, { loader: 'ts', format: 'cjs' });
          new Function('module', 'exports', 'require', code)(module, module.exports, (name: string) => {
            throw new Error(`an example may import types only (it imports ${name} at run time)`);
          });
        } catch (error) {
          problems.push(`${example.at}: does not run: ${(error as Error).message}`);
          continue;
        }
        const checked = Object.entries(module.exports).filter(([, value]) => isConfig(value) || isMetric(value) || (Array.isArray(value) && value.every(isMetric)));
        if (checked.length === 0) problems.push(`${example.at}: exports no configuration or metric definition to check`);
        for (const [name, value] of checked) {
          const config: TributaryConfig = isConfig(value) ? value : { metrics: Array.isArray(value) ? (value as MetricDefinition[]) : [value as MetricDefinition] };
          try {
            resolveConfig(config);
          } catch (error) {
            problems.push(`${example.at}: ${name} is refused by resolveConfig: ${(error as Error).message}`);
          }
          if (name === 'tributaryConfig' && JSON.stringify(value) !== JSON.stringify(tributaryConfig)) {
            problems.push(`${example.at}: tributaryConfig differs from infra/tributary.config.ts`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('reference completeness', () => {
    it('documents every setting with its default, as CONFIG_DEFAULTS and WATERMARK_DEFAULTS apply it (docs/reference/configuration.md)', () => {
      const document = BY_FILE.get('docs/reference/configuration.md')!;
      const rows = new Map<string, { line: number; value: string }>();
      document.lines.forEach((text, index) => {
        const cells = /^\|\s*`([\w.]+)`\s*\|\s*([^|]*?)\s*\|/.exec(text);
        if (cells) rows.set(cells[1]!, { line: index + 1, value: cells[2]! });
      });
      const expected: [string, unknown][] = [
        // A nested section (ingest.aggregation) is documented setting by setting, like a top-level one.
        ...Object.entries(CONFIG_DEFAULTS).flatMap(([section, values]) => settingsOf(section, values)),
        ...Object.entries(WATERMARK_DEFAULTS).map(([key, value]): [string, unknown] => [`watermark.${key}`, value]),
      ];
      const normalise = (text: string): string => text.replace(/[`'",_\s]/g, '');
      const problems: string[] = [];
      for (const [setting, value] of expected) {
        const row = rows.get(setting);
        if (!row) problems.push(`docs/reference/configuration.md: no table row for \`${setting}\` (default ${JSON.stringify(value)})`);
        else if (normalise(row.value) !== normalise(Array.isArray(value) ? JSON.stringify(value) : String(value))) problems.push(`docs/reference/configuration.md:${row.line}: \`${setting}\` documented with default ${row.value}, the code's is ${JSON.stringify(value)}`);
      }
      // A row of a section the code has must be one of its settings, or one that follows the aggregator's of the same name.
      const known = new Set(expected.map(([setting]) => setting));
      const sections = new Set(Object.keys(CONFIG_DEFAULTS));
      for (const [setting, row] of rows) {
        const [section, key] = setting.split('.');
        if (!sections.has(section!) || known.has(setting)) continue;
        if (section === 'api' && (API_DERIVED as readonly string[]).includes(key!) && /^derived: /.test(row.value)) continue;
        const follows = /the aggregator's `aggregator\.(\w+)`/.exec(row.value)?.[1];
        if (follows !== key || !known.has(`aggregator.${key}`)) problems.push(`docs/reference/configuration.md:${row.line}: \`${setting}\` is not a setting of config/TributaryConfig.ts (nor one that follows \`aggregator.${key}\`)`);
      }
      expect(problems).toEqual([]);
    });

    it('documents every tributary command and option in its own section (docs/reference/cli.md)', () => {
      const document = BY_FILE.get('docs/reference/cli.md')!;
      const problems: string[] = [];
      for (const [command, usage] of Object.entries(COMMAND_USAGE)) {
        const heading = document.headings.find((candidate) => candidate.text.includes(`tributary ${command}`));
        if (!heading) {
          problems.push(`docs/reference/cli.md: no heading for \`tributary ${command}\``);
          continue;
        }
        const next = document.headings.find((candidate) => candidate.line > heading.line && /^#{1,3}\s/.test(document.lines[candidate.line - 1]!));
        const section = document.lines.slice(heading.line, next ? next.line - 1 : undefined).join('\n');
        for (const [option] of usage.matchAll(/--[a-z][\w-]*/g)) {
          if (!section.includes(`\`${option}`)) problems.push(`docs/reference/cli.md:${heading.line}: tributary ${command}: option ${option} is not documented in its section`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
});

function isConfig(value: unknown): value is TributaryConfig {
  return typeof value === 'object' && value !== null && Array.isArray((value as { metrics?: unknown }).metrics);
}

function isMetric(value: unknown): value is MetricDefinition {
  return typeof value === 'object' && value !== null && 'window' in value && 'aggregations' in value;
}

/** `values`' settings as `prefix.key` pairs, descending into nested sections (plain objects, not lists). */
function settingsOf(prefix: string, values: object): [string, unknown][] {
  return Object.entries(values).flatMap(([key, value]): [string, unknown][] =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? settingsOf(`${prefix}.${key}`, value) : [[`${prefix}.${key}`, value]],
  );
}
