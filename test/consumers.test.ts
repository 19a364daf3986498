// End to end for the consumers beyond a person at a terminal: cache, oneline, csv, markdown, watch.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BIN, makeSandbox, runCli, type Sandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, secretOf, startStandIn, type StandIn } from './server.js';

let standIn: StandIn;
let sandbox: Sandbox;

beforeAll(async () => {
  standIn = await startStandIn();
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
  ...extra,
});

function cacheFiles(): string[] {
  const dir = join(sandbox.root, 'cache', 'openrouter-usage');
  try {
    return readdirSync(dir).map((name) => join(dir, name));
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
    const asked = standIn.requests.length;
    expect(asked).toBeGreaterThanOrEqual(4);
    const second = await runCli(['--cache', '60'], { sandbox, env: env() });
    expect(second.code).toBe(0);
    expect(standIn.requests.length).toBe(asked);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe('');
  });

  test('JSON says when the data was fetched', async () => {
    sandbox = await makeSandbox();
    const first = JSON.parse((await runCli(['--json', '--cache', '60'], { sandbox, env: env() })).stdout);
    await new Promise((r) => setTimeout(r, 20));
    const second = JSON.parse((await runCli(['--json', '--cache', '60'], { sandbox, env: env() })).stdout);
    expect(second.fetchedAt).toBe(first.fetchedAt);
    expect(Date.parse(second.generatedAt)).toBeGreaterThan(Date.parse(first.generatedAt));
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
  });

  test('other keys or settings get their own entry; --cache 0 always asks', async () => {
    sandbox = await makeSandbox();
    await runCli(['--cache', '60'], { sandbox, env: env() });
    await runCli(['--cache', '60', '--scope', 'key'], { sandbox, env: env() });
    await runCli(['--cache', '60'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(cacheFiles()).toHaveLength(3);
    const before = standIn.requests.length;
    await runCli(['--cache', '0'], { sandbox, env: env() });
    expect(standIn.requests.length).toBeGreaterThan(before);
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
    expect(result.stdout).toMatch(/^OR acct \$\d+\.\d\d today · \$\d+\.\d\d left\n$/);
  });

  test('on failure: a short marker and a non-zero exit, never a partial report', async () => {
    sandbox = await makeSandbox();
    standIn.setFault('/key', { status: 401 });
    const result = await runCli(['--format', 'oneline'], { sandbox, env: env() });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('OR ?\n');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('on failure with a cache: the last good figures, marked stale', async () => {
    sandbox = await makeSandbox();
    const good = await runCli(['--format', 'oneline', '--cache', '0'], { sandbox, env: env() });
    standIn.setFault('/key', { status: 503 });
    const result = await runCli(['--format', 'oneline', '--cache', '0', '--deadline', '5'], { sandbox, env: env() });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe(good.stdout.replace('\n', ' (stale 0m)\n'));
  });
});

describe('--format csv and markdown', () => {
  test('csv: a header, one row per model, unrounded numbers', async () => {
    sandbox = await makeSandbox();
    const csv = await runCli(['--format', 'csv'], { sandbox, env: env() });
    const json = JSON.parse((await runCli(['--json'], { sandbox, env: env() })).stdout);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toBe('model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(json.models.items.map((i: { model: string }) => i.model));
    expect(rows.slice(1).map((r) => Number(r.split(',')[1]))).toEqual(json.models.items.map((i: { usage: number }) => i.usage));
  });

  test('csv without a management key: header only, and a note on stderr', async () => {
    sandbox = await makeSandbox();
    const csv = await runCli(['--format', 'csv'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n').filter(Boolean)).toHaveLength(1);
    expect(csv.stderr).toContain('OPENROUTER_MGMT_KEY');
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
    expect(result.stderr).toContain('--watch');
  });

  test.each([['10'], ['0'], ['abc']])('--watch %s is a usage error', async (value) => {
    sandbox = await makeSandbox();
    expect((await runCli(['--watch', value], { sandbox, env: env() })).code).toBe(2);
  });

  test('on a terminal: draws the report, says when it refreshed, and Ctrl-C ends it cleanly', async () => {
    sandbox = await makeSandbox();
    // `script` gives the CLI a real pseudo-terminal; a Ctrl-C typed into it becomes SIGINT.
    const child = spawn('script', ['-qfec', `exec ${process.execPath} ${BIN} --watch 30 --no-color`, '/dev/null'], {
      cwd: sandbox.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox.home, TERM: 'xterm', ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const deadline = Date.now() + 15_000;
    while (!output.includes('Ctrl-C to stop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('💰 OpenRouter Usage');
    expect(output).toMatch(/Refreshed \d\d:\d\d:\d\d; next in 30 s\. Ctrl-C to stop\./);
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
    const enabled = standIn.data.keys.filter((k) => !k.disabled);
    expect(json.keys.map((k: { hash: string }) => k.hash).sort()).toEqual(enabled.map((k) => k.hash).sort());
    const months = json.keys.map((k: { usage: { month: number } }) => k.usage.month);
    expect(months).toEqual([...months].sort((a, b) => b - a));
    expect(json.totals.usage.month).toBeCloseTo(
      enabled.reduce((s, k) => s + k.usage_monthly, 0),
      9,
    );
    const all = JSON.parse((await runCli(['keys', '--json', '--include-disabled'], { sandbox, env: env() })).stdout);
    expect(all.keys).toHaveLength(standIn.data.keys.length);
  });

  test('text: a table with a totals row', async () => {
    sandbox = await makeSandbox();
    const text = await runCli(['keys'], { sandbox, env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^🔑 OpenRouter Keys/);
    expect(text.stdout).toMatch(/\ntotal \(\d+ keys?\)\s+\$/);
  });

  test('with an inference key only: a clear refusal naming the management key', async () => {
    sandbox = await makeSandbox();
    const result = await runCli(['keys'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('OPENROUTER_MGMT_KEY');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
