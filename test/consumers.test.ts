// End to end for the consumers beyond a person at a terminal: cache, oneline, csv, markdown, watch.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, makeSandbox, runCli, type Sandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, keyHashOf, secretOf, startStandIn, type StandIn, WITHOUT_ANALYTICS } from './server.js';

// The stand-in's data is built around Wednesday 2026-03-11, noon UTC, and every run's clock starts
// there (FAKE_CLOCK_NOW) or, for a run that must come later (a cache read), a set time after it.
// At NOW (see test/e2e.test.ts for the sums): the account spent 10.55545 today, 14.53883 this week
// and 29.3373 this month (API_KEY 60 %, the ci key 40 %); the balance is 100 - 77.80006 = 22.19994.
const NOW = '2026-03-11T12:00:00.000Z';
const LATER = (seconds: number): string => new Date(Date.parse(NOW) + seconds * 1000).toISOString();

let standIn: StandIn;
let sandbox: Sandbox;

beforeAll(async () => {
  standIn = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
});
afterAll(() => standIn.close());
afterEach(async () => {
  for (const path of ['/key', '/credits', '/activity', '/keys'] as const) standIn.setFault(path, undefined);
  await sandbox?.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  OPENROUTER_API_KEY: API_KEY,
  OPENROUTER_MGMT_KEY: MGMT_KEY,
  OPENROUTER_BASE_URL: standIn.url,
  XDG_CACHE_HOME: join(sandbox.root, 'cache'),
  FAKE_CLOCK_NOW: NOW,
  ...extra,
});

/** The cached reports; the day-long workspace lists (`workspaces-<hash>.json`) beside them are not. */
function cacheFiles(): string[] {
  const dir = join(sandbox.root, 'cache', 'openrouter-usage');
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('workspaces-'))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

