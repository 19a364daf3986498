// The module graph of src/ and the layers of the house: no import cycle (static, dynamic or
// type-only: a cycle of types is still two modules that cannot be read apart), no layer importing
// one above it, and the model and the renderers free of anything that loads commander, undici,
// dotenv or the file system. The lazy-loading boundary stays where the README says it is.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './run-cli.js';

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

type Kind = 'static' | 'dynamic' | 'type';

/** Every import of a module: `import x from`, `export … from`, `import('…')`, and `import type` too; relative or a package. */
export function imports(source: string): { specifier: string; kind: Kind }[] {
  const found: { specifier: string; kind: Kind }[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;
  for (const match of source.matchAll(statement)) {
    // `import { type A, type B } from` erases as wholly as `import type`.
    const typeOnly = match[2] !== undefined || /^\s*(import|export)\s+\{(\s*type\s+[^,}]+,?)+\s*\}\s+from/.test(match[0]);
    found.push({ specifier: match[3] ?? '', kind: typeOnly ? 'type' : 'static' });
  }
  for (const match of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ specifier: match[1] ?? '', kind: 'dynamic' });
  return found;
}

/** The imports that survive compilation (not `import type`). */
export function runtimeImports(source: string): { specifier: string; dynamic: boolean }[] {
  return imports(source)
    .filter(({ kind }) => kind !== 'type')
    .map(({ specifier, kind }) => ({ specifier, dynamic: kind === 'dynamic' }));
}

interface Edge {
  /** A file of src/ (relative to it), or a package's name (`commander`, `node:fs`). */
  to: string;
  kind: Kind;
  dynamic: boolean;
}

/** Every file of src/ and what it imports, type-only imports included. */
function graph(): Map<string, Edge[]> {
  const edges = new Map<string, Edge[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    const found = imports(readFileSync(file, 'utf8')).map(({ specifier, kind }) => ({
      to: specifier.startsWith('.') ? relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))) : specifier,
      kind,
      dynamic: kind === 'dynamic',
    }));
    edges.set(from, found);
  }
  return edges;
}

/** The runtime edges only: what loading a module loads. */
function runtimeGraph(edges: Map<string, Edge[]>): Map<string, Edge[]> {
  return new Map([...edges].map(([from, list]) => [from, list.filter(({ kind }) => kind !== 'type')]));
}

/**
 * The layers, top to bottom, and what each may import. Data moves one way: the entry picks a
 * command; a command asks a source for validated answers, builds the model and hands it to a
 * renderer; a source asks the API; the model is made of the API's answer types; everything stands on
 * the base (errors, io, options, time, money) and on safety (sanitise, redact, the output edge).
 */
const LAYERS = ['entry', 'commands', 'sources', 'render', 'model', 'api', 'safety', 'base'] as const;
type Layer = (typeof LAYERS)[number];
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  entry: ['commands', 'render', 'safety', 'base'],
  commands: ['sources', 'render', 'model', 'api', 'safety', 'base'],
  sources: ['api', 'model', 'safety', 'base'],
  render: ['model', 'api', 'safety', 'base'],
  model: ['api', 'safety', 'base'],
  api: ['safety', 'base'],
  safety: ['base'],
  base: [],
};

function layerOf(file: string): Layer {
  const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : 'entry';
  if (!(LAYERS as readonly string[]).includes(folder)) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return folder as Layer;
}

/** Imports from one layer into another it may not use. */
function layerBreaches(edges: Map<string, Edge[]>): string[] {
  return [...edges].flatMap(([from, list]) =>
    list
      .filter(({ to }) => to.endsWith('.ts'))
      .filter(({ to }) => layerOf(to) !== layerOf(from) && !MAY_IMPORT[layerOf(from)].includes(layerOf(to)))
      .map(({ to, kind }) => `${from} → ${to} (${kind}: ${layerOf(from)} may not import ${layerOf(to)})`),
  );
}

/** What loading `file` loads at once (static runtime imports, followed through src/). */
function staticallyLoaded(edges: Map<string, Edge[]>, file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (node: string): void => {
    for (const { to, dynamic } of edges.get(node) ?? []) {
      if (dynamic || seen.has(to)) continue;
      seen.add(to);
      visit(to);
    }
  };
  visit(file);
  return seen;
}

