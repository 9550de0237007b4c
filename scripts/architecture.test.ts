// docs/architecture.md draws who imports whom. This test reads that diagram
// and holds it against the code both ways: every package's package.json
// `dependencies` on @fleetkit/*, and the @fleetkit/* imports in its sources.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

interface Edge {
  readonly from: string;
  readonly to: string;
  /** Solid: imported and declared. Dotted: declared (or planned), not imported yet. */
  readonly solid: boolean;
}

/** The edges of the mermaid block right after the `import-graph` marker. */
function parseImportGraph(markdown: string): Edge[] {
  const marker = markdown.indexOf('<!-- import-graph');
  if (marker < 0) throw new Error('docs/architecture.md has no <!-- import-graph --> marker');
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown.slice(marker));
  if (block === null) throw new Error('no mermaid block after the import-graph marker');
  const edges: Edge[] = [];
  for (const raw of block[1]!.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('%%') || /^graph\b/.test(line)) continue;
    const edge = /^([a-z][a-z0-9-]*)\s*(-->|-\.->)\s*([a-z][a-z0-9-]*)$/.exec(line);
    if (edge === null) throw new Error(`cannot read this line of the import graph: ${line}`);
    edges.push({ from: edge[1]!, to: edge[3]!, solid: edge[2] === '-->' });
  }
  return edges;
}

/** A workspace the diagram covers: its manifest and the folders its code lives in. */
interface Workspace {
  readonly name: string;
  readonly manifest: string;
  readonly sources: readonly string[];
}

function workspaces(): Workspace[] {
  const packages = readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    .map((name) => ({
      name,
      manifest: join(root, 'packages', name, 'package.json'),
      sources: [join(root, 'packages', name, 'src')],
    }));
  return [
    ...packages,
    { name: 'conformance', manifest: join(root, 'conformance', 'package.json'), sources: [join(root, 'conformance')] },
  ];
}

function declared(workspace: Workspace): Set<string> {
  const manifest = JSON.parse(readFileSync(workspace.manifest, 'utf8')) as { dependencies?: Record<string, string> };
  return new Set(
    Object.keys(manifest.dependencies ?? {})
      .filter((dep) => dep.startsWith('@fleetkit/'))
      .map((dep) => dep.slice('@fleetkit/'.length)),
  );
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|js|mjs)$/.test(file) && !file.split(/[\\/]/).includes('node_modules'))
    .map((file) => join(dir, file));
}

/** `from '@fleetkit/x…'`, `import '@fleetkit/x…'` and `import('@fleetkit/x…')`, subpaths included. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]@fleetkit\/([a-z][a-z0-9-]*)/g;

/** Which fleetkit packages a workspace's sources import, and one file for each (for the message). */
function imported(workspace: Workspace): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of workspace.sources) {
    for (const file of sourceFiles(dir)) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = match[1]!;
        if (target !== workspace.name && !found.has(target)) found.set(target, relative(root, file));
      }
    }
  }
  return found;
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('the import graph of docs/architecture.md', () => {
  const edges = parseImportGraph(doc);
  const all = workspaces();
  const existing = new Set(all.map((w) => w.name));

  it('reads both kinds of arrow and rejects anything else', () => {
    expect(parseImportGraph('<!-- import-graph -->\n```mermaid\ngraph TD\n  a --> b\n  a -.-> c\n```')).toEqual([
      { from: 'a', to: 'b', solid: true },
      { from: 'a', to: 'c', solid: false },
    ]);
    expect(() => parseImportGraph('<!-- import-graph -->\n```mermaid\ngraph TD\n  a ==> b\n```')).toThrow(
      /cannot read/,
    );
  });

  it('names every package', () => {
    const nodes = new Set(edges.flatMap((e) => [e.from, e.to]));
    for (const w of all) expect(nodes.has(w.name), `${w.name} is missing from the diagram`).toBe(true);
  });

  it.each(all.map((w) => [w.name, w] as const))('matches what %s declares and imports', (_name, workspace) => {
    const mine = edges.filter((e) => e.from === workspace.name);
    const solid = sorted(mine.filter((e) => e.solid).map((e) => e.to));
    const drawn = sorted(mine.map((e) => e.to));
    const uses = imported(workspace);
    const importMessage = [...uses].map(([target, file]) => `${target} (e.g. ${file})`).join(', ');
    // solid arrows = the packages its sources import
    expect(solid, `solid arrows of ${workspace.name} against its imports: ${importMessage}`).toEqual(
      sorted(uses.keys()),
    );
    // all arrows = its package.json dependencies on @fleetkit/*
    expect(drawn, `arrows of ${workspace.name} against its package.json dependencies`).toEqual(
      sorted(declared(workspace)),
    );
  });

  it('draws a planned package only with dotted arrows', () => {
    for (const edge of edges) {
      if (!existing.has(edge.from))
        expect(edge.solid, `${edge.from} → ${edge.to}: ${edge.from} has no code yet`).toBe(false);
      expect(existing.has(edge.to), `${edge.from} → ${edge.to}: no package ${edge.to}`).toBe(true);
    }
  });

  it('has nothing import the server, and primitives import only core', () => {
    const primitives = ['jsonrpc', 'rbac', 'yang', 'txqueue', 'chunked', 'broker'];
    for (const edge of edges) {
      expect(edge.to, `${edge.from} → server`).not.toBe('server');
      if (primitives.includes(edge.from)) expect(edge.to, `${edge.from} → ${edge.to}`).toBe('core');
    }
    expect(edges.filter((e) => e.from === 'core')).toEqual([]);
  });
});
