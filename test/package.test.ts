// What a user gets: the packed tarball, installed offline into an empty prefix, run under the Node
// running this test (20) and under Node 22 and 24 (the registry's node-<platform>-<arch> packages,
// installed once into $XDG_CACHE_HOME/openrouter-usage-test/node-lines/, outside the work tree, so a
// fresh clone or `npm ci` on the same machine reuses them). The CLI talks to the stand-in on 127.0.0.1.
//
// `npm pack` runs with --ignore-scripts: its prepack would rebuild dist/ under the feet of the tests
// running beside this one (`npm test` has built dist/ before vitest starts).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_KEY, MGMT_KEY, startStandIn, type StandIn, WITHOUT_ANALYTICS } from './server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };
const CACHE_HOME = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
const NODE_LINES_DIR = join(CACHE_HOME, 'openrouter-usage-test', 'node-lines');
const OTHER_MAJORS = [22, 24] as const;

const PACK_MS = 120_000;
const INSTALL_MS = 120_000;
const NODE_LINE_INSTALL_MS = 300_000;
const CLI_KILL_MS = 20_000;

/**
 * The stand-in's data and the installed CLI's clock (test/fake-clock.mjs, preloaded): Wednesday
 * 2026-03-11, noon UTC. API_KEY's live totals are then 60 % of the account's 10.55545 today,
 * 14.53883 this week and 29.3373 this month; the balance is 100 - 77.80006 (see test/e2e.test.ts).
 */
