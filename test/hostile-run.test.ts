// Issue 13 through the whole CLI, in-process: what a hostile server, cache or command line can do
// to a run, point by point, each with several variants.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { HOSTILE_FRAGMENTS, SECRETS, expectCleanOutput } from './hostile-output.js';
import { guardedIo } from '../src/safety/output-edge.js';
import { expectCleanRun, makeSandbox, runCli, type Sandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, defaultActivityRows, defaultApiKeyInfo, defaultKeys, startStandIn, utcDay, type StandIn, WITHOUT_ANALYTICS } from './server.js';

const NOW = new Date('2026-11-25T06:46:10Z');
let s: StandIn;
const env = (extra: Record<string, string> = {}) => ({
  OPENROUTER_API_KEY: API_KEY,
  OPENROUTER_MGMT_KEY: MGMT_KEY,
  OPENROUTER_BASE_URL: s.url,
  FAKE_CLOCK_NOW: NOW.toISOString(),
  ...extra,
});

beforeAll(async () => {
  s = await startStandIn({ now: NOW, modes: WITHOUT_ANALYTICS });
});
afterAll(() => s.close());
afterEach(() => {
  for (const path of ['/key', '/credits', '/activity', '/keys'] as const) s.setFault(path, undefined);
  s.setData({ apiKeyInfo: defaultApiKeyInfo(NOW), keys: defaultKeys(NOW), activity: defaultActivityRows(NOW) });
  s.requests.length = 0;
});

/** Every string field of every endpoint holds a hostile fragment; the figures stay consistent. */
function plantHostileData(): void {
  const api = defaultApiKeyInfo(NOW);
  s.setData({
    apiKeyInfo: {
      ...api,
      label: HOSTILE_FRAGMENTS.join(' '),
      limit: 50,
      limit_remaining: 40,
      limit_reset: `${HOSTILE_FRAGMENTS[0]}monthly${HOSTILE_FRAGMENTS[1]}`,
      usage: 10,
      usage_daily: 1,
      usage_weekly: 2,
      usage_monthly: 3,
    },
    keys: HOSTILE_FRAGMENTS.map((fragment, i) => ({
      ...defaultKeys(NOW)[0]!,
      hash: `${i}`.padStart(64, 'f'),
      name: fragment,
      label: HOSTILE_FRAGMENTS[(i + 1) % HOSTILE_FRAGMENTS.length]!,
      limit: 100,
      limit_remaining: 90,
      limit_reset: HOSTILE_FRAGMENTS[(i + 2) % HOSTILE_FRAGMENTS.length]!,
      disabled: i % 5 === 0,
      usage: 10,
      usage_daily: 1,
      usage_weekly: 2,
      usage_monthly: 3,
    })),
    activity: HOSTILE_FRAGMENTS.flatMap((fragment, i) => [
      { ...defaultActivityRows(NOW)[0]!, date: utcDay(NOW, -1 - (i % 7)), model: fragment, provider_name: `${fragment}x`, usage: 1 + i, requests: 1 },
      { ...defaultActivityRows(NOW)[0]!, date: utcDay(NOW, -2), model: `vendor/${fragment}`, provider_name: fragment, usage: 0.5, requests: 2 },
    ]),
  });
}

type Format = 'text' | 'markdown' | 'csv' | 'oneline' | 'json';
const REPORT_RUNS: [string[], Format][] = [
  [[], 'text'],
  [['--details', '--top', '0', '--full-names'], 'text'],
  [['--by', 'provider', '--details'], 'text'],
  [['--json'], 'json'],
  [['--format', 'markdown', '--top', '0'], 'markdown'],
  [['--format', 'markdown', '--by', 'provider', '--full-names'], 'markdown'],
  [['--format', 'csv'], 'csv'],
  [['--format', 'csv', '--by', 'provider'], 'csv'],
  [['--format', 'oneline'], 'oneline'],
];
const KEYS_RUNS: [string[], Format][] = [
  [['keys', '--include-disabled'], 'text'],
  [['keys', '--json', '--include-disabled'], 'json'],
  [['keys', '--format', 'markdown', '--include-disabled'], 'markdown'],
  [['keys', '--format', 'csv', '--include-disabled'], 'csv'],
  [['keys', '--format', 'oneline'], 'oneline'],
];

