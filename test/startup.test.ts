// --help and --version must not pay for the report: no HTTP client, no schemas, no renderers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { spawnCli as runCli } from './run-cli.js';

const PRELOAD = fileURLToPath(new URL('./trace-loads.mjs', import.meta.url));

async function loadedFiles(args: string[]): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'oru-loads-')), 'loads.txt');
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import=${PRELOAD}`, TRACE_LOADS_FILE: log } });
  expect(result.code).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.includes('/dist/'))
    .map((url) => fileURLToPath(url));
}

/** What a loaded file holds: undici's HTTP parser, zod's internals, or the text renderer. */
function holds(file: string, marker: string): boolean {
  return readFileSync(file, 'utf8').includes(marker);
}

describe('start-up loads only what the command needs', () => {
  test('--version loads neither commander nor anything of the report', async () => {
    const files = await loadedFiles(['--version']);
    expect(files.map((f) => f.replace(/.*\/dist\//, ''))).toContain('cli.js');
    for (const file of files) {
      for (const marker of ['commander.', 'llhttp', '_zod', 'indicates live totals']) expect(holds(file, marker), `${file} holds ${marker}`).toBe(false);
    }
  });

  test.each([['--help'], ['keys', '--help']])('%s loads no HTTP client, schemas or renderers', async (...args) => {
    const files = await loadedFiles(args);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      expect(holds(file, 'llhttp'), `${file} holds undici`).toBe(false);
      expect(holds(file, '_zod'), `${file} holds zod`).toBe(false);
      expect(holds(file, 'indicates live totals'), `${file} holds the text renderer`).toBe(false);
    }
  });

  test('the markers are real: a demo report loads zod and the renderer, and no HTTP client', async () => {
    const files = await loadedFiles(['--demo']);
    expect(files.some((f) => holds(f, '_zod'))).toBe(true);
    expect(files.some((f) => holds(f, 'indicates live totals'))).toBe(true);
    expect(files.some((f) => holds(f, 'llhttp'))).toBe(false);
  });
});
