// The command line as people expect it: suggestions, help, JSON on failure, limits that say their minimum.
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn } from './server.js';

const stderrLines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('suggestions', () => {
  test('a mistyped flag names the nearest one', async () => {
    const res = await runCli(['--dayz', '3']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("openrouter-usage: unknown option '--dayz' (did you mean --days?); see --help\n");
  });

  test('a mistyped command names the nearest one', async () => {
    const res = await runCli(['kyes']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("openrouter-usage: unknown command 'kyes' (did you mean keys?); see --help\n");
  });

  test('a word like no command is named without a guess', async () => {
    const res = await runCli(['balance']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("openrouter-usage: unknown command 'balance'; see --help\n");
  });

  test('a mistyped flag of keys names the nearest one', async () => {
    const res = await runCli(['keys', '--include-disabeld']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("openrouter-usage: unknown option '--include-disabeld' (did you mean --include-disabled?); see --help\n");
  });
});

describe('help', () => {
  test('`help` is --help, and `help keys` is keys --help', async () => {
    const [help, dashHelp, helpKeys, keysHelp] = await Promise.all([
      runCli(['help']),
      runCli(['--help']),
      runCli(['help', 'keys']),
      runCli(['keys', '--help']),
    ]);
    for (const res of [help, dashHelp, helpKeys, keysHelp]) {
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
    }
    expect(help.stdout).toBe(dashHelp.stdout);
    expect(helpKeys.stdout).toBe(keysHelp.stdout);
    expect(helpKeys.stdout.split('\n')[0]).toBe('Usage: openrouter-usage keys [options]');
  });

  test.each([[['--help']], [['keys', '--help']]])('%j shows two or three examples and fits 80 columns', async (args) => {
    const res = await runCli(args);
    const out = res.stdout.split('\n');
    const at = out.indexOf('Examples:');
    expect(at).toBeGreaterThan(0);
    const examples = out.slice(at + 1, out.indexOf('', at));
    expect(examples.length).toBe(3);
    for (const example of examples) expect(example.startsWith('  $ openrouter-usage')).toBe(true);
    for (const line of out) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  test('--help wraps to a wider COLUMNS when stdout is no terminal', async () => {
    const res = await runCli(['--help'], { env: { COLUMNS: '120' } });
    expect(res.stdout).toContain('  --scope <scope>            breakdown of the whole account, or of the API key in use (choices: "account", "key",\n');
  });
});

describe('JSON on failure', () => {
  const parse = (text: string) => JSON.parse(text) as unknown;

  test('a missing key: one document with the exit code, and the stderr line', async () => {
    const res = await runCli(['--json']);
    expect(res.code).toBe(2);
    expect(stderrLines(res.stderr)).toHaveLength(1);
    expect(parse(res.stdout)).toEqual({
      schemaVersion: 1,
      error: { message: res.stderr.replace(/^openrouter-usage: /, '').trimEnd(), exitCode: 2, source: 'config' },
    });
  });

  test('a rejected key, with --format json: the endpoint and its status', async () => {
    const s = await startStandIn();
    try {
      s.setFault('/key', { status: 401 });
      const res = await runCli(['--format', 'json'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: s.url } });
      expect(res.code).toBe(3);
      expect(stderrLines(res.stderr)).toHaveLength(1);
      const doc = parse(res.stdout) as { error: Record<string, unknown> };
      expect(Object.keys(doc)).toEqual(['schemaVersion', 'error']);
      expect({ ...doc.error, message: '' }).toEqual({ message: '', exitCode: 3, source: 'key', status: 401 });
      expect(doc.error.message).toBe(res.stderr.replace(/^openrouter-usage: /, '').trimEnd());
      expect(res.stdout).not.toContain(API_KEY.slice(-12));
    } finally {
      await s.close();
    }
  });

  test('Ctrl-C: one document with exit 130', async () => {
    const s = await startStandIn();
    try {
      s.setFault('/key', { kind: 'hang' });
      const res = await runCli(['--json'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: s.url }, killAfterMs: 500 });
      expect(res.code).toBe(130);
      expect(res.stderr).toBe('openrouter-usage: interrupted\n');
      expect(parse(res.stdout)).toEqual({ schemaVersion: 1, error: { message: 'interrupted', exitCode: 130, source: 'interrupted' } });
    } finally {
      await s.close();
    }
  });

  test('keys --json without a management key', async () => {
    const res = await runCli(['keys', '--json']);
    expect(res.code).toBe(2);
    expect((parse(res.stdout) as { error: { exitCode: number; source: string } }).error).toMatchObject({ exitCode: 2, source: 'config' });
  });

  test.each([
    [['--json', '--dayz', '3'], "unknown option '--dayz' (did you mean --days?); see --help"],
    [['--format=json', '--days', '366'], "option '--days <n>' argument '366' is invalid. expected a whole number from 1 to 365; see --help"],
    [['--demo', '--json', '--watch'], '--watch draws the text report; it cannot be combined with --json or --format'],
  ])('usage errors too, when the format is known: %j', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`openrouter-usage: ${message}\n`);
    expect(parse(res.stdout)).toEqual({ schemaVersion: 1, error: { message, exitCode: 2, source: 'usage' } });
  });

  test.each([[['--dayz']], [['--json', '--format', 'csv', '--dayz']], [['--format', 'text', '--bogus']]])(
    'no JSON when it was not asked for: %j',
    async (args) => {
      const res = await runCli(args);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
    },
  );
});

describe('--timeout', () => {
  test('below one second is refused with its minimum', async () => {
    const res = await runCli(['--timeout', '0.5', '--demo']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("openrouter-usage: option '--timeout <seconds>' argument '0.5' is invalid. expected seconds from 1 to 600; see --help\n");
  });

  test('one second is accepted, and help names the range', async () => {
    expect((await runCli(['--timeout', '1', '--demo', '--format', 'oneline'])).code).toBe(0);
    expect((await runCli(['--help'])).stdout).toContain('limit for each HTTP attempt, 1 to 600');
  });
});

describe('--watch on the alternate screen', () => {
  test('enters it, redraws in place, never clears the scrollback, and leaves it on Ctrl-C with the figures kept', async () => {
    // killAfterMs aborts the run's signal, as Ctrl-C does.
    const res = await runCli(['--demo', '--watch', '30', '--no-color'], {
      env: { FAKE_CLOCK_NOW: '2026-11-25T06:46:10Z' },
      terminal: { columns: 100 },
      killAfterMs: 1500,
    });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout.startsWith('\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J💰 OpenRouter Usage (demo data)\n')).toBe(true);
    expect(res.stdout).not.toContain('\u001b[3J');
    const [onScreen, after] = res.stdout.split('\u001b[?25h\u001b[?1049l');
    expect(onScreen).toMatch(/\nRefreshed \d\d:\d\d:\d\d; next in 30 s\. Ctrl-C to stop\.\n$/);
    // Back on the normal screen: the last report, without the refresh line.
    expect(after!.startsWith('💰 OpenRouter Usage (demo data)\n')).toBe(true);
    expect(after).not.toContain('Refreshed');
    expect(after).not.toContain('\u001b[');
  });

  test('a usage error never enters it', async () => {
    const res = await runCli(['--demo', '--watch', '--json'], { terminal: { columns: 100 } });
    expect(res.code).toBe(2);
    expect(res.stdout).not.toContain('\u001b[?1049h');
  });
});