describe('hostile strings in every field of every endpoint', () => {
  test.each([...REPORT_RUNS, ...KEYS_RUNS])('%j: no control, escape, bidi, live markdown, formula or key material', async (args, format) => {
    plantHostileData();
    const result = await runCli([...args, '--no-color'], { env: env() });
    expectCleanRun(result, SECRETS);
    expect(result.code).toBe(0);
    expectCleanOutput(result.stdout, format, 'stdout');
    expectCleanOutput(result.stderr, 'text', 'stderr');
  });

  test('on a colour terminal, the only escape sequences are the colours the tool writes itself', async () => {
    plantHostileData();
    const result = await runCli([], { env: env({ FORCE_COLOR: '1' }), terminal: { columns: 100 } });
    expect(result.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- SGR colours are the tool's own
    expectCleanOutput(result.stdout.replace(/\x1b\[\d+(;\d+)*m/g, ''), 'text', 'stdout');
  });

  test('--watch redraws with nothing of a server’s making that a terminal would obey', async () => {
    plantHostileData();
    s.setFault('/credits', { status: 403, body: JSON.stringify({ error: { code: 403, message: `no\x1b]52;c;Zm9v\x07\r\n\u202E${API_KEY}` } }) });
    const result = await runCli(['--watch', '30', '--details'], { env: env({ FORCE_COLOR: '1' }), terminal: { columns: 120 }, killAfterMs: 1500 });
    expect(result.code).toBe(0);
    // The tool's own sequences: the alternate screen in and out, the cursor, each redraw, its colours.
    const ENTER = '\x1b[?1049h\x1b[?25l';
    const LEAVE = '\x1b[?25h\x1b[?1049l';
    const REDRAW = '\x1b[H\x1b[2J';
    expect(result.stdout.startsWith(ENTER + REDRAW)).toBe(true);
    expect(result.stdout).toContain(LEAVE);
    // eslint-disable-next-line no-control-regex -- the tool's own colours
    const colours = /\x1b\[\d+(;\d+)*m/g;
    const own = [ENTER, LEAVE, REDRAW].reduce((text, sequence) => text.split(sequence).join(''), result.stdout);
    expectCleanOutput(own.replace(colours, ''), 'text', 'watch');
    expect(result.stdout).toContain('Refreshed ');
    expect(result.stdout).toContain('warning: /credits: OPENROUTER_MGMT_KEY may not call this endpoint (HTTP 403: no sk-or-v1-[redacted])');
  });

  test('the names are still there, made harmless: text shows them plain, markdown escaped, CSV as text', async () => {
    plantHostileData();
    const text = await runCli(['--top', '0', '--full-names', '--no-color'], { env: env() });
    expect(text.stdout).toContain('• ![x](http://e/b.png): $');
    expect(text.stdout).toContain('• line Total: $0.00: $');
    expect(text.stdout).toContain('• gpttxt.exe: $');
    // A name made of nothing but an escape sequence still names its row.
    expect(text.stdout).toContain('• (no printable name): $');
    const markdown = await runCli(['--format', 'markdown', '--top', '0', '--full-names'], { env: env() });
    expect(markdown.stdout).toContain('| \\!\\[x\\]\\(http://e/b.png\\) | $');
    expect(markdown.stdout).toContain('| a\\|b | $');
    const csv = await runCli(['--format', 'csv'], { env: env() });
    expect(csv.stdout).toContain("\r\n'=cmd|' /C calc'!A0,");
    expect(csv.stdout).toContain("\r\n'+1+2,");
    expect(csv.stdout).toContain("\r\n'@SUM(A1),");
  });

  test('JSON keeps the original strings, and masks every key in them', async () => {
    plantHostileData();
    const result = await runCli(['--json'], { env: env() });
    const doc = JSON.parse(result.stdout);
    const models = doc.models.items.map((m: { model: string }) => m.model);
    expect(models).toContain('\x1b[2J\x1b[H');
    expect(models).toContain('gpt\u202Etxt.exe');
    expect(models).toContain('![x](http://e/b.png)');
    expect(models).toContain('[redacted]');
    expect(doc.key.limitReset).toBe(`${HOSTILE_FRAGMENTS[0]}monthly${HOSTILE_FRAGMENTS[1]}`);
  });
});

describe('stderr: every line sanitised and redacted', () => {
  test.each([
    ['/key', 401, `bad key\x1b]52;c;ZWNobw==\x07\r\nforged: ok ${API_KEY}`],
    ['/key', 403, `\x9b2J\u202Eright-to-left ${MGMT_KEY.slice(9)}`],
    ['/credits', 403, `\x1b[31mred\x1b[0m and ${API_KEY.toUpperCase()}`],
    ['/activity', 400, `bad date\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\ ${encodeURIComponent(MGMT_KEY)}`],
  ] as const)('%s HTTP %d with a hostile message', async (path, status, message) => {
    s.setFault(path, { status, body: JSON.stringify({ error: { code: status, message } }) });
    for (const args of [['--debug'], ['--json', '--debug']]) {
      const result = await runCli(args, { env: env() });
      expectCleanRun(result, SECRETS);
      expectCleanOutput(result.stderr, 'text', 'stderr');
      expect(result.stderr).not.toBe('');
    }
  });

  test('a key broken across lines of an error body is still masked', async () => {
    const secret = MGMT_KEY.slice(9);
    s.setFault('/key', { status: 401, body: JSON.stringify({ error: { code: 401, message: `${secret.slice(0, 32)}\n${secret.slice(32)}` } }) });
    const result = await runCli([], { env: env() });
    expect(result.code).toBe(3);
    expectCleanOutput(result.stderr, 'text', 'stderr');
  });
});

describe('redaction is per run', () => {
  function captured(keys: Record<string, string>) {
    let out = '';
    let err = '';
    const io = guardedIo({
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { write: (text: string) => ((err += text), true) },
      env: keys,
      cwd: '/',
      now: () => 0,
      timer: () => 0,
      home: '/nonexistent-home',
      utcOffset: () => 0,
      colorLevel: () => Promise.resolve(0),
      isTTY: false,
      columns: undefined,
    });
    return { io, out: () => out, err: () => err };
  }

  test('two runs in one process: each masks its own keys, on stdout and stderr, and learns file keys for itself', () => {
    const first = captured({ OPENROUTER_API_KEY: 'alpha-token-0123456789xyz' });
    const second = captured({ OPENROUTER_API_KEY: 'omega-value-9876543210qrs' });
    first.io.redaction?.add(['file-kept-credential-abcdef']);
    const text = 'a alpha-token-0123456789xyz b omega-value-9876543210qrs c file-kept-credential-abcdef\n';
    for (const run of [first, second]) {
      run.io.stdout.write(text);
      run.io.stderr.write(text);
    }
    expect(first.out()).toBe('a [redacted] b omega-value-9876543210qrs c [redacted]\n');
    expect(second.out()).toBe('a alpha-token-0123456789xyz b [redacted] c file-kept-credential-abcdef\n');
    expect(first.err()).toBe(first.out());
  });

  test('stderr lines are sanitised one by one, after redaction sees the whole text', () => {
    const run = captured({ OPENROUTER_API_KEY: API_KEY });
    run.io.stderr.write(`warning: \x1b]52;c;Zm9v\x07a\rb ${API_KEY.slice(0, 30)}\n${API_KEY.slice(30)} \u202Ec\n`);
    // The key's secret part spans the line break, so the mask does too: the prefix names no one.
    expect(run.err()).toBe('warning: a b sk-or-v1-[redacted] c\n');
  });
});

describe('options anywhere', () => {
  test('--json keys prints what keys --json prints', async () => {
    const before = await runCli(['--json', 'keys'], { env: env() });
    const after = await runCli(['keys', '--json'], { env: env() });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).schemaVersion).toBe(1);
    const { generatedAt: _b, ...b } = JSON.parse(before.stdout);
    const { generatedAt: _a, ...a } = JSON.parse(after.stdout);
    expect(b).toEqual(a);
    expect(b.keys.length).toBeGreaterThan(0);
  });

  test.each([[['--format', 'csv', 'keys']], [['keys', '--format', 'csv']], [['--format=csv', 'keys', '--include-disabled']]])('%j is CSV', async (args) => {
    const result = await runCli(args, { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\r\n')[0]).toBe('name,label,hash,disabled,today,week,month,total,limit,limit_remaining,limit_reset,workspace,workspace_id');
  });

  test.each([
    ['--base-url X keys', (url: string) => ['--base-url', url, 'keys']],
    ['keys --base-url X', (url: string) => ['keys', '--base-url', url]],
    ['--base-url=X keys --json', (url: string) => [`--base-url=${url}`, 'keys', '--json']],
  ])('%s asks X, not OPENROUTER_BASE_URL', async (_name, args) => {
    const result = await runCli(args(s.url), { env: env({ OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1' }) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(s.requestsTo('/keys').length).toBeGreaterThan(0);
  });
});

describe('credentials files and keys, through the CLI', () => {
  test('a FIFO named with --credentials-file: exit 2 at once, one line', async () => {
    const sandbox = await makeSandbox();
    try {
      const { execFileSync } = await import('node:child_process');
      execFileSync('mkfifo', [join(sandbox.cwd, 'pipe.env')]);
      const result = await runCli(['--credentials-file', 'pipe.env'], { sandbox, env: { OPENROUTER_BASE_URL: s.url }, killAfterMs: 5000 });
      expect(result.timedOut).toBe(false);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `openrouter-usage: cannot read credentials file ${join(sandbox.cwd, 'pipe.env')}: is a FIFO (named pipe), not a regular file\n`,
      );
    } finally {
      await sandbox.cleanup();
    }
  });

  test('./credentials.env linked to /dev/zero while the keys come from the environment: one warning, the report', async () => {
    const sandbox = await makeSandbox();
    try {
      symlinkSync('/dev/zero', join(sandbox.cwd, 'credentials.env'));
      const result = await runCli(['--format', 'oneline'], { sandbox, env: env({ OPENROUTER_MGMT_KEY: '' }), killAfterMs: 5000 });
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith('OR key $')).toBe(true);
      expect(result.stderr).toBe(`warning: ignoring credentials file ${join(sandbox.cwd, 'credentials.env')}: is a device, not a regular file\n`);
    } finally {
      await sandbox.cleanup();
    }
  });

  test.each([
    ['OPENROUTER_API_KEY', `${API_KEY}\u00e9`],
    ['OPENROUTER_MGMT_KEY', `${MGMT_KEY.slice(0, 20)} ${MGMT_KEY.slice(20)}`],
    ['OPENROUTER_API_KEY', `${API_KEY}\u001b[2J`],
  ])('%s holding a character a header cannot carry: exit 2 naming it, the value never echoed', async (name, value) => {
    const result = await runCli([], { env: env({ [name]: value }) });
    expectCleanRun(result, SECRETS);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `openrouter-usage: ${name} contains a character an HTTP header cannot carry (in the environment); a key is printable ASCII without spaces\n`,
    );
    expect(s.requests).toEqual([]);
  });
});

describe('the cache earns its trust', () => {
  let sandbox: Sandbox;
  const cacheDir = () => join(sandbox.root, 'cache', 'openrouter-usage');
  const cacheEnv = () => env({ XDG_CACHE_HOME: join(sandbox.root, 'cache') });
  const entries = () => readdirSync(cacheDir()).filter((name) => name.endsWith('.json'));

  beforeAll(async () => {
    sandbox = await makeSandbox();
  });
  afterAll(() => sandbox.cleanup());
  afterEach(() => {
    if (existsSync(cacheDir())) chmodSync(cacheDir(), 0o700);
  });

  const figures = () => s.setData({ apiKeyInfo: { ...defaultApiKeyInfo(NOW), usage: 9, usage_daily: 1.25, usage_weekly: 2.5, usage_monthly: 5 } });

  test.each([
    ['a field removed', (entry: any) => delete entry.responses.key.usage_daily],
    ['a figure turned into text', (entry: any) => (entry.responses.key.usage_daily = '1e9')],
    ['a negative figure', (entry: any) => (entry.responses.key.usage_daily = -5)],
    ['an impossible date in /activity', (entry: any) => (entry.responses.activity.value[0].date = '2026-11-00')],
    ['a failed part planted as cached', (entry: any) => (entry.responses.credits = { status: 'failed', error: { message: 'x' } })],
  ])('an entry with %s is deleted and fetched again', async (_name, spoil) => {
    figures();
    const first = await runCli(['--json', '--cache', '600'], { sandbox, env: cacheEnv() });
    expect(first.code).toBe(0);
    const [name] = entries();
    const path = join(cacheDir(), name!);
    const entry = JSON.parse(readFileSync(path, 'utf8'));
    spoil(entry);
    writeFileSync(path, JSON.stringify(entry), { mode: 0o600 });
    s.requests.length = 0;
    const second = await runCli(['--json', '--cache', '600'], { sandbox, env: cacheEnv() });
    expectCleanRun(second, SECRETS);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout).key.usage.today).toBe(1.25);
    expect(s.requestsTo('/key')).toHaveLength(1);
    // Rewritten whole: the next run is a hit.
    expect(JSON.parse(readFileSync(path, 'utf8')).responses.key.usage_daily).toBe(1.25);
  });

  test.each([0o777, 0o775, 0o757])('a cache directory others can write (mode %o): one warning, no cache read or written', async (mode) => {
    mkdirSync(cacheDir(), { recursive: true });
    for (const name of entries()) writeFileSync(join(cacheDir(), name), 'planted');
    chmodSync(cacheDir(), mode);
    s.requests.length = 0;
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['--format', 'oneline', '--cache', '600'], { sandbox, env: cacheEnv() });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        `warning: cache directory ${cacheDir()} is writable by ${mode & 0o002 ? 'others' : 'its group'} (mode 0${mode.toString(8)}); not using the cache\n`,
      );
    }
    expect(s.requestsTo('/key')).toHaveLength(2);
    expect(entries().every((name) => readFileSync(join(cacheDir(), name), 'utf8') === 'planted')).toBe(true);
  });

  test('/keys items keep only the fields the report reads: padding a server adds is not held, nor cached', async () => {
    s.setData({ keys: defaultKeys(NOW).map((k) => ({ ...k, padding: 'p'.repeat(50_000), nested: { deep: ['x'] } })) });
    const result = await runCli(['--json', '--cache', '0'], { sandbox, env: cacheEnv() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).account.keys).toBe(3);
    const text = readFileSync(join(cacheDir(), entries()[0]!), 'utf8');
    expect(text).toContain('"usage_monthly"');
    expect(text).not.toContain('padding');
    expect(text).not.toContain('nested');
  });

  test('a link planted where the entry goes is neither followed on read nor written through', async () => {
    figures();
    await runCli(['--cache', '600'], { sandbox, env: cacheEnv() });
    const [name] = entries();
    const path = join(cacheDir(), name!);
    const victim = join(sandbox.root, 'victim.txt');
    writeFileSync(victim, 'do not touch');
    const { rmSync } = await import('node:fs');
    rmSync(path);
    symlinkSync(victim, path);
    const result = await runCli(['--json', '--cache', '600'], { sandbox, env: cacheEnv() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).key.usage.today).toBe(1.25);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
  });
});