/** Packages the model and the renderers must not load: the command line parser, the HTTP client, the file system. */
const HEAVY = ['commander', 'undici', 'dotenv', 'node:fs', 'node:fs/promises', 'node:os', 'node:net', 'node:http', 'node:https'];
const isHeavy = (to: string) => HEAVY.some((name) => to === name || to.startsWith(`${name}/`));

function cycles(edges: Map<string, { to: string }[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const { to } of edges.get(node) ?? []) {
      if (state.get(to) === 'open') found.push([...stack.slice(stack.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('module graph of src/', () => {
  test('the scanner sees static, re-exported, dynamic and type-only imports', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "import chalk from 'chalk';",
      "import { type F, type G } from './f.js';",
      "import { h, type H } from './h.js';",
    ].join('\n');
    expect(imports(source)).toEqual([
      { specifier: './a.js', kind: 'static' },
      { specifier: './b.js', kind: 'type' },
      { specifier: './c.js', kind: 'static' },
      { specifier: './d.js', kind: 'type' },
      { specifier: 'chalk', kind: 'static' },
      { specifier: './f.js', kind: 'type' },
      { specifier: './h.js', kind: 'static' },
      { specifier: './e.js', kind: 'dynamic' },
    ]);
  });

  test('the cycle finder finds a planted cycle', () => {
    const planted = new Map([
      ['a.ts', [{ to: 'b.ts' }]],
      ['b.ts', [{ to: 'c.ts' }]],
      ['c.ts', [{ to: 'a.ts' }]],
    ]);
    expect(cycles(planted)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  test('the layer check finds a planted import that runs back up, type-only included', () => {
    const planted = new Map<string, Edge[]>([
      ['model/report.ts', [{ to: 'render/text.ts', kind: 'type', dynamic: false }]],
      ['api/http.ts', [{ to: 'sources/credentials.ts', kind: 'static', dynamic: false }]],
      ['commands/report.ts', [{ to: 'model/report.ts', kind: 'static', dynamic: false }]],
    ]);
    expect(layerBreaches(planted)).toEqual([
      'model/report.ts → render/text.ts (type: model may not import render)',
      'api/http.ts → sources/credentials.ts (static: api may not import sources)',
    ]);
  });

  test('no import cycle, static, dynamic or type-only', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(40);
    const local = new Map([...edges].map(([from, list]) => [from, list.filter(({ to }) => to.endsWith('.ts'))]));
    expect(cycles(local)).toEqual([]);
  });

  test('every file sits in a layer, and no layer imports one above it', () => {
    const edges = graph();
    const layers = new Set([...edges.keys()].map(layerOf));
    expect([...layers].sort()).toEqual([...LAYERS].sort());
    expect(layerBreaches(edges)).toEqual([]);
  });

  test('at most a handful of files at the root of src/: the entry', () => {
    expect([...graph().keys()].filter((file) => !file.includes('/')).sort()).toEqual(['cli.ts', 'program.ts']);
  });

  test('every import points at a file that exists', () => {
    const edges = graph();
    const missing = [...edges].flatMap(([from, list]) => list.filter(({ to }) => to.endsWith('.ts') && !edges.has(to)).map(({ to }) => `${from} → ${to}`));
    expect(missing).toEqual([]);
  });

  test('the model and the renderers load nothing that loads commander, undici, dotenv or the file system', () => {
    const edges = runtimeGraph(graph());
    const offenders = [...edges.keys()]
      .filter((file) => ['model', 'render', 'base', 'safety'].includes(layerOf(file)))
      .flatMap((file) => [...staticallyLoaded(edges, file)].filter(isHeavy).map((name) => `${file} loads ${name}`));
    expect(offenders).toEqual([]);
    // The check is real: the HTTP client does load undici.
    expect([...staticallyLoaded(edges, 'api/http.ts')].some(isHeavy)).toBe(true);
  });

  test('only the entry and the commands cross the lazy boundary to the HTTP layer', () => {
    const edges = runtimeGraph(graph());
    const importers = [...edges].filter(([, list]) => list.some(({ to }) => to === 'sources/live.ts')).map(([from]) => from);
    expect(importers.length).toBeGreaterThan(0);
    for (const from of importers) expect(edges.get(from)?.find(({ to }) => to === 'sources/live.ts')?.dynamic, from).toBe(true);
    const staticHttp = [...edges].filter(([, list]) => list.some(({ to, dynamic }) => to === 'api/http.ts' && !dynamic)).map(([from]) => from);
    expect(staticHttp.sort()).toEqual(['sources/live.ts']);
  });
});
