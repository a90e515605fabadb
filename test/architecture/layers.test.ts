import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderCycles, importEdges, type ImportEdge } from './importGraph';

const ROOT = path.resolve(__dirname, '..', '..');
const EDGES = importEdges(ROOT);

function inside(file: string | undefined, ...folders: string[]): boolean {
  return file !== undefined && folders.some((folder) => file.startsWith(`${folder}/`));
}

function describeEdges(edges: readonly ImportEdge[]): string[] {
  return edges.map((edge) => `${edge.from} → ${edge.specifier}`);
}

describe('Layers', () => {
  it('reads imports from every source root (the rules below check something)', () => {
    const importers = new Set(EDGES.map((edge) => edge.from.split('/')[0]));
    expect([...importers].sort()).toEqual(['adapters', 'bench', 'config', 'core', 'functions', 'infra', 'local', 'ops', 'test']);
  });

  it('has no import cycle between folders', () => {
    expect(folderCycles(EDGES)).toEqual([]);
  });

  it('keeps core/ pure: it imports only core/ and Node built-ins (no AWS SDK, no Powertools, no adapter)', () => {
    const outside = EDGES.filter((edge) => inside(edge.from, 'core') && (edge.to === undefined ? !edge.specifier.startsWith('node:') : !inside(edge.to, 'core')));
    expect(describeEdges(outside)).toEqual([]);
  });

  it('keeps adapters/ below the use cases: no adapter imports a function, ops, infra or the offline runtime', () => {
    const upward = EDGES.filter((edge) => inside(edge.from, 'adapters') && inside(edge.to, 'functions', 'ops', 'infra', 'local', 'bench', 'test'));
    expect(describeEdges(upward)).toEqual([]);
  });

  it('lets no product code and no bench import tests', () => {
    const intoTests = EDGES.filter((edge) => !inside(edge.from, 'test') && inside(edge.to, 'test'));
    expect(describeEdges(intoTests)).toEqual([]);
  });

  it('keeps the generic offline layers (event source mappings, emulators) free of product imports', () => {
    const product = EDGES.filter((edge) => inside(edge.from, 'local/esm', 'local/emulators') && inside(edge.to, 'core', 'adapters', 'ops', 'config', 'functions', 'infra'));
    expect(describeEdges(product)).toEqual([]);
  });
});