describe('--cache', () => {
  test('a second run within the window asks nothing and prints the same report', async () => {
    sandbox = await makeSandbox();
    standIn.requests.length = 0;
    const first = await runCli(['--cache', '60'], { sandbox, env: env() });
    expect(first.code).toBe(0);
    // One workspace: the unscoped /keys lists every key, and /workspaces says there are no others.
    // The account has no analytics (404): discovery and the three queries left with the rest.
    expect(standIn.requests.map((r) => r.path.replace('/api/v1', '')).sort()).toEqual([
      '/activity',
      '/analytics/meta',
      '/analytics/query',
      '/analytics/query',
      '/analytics/query',
      '/credits',
      '/key',
      '/keys',
      '/workspaces',
    ]);
    // 30 s later: within the 60 s window.
    const second = await runCli(['--cache', '60'], { sandbox, env: env({ FAKE_CLOCK_NOW: LATER(30) }) });
    expect(second.code).toBe(0);
    expect(standIn.requests).toHaveLength(9);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe('');
  });

  test('JSON says when the data was fetched', async () => {
    sandbox = await makeSandbox();
    const first = JSON.parse((await runCli(['--json', '--cache', '60'], { sandbox, env: env() })).stdout);
    const second = JSON.parse((await runCli(['--json', '--cache', '60'], { sandbox, env: env({ FAKE_CLOCK_NOW: LATER(30) }) })).stdout);
    // Each run's clock starts at its FAKE_CLOCK_NOW and the run is killed after 25 s.
    expect(Date.parse(first.fetchedAt) - Date.parse(NOW)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(first.fetchedAt) - Date.parse(NOW)).toBeLessThan(25_000);
    expect(second.fetchedAt).toBe(first.fetchedAt);
    expect(Date.parse(second.generatedAt) - Date.parse(LATER(30))).toBeGreaterThanOrEqual(0);
    expect(Date.parse(second.generatedAt) - Date.parse(LATER(30))).toBeLessThan(25_000);
    expect(second.models).toEqual(first.models);
  });

  test('the file is private, written whole, named by a hash, and holds no key', async () => {
    sandbox = await makeSandbox();
    await runCli(['--cache', '60'], { sandbox, env: env() });
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    expect(statSync(files[0]!).mode & 0o777).toBe(0o600);
    expect(files[0]).toMatch(/[0-9a-f]{32}\.json$/);
    const content = readFileSync(files[0]!, 'utf8');
    for (const key of [API_KEY, MGMT_KEY]) expect(content).not.toContain(secretOf(key).slice(0, 16));
    expect(JSON.parse(content).version).toBe(1);
    // The workspace list kept beside it: private too, and no key in it either.
    const dir = join(sandbox.root, 'cache', 'openrouter-usage');
    const lists = readdirSync(dir).filter((name) => name.startsWith('workspaces-'));
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatch(/^workspaces-[0-9a-f]{32}\.json$/);
    expect(statSync(join(dir, lists[0]!)).mode & 0o777).toBe(0o600);
    const list = readFileSync(join(dir, lists[0]!), 'utf8');
    for (const key of [API_KEY, MGMT_KEY]) expect(list).not.toContain(secretOf(key).slice(0, 16));
  });

  test('other keys or settings get their own entry; --cache 0 always asks', async () => {
    sandbox = await makeSandbox();
    await runCli(['--cache', '60'], { sandbox, env: env() });
    await runCli(['--cache', '60', '--scope', 'key'], { sandbox, env: env() });
    await runCli(['--cache', '60'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(cacheFiles()).toHaveLength(3);
    const before = standIn.requests.length;
    await runCli(['--cache', '0'], { sandbox, env: env() });
    // /key, /credits, /activity, /keys and (refreshed too) /workspaces again, and analytics' discovery and three queries (refused: 404).
    expect(standIn.requests.length - before).toBe(9);
  });

  test('a failed part is not cached', async () => {
    sandbox = await makeSandbox();
    standIn.setFault('/credits', { status: 400 });
    const first = await runCli(['--cache', '60'], { sandbox, env: env() });
    expect(first.code).toBe(0);
    expect(cacheFiles()).toHaveLength(0);
  });
});

describe('--format oneline', () => {
  test('one short line', async () => {
    sandbox = await makeSandbox();
    const result = await runCli(['--format', 'oneline'], { sandbox, env: env() });
    expect(result.code).toBe(0);
    // The account's today (10.55545) and the balance (22.19994).
    expect(result.stdout).toBe('OR acct $10.56 today · $22.20 left\n');
  });

  test('on failure: a short marker and a non-zero exit, never a partial report', async () => {
    sandbox = await makeSandbox();
    standIn.setFault('/key', { status: 401 });
    const result = await runCli(['--format', 'oneline'], { sandbox, env: env() });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('OR ?\n');
    expect(result.stderr).toBe(
      'openrouter-usage: /key: OpenRouter rejected OPENROUTER_API_KEY (HTTP 401: Unauthorized); check that the key is complete and not revoked\n',
    );
  });

  test('on failure with a cache: the last good figures, marked stale', async () => {
    sandbox = await makeSandbox();
    const good = await runCli(['--format', 'oneline', '--cache', '0'], { sandbox, env: env() });
    expect(good.stdout).toBe('OR acct $10.56 today · $22.20 left\n');
    standIn.setFault('/key', { status: 503 });
    // Twelve minutes later.
    const result = await runCli(['--format', 'oneline', '--cache', '0', '--deadline', '5'], { sandbox, env: env({ FAKE_CLOCK_NOW: LATER(12 * 60) }) });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('OR acct $10.56 today · $22.20 left (stale 12m)\n');
  });
});

describe('--format csv and markdown', () => {
  test('csv: a header, one row per model, money as summed, $/M tok to 4 decimals', async () => {
    sandbox = await makeSandbox();
    const csv = await runCli(['--format', 'csv'], { sandbox, env: env() });
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toBe('model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens');
    // The 7 completed days 03-04 … 03-10 per model (see test/e2e.test.ts); $/M = usage / (prompt + completion) × 1e6.
    const cells = rows.slice(1).map((r) => r.split(','));
    expect(cells.map((c) => c.slice(0, 7).join(','))).toEqual([
      'anthropic/claude-sonnet-4,5.74301,2.01929,54,65528,19201,4795',
      'openai/gpt-4.1,5.46,0,114,137528,40005,0',
      'google/gemini-2.5-pro,1.15164,0,19,22956,6746,1686',
      'groq/gpt-oss-120b,0.31577,0,52,62764,18522,4628',
      'openai/gpt-oss-120b,0.19383,0,88,105964,31073,7766',
      'meta-llama/llama-3.3-70b-instruct,0.00273,0,16,19564,5971,0',
    ]);
    // Ratios are rounded to 4 decimals: 5.74301e6 / 84729 = 67.78092…, 5.46e6 / 177533 = 30.75484…,
    // 1.15164e6 / 29702 = 38.77314…, 0.31577e6 / 81286 = 3.88467…, 0.19383e6 / 137037 = 1.41443…,
    // 0.00273e6 / 25535 = 0.10691….
    expect(cells.map((c) => c[7])).toEqual(['67.7809', '30.7548', '38.7731', '3.8847', '1.4144', '0.1069']);
  });

  test('csv without a management key: header only, and a note on stderr', async () => {
    sandbox = await makeSandbox();
    const csv = await runCli(['--format', 'csv'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens\r\n');
    expect(csv.stderr).toBe('note: the CSV breakdown needs OPENROUTER_MGMT_KEY (a management key); printing the header only\n');
  });

  test('--json and --format disagree: usage error', async () => {
    sandbox = await makeSandbox();
    const result = await runCli(['--json', '--format', 'csv'], { sandbox, env: env() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  test('markdown: heading and tables', async () => {
    sandbox = await makeSandbox();
    const md = await runCli(['--format', 'markdown'], { sandbox, env: env() });
    expect(md.code).toBe(0);
    expect(md.stdout.split('\n')[0]).toBe('## 💰 OpenRouter Usage');
    expect(md.stdout).toContain('| Model | Spend | Requests |');
  });
});

describe('--watch', () => {
  test('refused when stdout is not a terminal', async () => {
    sandbox = await makeSandbox();
    const result = await runCli(['--watch'], { sandbox, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('openrouter-usage: --watch redraws a terminal; stdout is not one (drop --watch, or use --cache in a loop)\n');
  });

  test.each([['10'], ['0'], ['abc']])('--watch %s is a usage error', async (value) => {
    sandbox = await makeSandbox();
    const result = await runCli(['--watch', value], { sandbox, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `openrouter-usage: option '--watch [seconds]' argument '${value}' is invalid. expected a whole number from 30 to 86400; see --help\n`,
    );
  });

  test('on a terminal: draws the report, says when it refreshed, and Ctrl-C ends it cleanly', async () => {
    sandbox = await makeSandbox();
    // `script` gives the CLI a real pseudo-terminal; a Ctrl-C typed into it becomes SIGINT.
    const child = spawn('script', ['-qfec', `exec ${process.execPath} ${BIN} --watch 30 --no-color`, '/dev/null'], {
      cwd: sandbox.cwd,
      // The real process gets the pinned clock through test/fake-clock.mjs, and shows it in UTC.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: sandbox.home,
        TERM: 'xterm',
        TZ: 'UTC',
        NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'test', 'fake-clock.mjs')).href}`,
        ...env(),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const deadline = Date.now() + 15_000;
    while (!output.includes('Ctrl-C to stop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('💰 OpenRouter Usage');
    // Refreshed once the answers are in: a few seconds after the clock's 12:00:00 at most.
    expect(output).toMatch(/Refreshed 12:00:[0-5]\d; next in 30 s\. Ctrl-C to stop\./);
    expect(output).toContain('\u001b[H\u001b[2J');
    child.stdin.write('\u0003');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(output).not.toMatch(/\n\s+at /);
  }, 20_000);
});

describe('keys view', () => {
  test('every key across pages, sorted by month spend, with totals; disabled on request', async () => {
    sandbox = await makeSandbox();
    const json = JSON.parse((await runCli(['keys', '--json'], { sandbox, env: env() })).stdout);
    // default (API_KEY) 60 % and ci 40 % of this month's 29.3373; the disabled old laptop only with --include-disabled.
    expect(json.keys.map((k: { hash: string; usage: { month: number } }) => [k.hash, k.usage.month])).toEqual([
      [keyHashOf('default'), 17.60238],
      [keyHashOf('ci'), 11.73492],
    ]);
    expect(json.totals.usage.month).toBeCloseTo(29.3373, 9);
    const all = JSON.parse((await runCli(['keys', '--json', '--include-disabled'], { sandbox, env: env() })).stdout);
    expect(all.keys.map((k: { hash: string }) => k.hash)).toEqual([keyHashOf('default'), keyHashOf('ci'), keyHashOf('old')]);
  });

  test('text: a table with a totals row', async () => {
    sandbox = await makeSandbox();
    const text = await runCli(['keys'], { sandbox, env: env() });
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n');
    expect(rows[0]).toBe('🔑 OpenRouter Keys 2 listed, 1 disabled hidden (--include-disabled)');
    expect(rows.find((l) => l.startsWith('total'))?.split(/ {2,}/)).toEqual(['total (2 keys)', '$10.56', '$14.54', '$29.34']);
  });

  test('with an inference key only: a clear refusal naming the management key', async () => {
    sandbox = await makeSandbox();
    const result = await runCli(['keys'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'openrouter-usage: /keys: the keys view needs a management key; set OPENROUTER_MGMT_KEY (OPENROUTER_API_KEY was refused with HTTP 403)\n',
    );
  });
});
