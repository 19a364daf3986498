// The module graph of src/: no import cycle (static or dynamic; `import type` erases at build and
// does not count), and the lazy-loading boundary stays where the README says it is.
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

/** Relative imports that survive compilation: `import x from`, `export … from`, `import('…')`, not `import type`. */
export function runtimeImports(source: string): { specifier: string; dynamic: boolean }[] {
  const found: { specifier: string; dynamic: boolean }[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gm;
  for (const match of source.matchAll(statement)) {
    if (match[2] === undefined) found.push({ specifier: match[3]!, dynamic: false });
  }
  for (const match of source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) found.push({ specifier: match[1]!, dynamic: true });
  return found;
}

function graph(): Map<string, { to: string; dynamic: boolean }[]> {
  const edges = new Map<string, { to: string; dynamic: boolean }[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    const imports = runtimeImports(readFileSync(file, 'utf8')).map(({ specifier, dynamic }) => ({
      to: relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))),
      dynamic,
    }));
    edges.set(from, imports);
  }
  return edges;
}

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
  test('the scanner sees static, re-exported and dynamic imports, and skips type-only ones', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "import chalk from 'chalk';",
    ].join('\n');
    expect(runtimeImports(source)).toEqual([
      { specifier: './a.js', dynamic: false },
      { specifier: './c.js', dynamic: false },
      { specifier: './e.js', dynamic: true },
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

  test('no import cycle, static or dynamic', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(30);
    expect(cycles(edges)).toEqual([]);
  });

  test('every import points at a file that exists', () => {
    const edges = graph();
    const missing = [...edges].flatMap(([from, imports]) => imports.filter(({ to }) => !edges.has(to)).map(({ to }) => `${from} → ${to}`));
    expect(missing).toEqual([]);
  });

  test('only the entry and the commands cross the lazy boundary to the HTTP layer', () => {
    const edges = graph();
    const importers = [...edges].filter(([, imports]) => imports.some(({ to }) => to === 'fetch-live.ts')).map(([from]) => from);
    for (const from of importers) expect(edges.get(from)!.find(({ to }) => to === 'fetch-live.ts')!.dynamic, from).toBe(true);
    const staticHttp = [...edges].filter(([, imports]) => imports.some(({ to, dynamic }) => to === 'http.ts' && !dynamic)).map(([from]) => from);
    expect(staticHttp.sort()).toEqual(['fetch-live.ts']);
  });
});