describe('transport', () => {
  /** A raw HTTP/1.1 server: `answer` writes whatever bytes it likes for each request. */
  async function rawServer(answer: (socket: Socket, request: string) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
    const requests: string[] = [];
    const server: Server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        const request = chunk.toString('latin1');
        requests.push(request.split('\r\n')[0]!);
        answer(socket, request);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return {
      url: `http://127.0.0.1:${address.port}/api/v1`,
      requests,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
  const KEY_BODY = JSON.stringify({ data: { label: 'sk-or-v1-abc...xyz', usage: 4, usage_daily: 1.5, usage_weekly: 2.25, usage_monthly: 3.75 } });
  const ok = (body: string) => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

  test.each([
    ['103 Early Hints', 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n'],
    ['102 Processing', 'HTTP/1.1 102 Processing\r\n\r\n'],
    ['two informational responses', 'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'],
  ])('%s before the 200 is skipped', async (_name, informational) => {
    const server = await rawServer((socket, request) => {
      socket.write(informational);
      socket.write(ok(request.startsWith('GET /api/v1/key ') ? KEY_BODY : '{"data":{"total_credits":10,"total_usage":4}}'));
    });
    try {
      const result = await runCli(['--json'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: server.url } });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).key.usage).toEqual({ today: 1.5, week: 2.25, month: 3.75, total: 4 });
      expect(server.requests.filter((line) => line.startsWith('GET /api/v1/key '))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('an unasked-for 100 Continue (which undici refuses as a bad response) is retried, then one clean line, exit 5', async () => {
    const server = await rawServer((socket) => socket.write(`HTTP/1.1 100 Continue\r\n\r\n${ok(KEY_BODY)}`));
    try {
      const result = await runCli(['--deadline', '20'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: server.url } });
      expectCleanRun(result, SECRETS);
      expect(result.code).toBe(5);
      expect(result.stderr).toBe('openrouter-usage: /key: network error (connection closed early) after 4 attempts\n');
    } finally {
      await server.close();
    }
  });

  const rateLimited = (headers: Record<string, string>) => ({ status: 429, headers, times: 1 });

  test.each([
    ['X-RateLimit-Reset in epoch ms', () => ({ 'x-ratelimit-reset': String(NOW.getTime() + 600) })],
    ['X-RateLimit-Reset in epoch seconds', () => ({ 'x-ratelimit-reset': String(Math.ceil(NOW.getTime() / 1000)) })],
    ['retry-after-ms', () => ({ 'retry-after-ms': '300' })],
    ['Retry-After in seconds', () => ({ 'retry-after': '1' })],
  ])('429 with %s: waited for, asked again, exit 0', async (_name, headers) => {
    s.setFault('/key', rateLimited(headers()));
    const result = await runCli(['--json', '--debug'], { env: env() });
    expect(result.code).toBe(0);
    expect(s.requestsTo('/key')).toHaveLength(2);
    expect(result.stderr).toMatch(/^debug: GET \/key attempt 1: HTTP 429 after \d+ ms, retrying in \d+ ms$/m);
  });

  test('429 whose X-RateLimit-Reset is an epoch-ms moment 2 s ahead: the wait is about 2 s, not an immediate retry', async () => {
    s.setFault('/key', rateLimited({ 'x-ratelimit-reset': String(NOW.getTime() + 2000) }));
    const result = await runCli(['--json', '--debug'], { env: env() });
    expect(result.code).toBe(0);
    const wait = Number(/attempt 1: HTTP 429 after \d+ ms, retrying in (\d+) ms/.exec(result.stderr)?.[1]);
    expect(wait).toBeGreaterThan(500);
    expect(wait).toBeLessThanOrEqual(2100);
  });

  test.each([
    ['X-RateLimit-Reset a minute ahead (epoch ms)', () => ({ 'x-ratelimit-reset': String(NOW.getTime() + 60_000) }), 'longer than this tool waits'],
    ['X-RateLimit-Reset past the deadline', () => ({ 'x-ratelimit-reset': String(NOW.getTime() + 8_000) }), "beyond the run's deadline"],
    ['Retry-After past the deadline', () => ({ 'retry-after': '9' }), "beyond the run's deadline"],
  ])('429 with %s: exit 4 at once, one request', async (_name, headers, why) => {
    s.setFault('/key', { status: 429, headers: headers() });
    const result = await runCli(['--deadline', '5'], { env: env() });
    expect(result.code).toBe(4);
    expect(s.requestsTo('/key')).toHaveLength(1);
    expect(result.stderr).toContain(why);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.each([
    ['more than 10,000 keys', 101, 100, 'more than 10,000 keys listed; stopped reading'],
    ['more than 32 MiB', 3, 100, 'more than 32 MiB listed; stopped reading'],
  ])('/keys with %s: paging stops with an error (keys: exit 6)', async (_name, pages, perPage, message) => {
    const padding = message.includes('MiB') ? 'x'.repeat(130_000) : '';
    let served = 0;
    const base = defaultKeys(NOW)[0]!;
    const pageOf = () => JSON.stringify({ data: Array.from({ length: perPage }, () => ({ ...base, hash: `${served++}`.padStart(64, '0'), padding })) });
    // An account without /workspaces (404): every page below is the unscoped /keys.
    const notFound = 'HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';
    const server = await rawServer((socket, request) => socket.write(request.startsWith('GET /api/v1/workspaces') ? notFound : ok(pageOf())));
    try {
      const result = await runCli(['keys'], { env: { OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: server.url } });
      expect(result.code).toBe(6);
      expect(result.stderr).toBe(`openrouter-usage: /keys: invalid response: ${message}\n`);
      expect(server.requests.filter((r) => r.startsWith('GET /api/v1/keys')).length).toBeLessThanOrEqual(pages);
    } finally {
      await server.close();
    }
  });
});

describe('finite figures, real dates, consistent totals', () => {
  test('account totals that overflow: /keys is a warning naming the field, the report goes on', async () => {
    s.setData({ keys: defaultKeys(NOW).map((k) => ({ ...k, usage_monthly: 1.7e308 })) });
    const result = await runCli(['--json'], { env: env() });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.account).toBeNull();
    expect(doc.warnings).toEqual([
      { source: 'keys', message: '/keys: invalid response: usage.month is not a finite number (the amounts sent are too large to add up)' },
    ]);
  });

  test('keys view whose totals overflow: exit 6 naming the field', async () => {
    s.setData({ keys: defaultKeys(NOW).map((k) => ({ ...k, disabled: false, usage_weekly: 1.7e308 })) });
    const result = await runCli(['keys'], { env: env() });
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("openrouter-usage: /keys: invalid response: the keys' usage_weekly add up to more than a number can hold\n");
  });

  test('a daily average that overflows: the breakdown is unavailable, named', async () => {
    s.setData({
      activity: [1, 2].map((day) => ({ ...defaultActivityRows(NOW)[0]!, date: utcDay(NOW, -day), model: 'a/b', usage: 1.7e308, requests: 1 })),
    });
    const result = await runCli(['--json'], { env: env() });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.models).toBeNull();
    expect(doc.warnings.map((w: { message: string }) => w.message)).toContain('/activity: invalid response: the amounts for a/b are too large to add up');
  });

  test('a projection that overflows (cap runway from 1e308 spend): exit 6 naming the field', async () => {
    s.setData({
      apiKeyInfo: {
        ...defaultApiKeyInfo(NOW),
        limit: 100,
        limit_remaining: 50,
        limit_reset: 'monthly',
        include_byok_in_limit: true,
        usage_monthly: 1.7e308,
        byok_usage_monthly: 1.7e308,
        usage: 1.7e308,
        byok_usage: 1.7e308,
      },
    });
    const result = await runCli([], { env: env({ OPENROUTER_MGMT_KEY: '' }) });
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'openrouter-usage: invalid response: runway.dailyAverage is not a finite number (the amounts sent are too large to work with)\n',
    );
  });

  test.each(['2026-11-00', '2026-02-30', '2026-13-01', '2026-11-24X'])('an /activity row dated %s makes /activity invalid, not a lost row', async (date) => {
    s.setData({ activity: [{ ...defaultActivityRows(NOW)[0]!, date, model: 'a/b', usage: 5, requests: 1 }] });
    const result = await runCli(['--json'], { env: env() });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.models).toBeNull();
    expect(doc.warnings).toEqual([
      { source: 'activity', message: `/activity: invalid response: data[0].date is not a YYYY-MM-DD date, got the string ${JSON.stringify(date)}` },
    ]);
  });

  test.each([
    ['an empty /keys list', () => []],
    [
      'a /keys list without this key',
      () =>
        defaultKeys(NOW)
          .slice(1)
          .map((k) => ({ ...k, usage_daily: 0, usage_weekly: 0, usage_monthly: 0 })),
    ],
  ])('%s: account totals below this key’s own are a warning, not figures', async (_name, keys) => {
    s.setData({ apiKeyInfo: { ...defaultApiKeyInfo(NOW), usage_daily: 2, usage_weekly: 3, usage_monthly: 4 }, keys: keys() });
    const json = await runCli(['--json'], { env: env() });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.account).toBeNull();
    expect(doc.key.usage.today).toBe(2);
    expect(doc.warnings).toEqual([
      {
        source: 'keys',
        message: `/keys: the account's live today total ($0.00 over ${keys().length} listed keys) is below this key's own ($2.00); account totals not shown`,
      },
    ]);
    const text = await runCli(['--no-color'], { env: env() });
    expect(text.stdout).not.toContain('Account:');
    expect(text.stderr).toBe(`warning: ${doc.warnings[0].message}\n`);
  });
});
