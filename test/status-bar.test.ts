// A status bar refreshing from the cache: the fast path answers exactly as the ordinary one would,
// and the README's tmux and Claude Code recipes work as written.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readStatusBarOptions as statusBarOptions } from '../src/base/options.js';
import { makeSandbox, ROOT, runCli, type Sandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn, type StandIn } from './server.js';

let standIn: StandIn;
let sandbox: Sandbox;
beforeAll(async () => {
  standIn = await startStandIn();
});
afterAll(() => standIn.close());
afterEach(async () => {
  standIn.setFault('/key', undefined);
  await sandbox?.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  OPENROUTER_API_KEY: API_KEY,
  OPENROUTER_MGMT_KEY: MGMT_KEY,
  OPENROUTER_BASE_URL: standIn.url,
  XDG_CACHE_HOME: join(sandbox.root, 'cache'),
  ...extra,
});

describe('the words of a cached oneline run', () => {
  test.each([
    [['--format', 'oneline', '--cache', '60'], { format: 'oneline', cache: 60, scope: 'account', color: true }],
    [['--cache=5', '--format=oneline', '--no-color', '--scope', 'key'], { format: 'oneline', cache: 5, scope: 'key', color: false }],
    [
      ['--format', 'oneline', '--cache', '60', '--credentials-file', 'c.env', '--base-url', 'https://x.test/api/v1'],
      { credentialsFile: 'c.env', baseUrl: 'https://x.test/api/v1' },
    ],
  ])('%j is one', (argv, expected) => {
    expect(statusBarOptions(argv)).toMatchObject({ days: 7, top: 4, by: 'model', timeout: 20, deadline: 45, ...expected });
  });

  test.each([
    [['--format', 'oneline']],
    [['--format', 'oneline', '--cache', '0']],
    [['--format', 'oneline', '--cache', '86401']],
    [['--format', 'oneline', '--cache', '1e3']],
    [['--format', 'json', '--cache', '60']],
    [['--format', 'oneline', '--cache', '60', '--max-today', '5']],
    [['--format', 'oneline', '--cache', '60', '--demo']],
    [['--format', 'oneline', '--cache', '60', 'keys']],
    [['--format', 'oneline', '--cache', '60', '--scope', 'team']],
    [['--format', 'oneline', '--cache', '60', '--credentials-file', '--json']],
  ])('%j goes the ordinary way', (argv) => {
    expect(statusBarOptions(argv)).toBeUndefined();
  });
});

describe('the fast path', () => {
  test('prints what the ordinary path prints from the same entry, and asks nothing', async () => {
    sandbox = await makeSandbox();
    const first = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: env() });
    expect(first.code).toBe(0);
    const asked = standIn.requests.length;
    const fast = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: env() });
    // --days is not a word of the fast path: this run goes through commander to the same entry.
    const ordinary = await runCli(['--format', 'oneline', '--cache', '600', '--days', '7'], { sandbox, env: env() });
    expect(standIn.requests.length).toBe(asked);
    expect(fast).toMatchObject({ code: 0, stderr: '', stdout: first.stdout });
    expect(ordinary).toMatchObject({ code: 0, stderr: '', stdout: first.stdout });
  });

  test('a part the line prints that fails its schema is no hit: the ordinary path fetches afresh', async () => {
    sandbox = await makeSandbox();
    const first = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: env() });
    const dir = join(sandbox.root, 'cache', 'openrouter-usage');
    // The report's entry, not the day-long lists kept beside it (workspaces-…, analytics-meta-…).
    const [file] = readdirSync(dir).filter((name) => /^[0-9a-f]{32}\.json$/.test(name));
    const entry = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { responses: { key: { usage_daily: unknown } } };
    entry.responses.key.usage_daily = 'lots';
    writeFileSync(join(dir, file!), JSON.stringify(entry), { mode: 0o600 });
    const asked = standIn.requests.length;
    const again = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: env() });
    expect(again).toMatchObject({ code: 0, stderr: '', stdout: first.stdout });
    expect(standIn.requests.length).toBeGreaterThan(asked);
  });

  test('an entry older than --cache is fetched again', async () => {
    sandbox = await makeSandbox();
    await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: env() });
    const asked = standIn.requests.length;
    const later = await runCli(['--format', 'oneline', '--cache', '60'], {
      sandbox,
      env: env({ FAKE_CLOCK_NOW: new Date(Date.now() + 120_000).toISOString() }),
    });
    expect(later.code).toBe(0);
    expect(standIn.requests.length).toBeGreaterThan(asked);
  });

  test('a miss that fails: the ordinary path prints its marker and exit code', async () => {
    sandbox = await makeSandbox();
    standIn.setFault('/key', { status: 401 });
    const res = await runCli(['--format', 'oneline', '--cache', '60'], { sandbox, env: env() });
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('OR ?\n');
  });

  test('no key: the ordinary path says so', async () => {
    sandbox = await makeSandbox();
    // Neither key: a management key alone would be enough for a report.
    const res = await runCli(['--format', 'oneline', '--cache', '60'], { sandbox, env: env({ OPENROUTER_API_KEY: '', OPENROUTER_MGMT_KEY: '' }) });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^openrouter-usage: OPENROUTER_API_KEY is not set/);
  });

  test('a credentials file others can read is warned about on a hit too', async () => {
    sandbox = await makeSandbox();
    const file = join(sandbox.cwd, 'credentials.env');
    writeFileSync(file, `OPENROUTER_API_KEY=${API_KEY}\nOPENROUTER_MGMT_KEY=${MGMT_KEY}\n`);
    chmodSync(file, 0o644);
    const noKeysEnv = env({ OPENROUTER_API_KEY: '', OPENROUTER_MGMT_KEY: '' });
    const first = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: noKeysEnv });
    const hit = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: noKeysEnv });
    expect(first.stderr).toMatch(/^warning: .*credentials\.env/);
    expect(hit.stderr).toBe(first.stderr);
    expect(hit.stdout).toBe(first.stdout);
  });
});

describe('README recipes', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  /** The words after `openrouter-usage` in a recipe's command. */
  const argvOf = (command: string): string[] => {
    const words = command.trim().split(/\s+/);
    expect(words[0]).toBe('openrouter-usage');
    return words.slice(1);
  };

  async function expectStatusLine(argv: string[]): Promise<void> {
    sandbox = await makeSandbox();
    for (const run of [1, 2]) {
      const res = await runCli(argv, { sandbox, env: env() });
      expect(res.code, `run ${run}`).toBe(0);
      expect(res.stderr).toBe('');
      // One line, short, and nothing a status line would read as markup or a control character.
      expect(res.stdout).toMatch(/^OR acct \$\d+\.\d\d today · \$\d+\.\d\d left\n$/);
      expect(res.stdout).not.toContain('#');
    }
  }

  test('tmux', async () => {
    const block = /```tmux\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(block).toMatch(/^set -g status-interval \d+$/m);
    const command = /^set -g status-right '#\(([^)]*)\)'$/m.exec(block)![1]!;
    await expectStatusLine(argvOf(command));
  });

  test('Claude Code statusLine', async () => {
    const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((text) => text.includes('statusLine'))!;
    const settings = JSON.parse(block) as { statusLine: { type: string; command: string } };
    expect(settings.statusLine.type).toBe('command');
    await expectStatusLine(argvOf(settings.statusLine.command));
  });
});