const NOW = '2026-03-11T12:00:00.000Z';
const FAKE_CLOCK = { NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'test', 'fake-clock.mjs')).href}`, FAKE_CLOCK_NOW: NOW };

/** What the tarball must hold at least; it may hold nothing outside the `files` of package.json. */
const NEEDED = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'credentials.env.example', 'bin/openrouter-usage.js', 'dist/cli.js'];
const DIRS = ['bin', 'dist'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** npm's own variables (set by `npm test`) must not steer the npm run here. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && name !== 'INIT_CWD') env[name] = value;
  }
  env.npm_config_update_notifier = 'false';
  return env;
}

function run(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        if (error && code === null && !error.killed && error.signal == null) {
          reject(error);
          return;
        }
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

async function npm(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const res = await run('npm', args, { cwd, env: npmEnv(), timeoutMs });
  if (res.code !== 0) throw new Error(`npm ${args.join(' ')} failed (${res.code ?? res.signal}):\n${res.stderr}`);
  return res.stdout;
}

/**
 * `bin/node` of the registry's Node <major> package, installed into the cache when absent. It is
 * installed beside the cache entry and moved into place, so an interrupted or concurrent install
 * never leaves a half-written entry behind.
 */
async function nodeLine(major: number): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const binOf = (dir: string): string => join(dir, 'node_modules', pkg, 'bin', 'node');
  const dir = join(NODE_LINES_DIR, String(major));
  if (existsSync(binOf(dir))) {
    const res = await run(binOf(dir), ['-v'], { cwd: ROOT, env: {}, timeoutMs: 30_000 });
    if (res.code === 0 && res.stdout.startsWith(`v${major}.`)) return binOf(dir);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(NODE_LINES_DIR, { recursive: true });
  const staging = await mkdtemp(join(NODE_LINES_DIR, `${major}.installing-`));
  try {
    await npm(['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', staging, `${pkg}@${major}`], staging, NODE_LINE_INSTALL_MS);
    if (!existsSync(binOf(staging))) throw new Error(`${pkg}@${major} has no bin/node`);
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another run put it there first.
      if (!existsSync(binOf(dir))) throw error;
    }
    return binOf(dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

let work: string;
let tarball: string;
let tarEntries: string[];
let prefix: string;
let standIn: StandIn;
const nodes = new Map<number, string>();

beforeAll(
  async () => {
    work = await mkdtemp(join(tmpdir(), 'openrouter-usage-package-'));
    const packDir = join(work, 'pack');
    prefix = join(work, 'prefix');
    await Promise.all([mkdir(packDir), mkdir(prefix), mkdir(join(work, 'home')), mkdir(join(work, 'cwd')), mkdir(join(work, 'empty-npm-cache'))]);

    // The Node lines download while the package is packed and installed.
    const lines = Promise.all(OTHER_MAJORS.map(async (major) => nodes.set(major, await nodeLine(major))));

    const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], ROOT, PACK_MS)) as { filename: string }[];
    expect(packed).toHaveLength(1);
    tarball = join(packDir, packed[0]!.filename);
    const listing = await run('tar', ['-tzf', tarball], { cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 30_000 });
    expect(listing.code, listing.stderr).toBe(0);
    tarEntries = listing.stdout.split('\n').filter((line) => line !== '');

    // No registry and an empty cache: only the tarball itself can be installed.
    await npm(
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--cache',
        join(work, 'empty-npm-cache'),
        '--registry',
        'http://127.0.0.1:9/',
        '--prefix',
        prefix,
        tarball,
      ],
      work,
      INSTALL_MS,
    );

    standIn = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
    await lines;
  },
  PACK_MS + INSTALL_MS + NODE_LINE_INSTALL_MS,
);

afterAll(async () => {
  await standIn?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs a command with only PATH and HOME (plus `env`), from an empty cwd, bounded in time. */
function runCli(command: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // The installed bin's `#!/usr/bin/env node` finds the Node running this test first.
    const path = [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter);
    const child = spawn(command, args, {
      cwd: join(work, 'cwd'),
      env: { PATH: path, HOME: join(work, 'home'), XDG_CONFIG_HOME: join(work, 'home', '.config'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), CLI_KILL_MS);
    child.on('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('from a clone', () => {
  // `npm start -- --json | jq` must work: npm's banner and the build's log stay off stdout.
  test('`npm start -- --demo --json` prints the JSON document and nothing else', async () => {
    const out = await npm(['start', '--', '--demo', '--json'], ROOT, PACK_MS);
    expect((JSON.parse(out) as { schemaVersion: number; demo: boolean }).demo).toBe(true);
  });
});

describe('the packed tarball', () => {
  test('holds only bin/, dist/, the docs, the example credentials and package.json', () => {
    const files = tarEntries.filter((entry) => !entry.endsWith('/')).map((entry) => entry.replace(/^package\//, ''));
    // Every top-level file is named in `files` (bin and dist as folders), or is package.json.
    const topFiles = PKG.files.filter((entry) => !DIRS.includes(entry));
    expect(PKG.files).toEqual(expect.arrayContaining([...DIRS, ...NEEDED.filter((file) => !file.includes('/') && file !== 'package.json')]));
    const stray = files.filter((file) => file !== 'package.json' && !topFiles.includes(file) && !DIRS.some((dir) => file.startsWith(`${dir}/`)));
    expect(stray).toEqual([]);
    expect(topFiles.filter((file) => file.includes('/') || /^(src|test|scripts|node_modules)$/.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => /^(src|test|scripts|node_modules)\//.test(file) || /\.(ts|tsx|mts|cts)$/.test(file))).toEqual([]);
    for (const needed of NEEDED) expect(files).toContain(needed);
  });

  test('declares no runtime dependencies, so it installs with nothing but itself', () => {
    const installed = JSON.parse(readFileSync(join(prefix, 'node_modules', PKG.name, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed.version).toBe(PKG.version);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']) {
      expect(installed[field] ?? {}, field).toEqual({});
    }
    expect(installed.bin).toEqual({ 'openrouter-usage': 'bin/openrouter-usage.js' });
  });
});

interface Line {
  name: string;
  major: number | undefined;
  /** The command and leading arguments that start the installed CLI. */
  command: () => [string, string[]];
}

const installedBin = (): string => join(prefix, 'node_modules', '.bin', 'openrouter-usage');
const installedScript = (): string => join(prefix, 'node_modules', PKG.name, 'bin', 'openrouter-usage.js');

const LINES: Line[] = [
  { name: `node_modules/.bin/openrouter-usage on this Node (${process.version})`, major: undefined, command: () => [installedBin(), []] },
  ...OTHER_MAJORS.map((major) => ({
    name: `Node ${major}`,
    major,
    command: (): [string, string[]] => [nodes.get(major)!, [installedScript()]],
  })),
];

describe.each(LINES)('the installed CLI, $name', ({ major, command }) => {
  test('runs on that Node', async () => {
    // The installed bin starts with `#!/usr/bin/env node`: the `node` it finds on PATH is this one.
    const res = await runCli(major === undefined ? 'node' : command()[0], ['-v']);
    expect(res.stdout.trim()).toMatch(major === undefined ? `${process.version}` : new RegExp(`^v${major}\\.`));
  });

  test('--version prints the version of package.json', async () => {
    const [cmd, lead] = command();
    const res = await runCli(cmd, [...lead, '--version']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${PKG.version}\n`);
  });

  test('prints a full report (API key and management key) from the stand-in', async () => {
    const [cmd, lead] = command();
    const before = standIn.requests.length;
    const res = await runCli(cmd, lead, { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, ...FAKE_CLOCK });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines.find((line) => line.startsWith('Today: $'))).toBe('Today: $6.33* | Week: $8.72 | Month: $17.60 (this key)');
    // $22.19994 left at the 7-day average of $12.86698 / 7 = $1.83814 a day: 12 whole days from 03-11.
    expect(lines.find((line) => line.startsWith('Balance: $'))).toBe('Balance: $22.20 / $100.00 · runway about 12 days (until 2026-03-23)');
    expect(lines).toContain('Recent Models (7d):');
    const asked = standIn.requests.slice(before).map((r) => r.path);
    // The account has no analytics (404): its three queries left with the rest, and were refused.
    // Discovery and the workspace list may come from their day-long caches, which earlier runs filled.
    expect(asked.filter((path) => path !== '/analytics/meta' && path !== '/workspaces').sort()).toEqual([
      '/activity',
      '/analytics/query',
      '/analytics/query',
      '/analytics/query',
      '/credits',
      '/key',
      '/keys',
    ]);
  });

  test('with the analytics API: the breakdown through today, its POST queries answered', async () => {
    const [cmd, lead] = command();
    standIn.setModes({ analytics: 'ok' });
    try {
      const before = standIn.requests.length;
      const res = await runCli(cmd, lead, { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, ...FAKE_CLOCK });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout.split('\n')).toContain('Models (last 7 days including today, live):');
      expect(standIn.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/analytics/query')).toHaveLength(3);
    } finally {
      standIn.setModes(WITHOUT_ANALYTICS);
    }
  });
});
