import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The project's own source folders, as the layers test reads them. */
export const SOURCE_ROOTS = ['core', 'adapters', 'ops', 'config', 'functions', 'infra', 'local', 'bench', 'test'] as const;

/** One import of one file: the module specifier and, for a relative one, the file it names. */
export interface ImportEdge {
  readonly from: string;
  readonly specifier: string;
  /** Project-relative path of the imported file; undefined for a package import. */
  readonly to?: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function sourceFiles(root: string, dir: string, out: string[]): string[] {
  for (const name of readdirSync(path.join(root, dir))) {
    const relative = path.join(dir, name);
    if (statSync(path.join(root, relative)).isDirectory()) sourceFiles(root, relative, out);
    else if (/\.(ts|cjs|js)$/.test(name)) out.push(relative);
  }
  return out;
}

function resolveRelative(root: string, from: string, specifier: string): string {
  const base = path.join(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, base, path.join(base, 'index.ts')]) {
    try {
      if (statSync(path.join(root, candidate)).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return base;
}

/** Every import of every source file under the project's source roots (comments are not stripped: a commented-out import counts). */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const sourceRoot of SOURCE_ROOTS) {
    for (const file of sourceFiles(root, sourceRoot, [])) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (specifier === undefined) continue;
        edges.push(specifier.startsWith('.') ? { from: file, specifier, to: resolveRelative(root, file, specifier) } : { from: file, specifier });
      }
    }
  }
  return edges;
}

/** Folder-level cycles: each strongly connected set of two or more folders (Tarjan), folders sorted. */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.to === undefined) continue;
    const from = path.dirname(edge.from);
    const to = path.dirname(edge.to);
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)?.add(to);
  }
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indexOf.get(next) ?? 0));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}
