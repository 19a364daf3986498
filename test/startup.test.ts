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

describe('a status bar refreshing from the cache', () => {
  test('a cached --format oneline loads no HTTP client, no commander and no other renderer, and asks nothing', async () => {
    const { startStandIn, API_KEY, MGMT_KEY } = await import('./server.js');
    const { makeSandbox, runCli: runInProcess } = await import('./run-cli.js');
    const sandbox = await makeSandbox();
    const standIn = await startStandIn();
    try {
      const env = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, XDG_CACHE_HOME: join(sandbox.root, 'cache') };
      const first = await runInProcess(['--format', 'oneline', '--cache', '0'], { sandbox, env });
      expect(first.code).toBe(0);
      const asked = standIn.requests.length;

      const log = join(mkdtempSync(join(tmpdir(), 'oru-loads-')), 'loads.txt');
      const cached = await runCli(['--format', 'oneline', '--cache', '600'], {
        sandbox,
        env: { ...env, NODE_OPTIONS: `--import=${PRELOAD}`, TRACE_LOADS_FILE: log },
      });
      expect(cached.code).toBe(0);
      expect(cached.stderr).toBe('');
      expect(cached.stdout).toBe(first.stdout);
      expect(standIn.requests.length).toBe(asked);
      const files = readFileSync(log, 'utf8')
        .split('\n')
        .filter((url) => url.includes('/dist/'))
        .map((url) => fileURLToPath(url));
      expect(
        files.some((f) => holds(f, '_zod')),
        'the entry is validated',
      ).toBe(true);
      for (const file of files) {
        for (const marker of ['llhttp', 'undici', 'commander.', 'indicates live totals', 'schemaVersion:1']) {
          expect(holds(file, marker), `${file} holds ${marker}`).toBe(false);
        }
      }
    } finally {
      await standIn.close();
      await sandbox.cleanup();
    }
  }, 30_000);
});
