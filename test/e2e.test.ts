// End-to-end: the built CLI (npm run build) against the local OpenRouter stand-in.
// Expected figures are computed from the stand-in's data builders, never copied by hand.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ANSI, ROOT, expectCleanRun, lines, makeSandbox, runCli, type CliResult, type RunOptions, type Sandbox } from './run-cli.js';
import {
  API_KEY,
  MGMT_KEY,
  defaultApiKeyInfo,
  fakeKey,
  maskKey,
  secretOf,
  startStandIn,
  utcDay,
  type ActivityRow,
  type Credits,
  type Fault,
  type FaultPath,
  type KeyInfo,
  type KeyListItem,
  type StandIn,
} from './server.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const it = test.extend<{ s: StandIn }>({
  // eslint-disable-next-line no-empty-pattern
  s: async ({}, use) => {
    const s = await startStandIn();
    await use(s);
    await s.close();
  },
});

const OTHER_KEY = fakeKey('f', 'a key the stand-in does not know');
const SECRETS = [API_KEY, MGMT_KEY, OTHER_KEY].map(secretOf);
const BOTH_KEYS = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY };
const API_ONLY = { OPENROUTER_API_KEY: API_KEY };

/** Runs the CLI against `s` (if given) and checks what every run must satisfy. */
async function run(s: StandIn | undefined, args: string[], env: Record<string, string> = {}, opts: Omit<RunOptions, 'env'> = {}): Promise<CliResult> {
  const res = await runCli(args, { ...opts, env: { ...(s ? { OPENROUTER_BASE_URL: s.url } : {}), ...env } });
  expectCleanRun(res, SECRETS);
  return res;
}

/** Exactly one non-empty stderr line, and nothing else on stderr. */
function oneStderrLine(res: CliResult): string {
  expect(res.stderr.trimEnd().split('\n'), `stderr: ${JSON.stringify(res.stderr)}`).toHaveLength(1);
  expect(res.stderr.trim()).not.toBe('');
  return res.stderr.trim();
}

/** `$` + 2 decimals, half-up on the decimal value; non-zero amounts under a cent print `<$0.01`. */
function usd(x: number): string {
  const cents = Math.round(Number((Math.abs(x) * 100).toPrecision(12)));
  if (cents === 0 && x !== 0) return '<$0.01';
  return `${x < 0 ? '-' : ''}$${(cents / 100).toFixed(2)}`;
}

function lineStarting(res: CliResult, prefix: string): string | undefined {
  return lines(res.stdout).find((l) => l.startsWith(prefix));
}

function todayLine(k: KeyInfo): string {
  return `Today: ${usd(k.usage_daily)}* | Week: ${usd(k.usage_weekly)} | Month: ${usd(k.usage_monthly)}`;
}

function expectTotalsLine(res: CliResult, k: KeyInfo): void {
  const want = todayLine(k);
  expect(lineStarting(res, 'Today:')?.slice(0, want.length)).toBe(want);
}

function expectBalanceLine(res: CliResult, c: Credits): void {
  const want = `Balance: ${usd(c.total_credits - c.total_usage)} / ${usd(c.total_credits)}`;
  expect(lineStarting(res, 'Balance:')?.slice(0, want.length)).toBe(want);
}

/** `Account: Today: $x* | Week: $y | Month: $z`: the live counters of every key /keys lists. */
function expectAccountLine(res: CliResult, keys: KeyListItem[]): void {
  const sum = (f: (k: KeyListItem) => number): number => keys.reduce((acc, k) => acc + f(k), 0);
  const want = `Account: Today: ${usd(sum((k) => k.usage_daily))}* | Week: ${usd(sum((k) => k.usage_weekly))} | Month: ${usd(sum((k) => k.usage_monthly))}`;
  expect(lineStarting(res, 'Account:')?.slice(0, want.length)).toBe(want);
}

function expectFootnoteLast(res: CliResult): void {
  expect(lines(res.stdout).at(-1)).toMatch(/^\* /);
}

interface ModelSum {
  model: string;
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/** Per-model sums over the `days` completed UTC days before now, by spend, highest first. */
function expectedModels(rows: ActivityRow[], days: number, now = new Date()): { from: string; to: string; items: ModelSum[] } {
  const from = utcDay(now, -days);
  const to = utcDay(now, -1);
  const byModel = new Map<string, ModelSum>();
  for (const r of rows) {
    if (r.date < from || r.date > to) continue;
    const m = byModel.get(r.model) ?? {
      model: r.model,
      usage: 0,
      byokUsage: 0,
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
    };
    m.usage += r.usage;
    m.byokUsage += r.byok_usage_inference;
    m.requests += r.requests;
    m.promptTokens += r.prompt_tokens;
    m.completionTokens += r.completion_tokens;
    m.reasoningTokens += r.reasoning_tokens;
    byModel.set(r.model, m);
  }
  return { from, to, items: [...byModel.values()].sort((a, b) => b.usage - a.usage) };
}

/** Short name (after the last `/`) unless another model shares it. */
function displayName(model: string, all: ModelSum[]): string {
  const short = (m: string): string => m.slice(m.lastIndexOf('/') + 1);
  return all.filter((m) => short(m.model) === short(model)).length > 1 ? model : short(model);
}

const MORE_LINE = /^• (\d+) more/;

/** `• name: $x (requests)` lines in order; a `• N more` line if not all are shown. */
function expectModelLines(res: CliResult, items: ModelSum[], top?: number): void {
  const bullets = lines(res.stdout).filter((l) => l.startsWith('• '));
  const shown = bullets.filter((l) => !MORE_LINE.test(l));
  const more = bullets.filter((l) => MORE_LINE.test(l));
  if (top !== undefined) expect(shown).toHaveLength(Math.min(top, items.length));
  expect(shown.length).toBeGreaterThan(0);
  const want = items.slice(0, shown.length).map((m) => `• ${displayName(m.model, items)}: ${usd(m.usage)} (${m.requests})`);
  expect(shown.map((l, i) => l.slice(0, want[i]?.length ?? l.length))).toEqual(want);
  if (shown.length < items.length) {
    expect(more).toHaveLength(1);
    expect(more[0]).toMatch(new RegExp(`^• ${items.length - shown.length} more`));
  } else {
    expect(more).toEqual([]);
  }
}

const UsageDoc = z.object({ today: z.number(), week: z.number(), month: z.number(), total: z.number() });
const ReportDoc = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.iso.datetime({ offset: true }),
  key: z.object({
    label: z.string(),
    isManagementKey: z.boolean(),
    isFreeTier: z.boolean(),
    usage: UsageDoc.nullable(),
    byokUsage: UsageDoc.nullable(),
    limit: z.number().nullable(),
    limitRemaining: z.number().nullable(),
    limitReset: z.string().nullable(),
  }),
  credits: z.object({ total: z.number(), used: z.number(), remaining: z.number() }).nullable(),
  models: z
    .object({
      days: z.number().int(),
      from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      items: z.array(
        z.object({
          model: z.string(),
          usage: z.number(),
          byokUsage: z.number(),
          requests: z.number().int(),
          promptTokens: z.number().int(),
          completionTokens: z.number().int(),
          reasoningTokens: z.number().int(),
        }),
      ),
    })
    .nullable(),
  warnings: z.array(z.object({ source: z.string(), message: z.string() })),
  demo: z.boolean(),
});
type Report = z.infer<typeof ReportDoc>;

/** stdout must be exactly one JSON document of the documented shape. */
function parseReport(res: CliResult): Report {
  let raw: unknown;
  expect(() => (raw = JSON.parse(res.stdout)), `stdout is not one JSON document: ${res.stdout.slice(0, 300)}`).not.toThrow();
  const parsed = ReportDoc.safeParse(raw);
  expect(parsed.error?.issues ?? []).toEqual([]);
  return parsed.data!;
}

function expectItems(actual: Report['models'], expected: ModelSum[]): void {
  expect(actual).not.toBeNull();
  const items = actual!.items;
  expect(items.map((m) => m.model)).toEqual(expected.map((m) => m.model));
  items.forEach((got, i) => {
    const want = expected[i]!;
    expect(got.usage, got.model).toBeCloseTo(want.usage, 9);
    expect(got.byokUsage, got.model).toBeCloseTo(want.byokUsage, 9);
    expect({ ...got, usage: 0, byokUsage: 0 }).toEqual({ ...want, usage: 0, byokUsage: 0 });
  });
}

function expectKeyUsage(r: Report, k: KeyInfo): void {
  expect(r.key.usage).toEqual({ today: k.usage_daily, week: k.usage_weekly, month: k.usage_monthly, total: k.usage });
  expect(r.key.byokUsage).toEqual({
    today: k.byok_usage_daily,
    week: k.byok_usage_weekly,
    month: k.byok_usage_monthly,
    total: k.byok_usage,
  });
}

const bearer = (key: string): string => `Bearer ${key}`;

function authsOf(s: StandIn, path: string): Array<string | undefined> {
  return s.requestsTo(path).map((r) => r.authorization);
}

async function writeEnvFile(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode });
  await chmod(path, mode);
}

const SLOW = { timeout: 30_000 };

// ---------------------------------------------------------------------------------------------

describe.concurrent('text report', SLOW, () => {
  it('API key only: totals, no fabricated balance, no /activity, silent 403 on /credits', async ({ s }) => {
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout.startsWith('💰 OpenRouter Usage')).toBe(true);
    expectTotalsLine(res, s.data.apiKeyInfo);
    expect(res.stdout).not.toMatch(/Balance: \$/);
    expect(lineStarting(res, 'Balance')).toMatch(/management key|OPENROUTER_MGMT_KEY/i);
    const all = lines(res.stdout);
    const modelsAt = all.findIndex((l) => /model/i.test(l) && !l.startsWith('* '));
    expect(modelsAt).toBeGreaterThan(-1);
    expect(all.slice(modelsAt).some((l) => l.includes('OPENROUTER_MGMT_KEY'))).toBe(true);
    expect(all.filter((l) => l.startsWith('• '))).toEqual([]);
    expectFootnoteLast(res);
    expect(s.requestsTo('/activity')).toEqual([]);
    expect(authsOf(s, '/key')).toEqual([bearer(API_KEY)]);
    expect(authsOf(s, '/credits')).toEqual([bearer(API_KEY)]);
  });

  it('API key with a cap: shows the cap, labelled, not as the account balance', async ({ s }) => {
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, limit: 20, limit_remaining: 12.5, limit_reset: 'monthly' } });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).not.toMatch(/Balance: \$/);
    const capLine = lines(res.stdout).find((l) => l.includes('$12.50') && l.includes('$20.00'));
    expect(capLine, res.stdout).toBeDefined();
    expect(capLine).toMatch(/limit|cap/i);
    expect(capLine).toMatch(/monthly/);
    const json = parseReport(await run(s, ['--json'], API_ONLY));
    expect(json.key).toMatchObject({ limit: 20, limitRemaining: 12.5, limitReset: 'monthly' });
    expect(json.credits).toBeNull();
  });

  it('API + management key: balance, models by spend over 7 days, requests in parallel', async ({ s }) => {
    s.latencyMs = 300;
    // Every model listed, so that both gpt-oss-120b rows show under their full names.
    const res = await run(s, ['--top', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout.startsWith('💰 OpenRouter Usage')).toBe(true);
    expectTotalsLine(res, s.data.apiKeyInfo);
    expectBalanceLine(res, s.data.credits);
    if (lineStarting(res, 'Account:') !== undefined) expectAccountLine(res, s.data.keys);
    expect(lines(res.stdout)).toContain('Recent Models (7d):');
    const { items } = expectedModels(s.data.activity, 7);
    expectModelLines(res, items);
    expect(items.map((m) => m.model)).toContain('openai/gpt-oss-120b');
    expect(res.stdout).toMatch(/^• openai\/gpt-oss-120b: /m);
    expect(res.stdout).toMatch(/^• groq\/gpt-oss-120b: /m);
    expectFootnoteLast(res);

    expect(authsOf(s, '/key')).toEqual([bearer(API_KEY)]);
    expect(new Set(authsOf(s, '/credits'))).toEqual(new Set([bearer(MGMT_KEY)]));
    expect(new Set(authsOf(s, '/activity'))).toEqual(new Set([bearer(MGMT_KEY)]));
    const first = ['/key', '/credits', '/activity'].map((p) => s.requestsTo(p)[0]!);
    for (const a of first) {
      for (const b of first) {
        if (a === b) continue;
        expect(a.startedAt, `${a.path} started after ${b.path} ended`).toBeLessThan(b.endedAt!);
      }
    }
  });

  it('a model under a cent prints <$0.01', async ({ s }) => {
    const res = await run(s, ['--top', '10'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^• llama-3\.3-70b-instruct: <\$0\.01 \(\d+\)/m);
  });

  it.for([
    { name: 'half-up rounding and <$0.01', daily: 0.004, weekly: 1.005, monthly: 2.675, want: 'Today: <$0.01* | Week: $1.01 | Month: $2.68' },
    { name: 'zero is $0.00', daily: 0, weekly: 0.015, monthly: 10, want: 'Today: $0.00* | Week: $0.02 | Month: $10.00' },
  ])('amounts: $name', async ({ daily, weekly, monthly, want }, { s }) => {
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, usage_daily: daily, usage_weekly: weekly, usage_monthly: monthly } });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(lineStarting(res, 'Today:')?.slice(0, want.length)).toBe(want);
  });

  it('--days 3 changes the window', async ({ s }) => {
    const res = await run(s, ['--days', '3'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(lines(res.stdout)).toContain('Recent Models (3d):');
    expectModelLines(res, expectedModels(s.data.activity, 3).items);
  });

  it('--top 1 shows one model and a summary line', async ({ s }) => {
    const res = await run(s, ['--top', '1'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expectModelLines(res, expectedModels(s.data.activity, 7).items, 1);
  });

  it('management key as OPENROUTER_API_KEY: no live totals, balance and models', async ({ s }) => {
    const res = await run(s, [], { OPENROUTER_API_KEY: MGMT_KEY });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const today = lineStarting(res, 'Today');
    if (today !== undefined) expect(today).not.toMatch(/\$\d/);
    // Live totals either come from the account's keys (/keys) or are said to need an inference key.
    if (lineStarting(res, 'Account:') !== undefined) expectAccountLine(res, s.data.keys);
    else expect(res.stdout).toMatch(/inference key/i);
    expectBalanceLine(res, s.data.credits);
    expectModelLines(res, expectedModels(s.data.activity, 7).items);
    for (const r of s.requests) expect(r.authorization).toBe(bearer(MGMT_KEY));
    const key = s.requestsTo('/key')[0]!;
    const activity = s.requestsTo('/activity')[0]!;
    expect(activity.startedAt).toBeGreaterThanOrEqual(key.endedAt!);
  });

  it('--demo needs no key and makes no request', async ({ s }) => {
    const res = await run(s, ['--demo']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout.startsWith('💰 OpenRouter Usage')).toBe(true);
    expect(res.stdout).toMatch(/demo/i);
    const json = await run(s, ['--demo', '--json']);
    expect(json.code).toBe(0);
    expect(parseReport(json).demo).toBe(true);
    expect(s.requests).toEqual([]);
  });

  it('no OPENROUTER_API_KEY: exit 2, one line naming it, no request', async ({ s }) => {
    const res = await run(s, []);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(oneStderrLine(res)).toContain('OPENROUTER_API_KEY');
    expect(s.requests).toEqual([]);
  });

  it('no ANSI escapes with --no-color (even with FORCE_COLOR) or when piped', async ({ s }) => {
    s.setFault('/credits', { status: 500 });
    const [forced, piped] = await Promise.all([run(s, ['--no-color'], { ...BOTH_KEYS, FORCE_COLOR: '1' }), run(s, [], BOTH_KEYS)]);
    for (const res of [forced, piped]) {
      expect(res.code).toBe(0);
      expect(res.stderr).not.toBe('');
      expect(res.stdout).not.toMatch(ANSI);
      expect(res.stderr).not.toMatch(ANSI);
    }
  });

  it('--version and --help make no request', async ({ s }) => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const version = await run(s, ['--version'], API_ONLY);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run(s, ['--help'], API_ONLY);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--json/);
    expect(help.stdout).toMatch(/OPENROUTER_API_KEY/);
    expect(s.requests).toEqual([]);
  });
});

describe.concurrent('--json', SLOW, () => {
  it('API key only: key figures unrounded, credits and models null', async ({ s }) => {
    const t0 = Date.now();
    const res = await run(s, ['--json'], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const r = parseReport(res);
    const k = s.data.apiKeyInfo;
    expect(Date.parse(r.generatedAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(r.generatedAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(r.key).toMatchObject({
      label: k.label,
      isManagementKey: false,
      isFreeTier: false,
      limit: null,
      limitRemaining: null,
      limitReset: null,
    });
    expect(r.key.label).toBe(maskKey(API_KEY));
    expectKeyUsage(r, k);
    expect(r.credits).toBeNull();
    expect(r.models).toBeNull();
    expect(r.warnings.filter((w) => w.source === 'credits')).toEqual([]);
    expect(r.demo).toBe(false);
    expect(s.requestsTo('/activity')).toEqual([]);
  });

  it('API + management key: credits and per-model sums over 7 days', async ({ s }) => {
    const res = await run(s, ['--json'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const r = parseReport(res);
    expectKeyUsage(r, s.data.apiKeyInfo);
    const c = s.data.credits;
    expect(r.credits?.total).toBe(c.total_credits);
    expect(r.credits?.used).toBe(c.total_usage);
    expect(r.credits?.remaining).toBeCloseTo(c.total_credits - c.total_usage, 9);
    const want = expectedModels(s.data.activity, 7);
    expect(r.models).toMatchObject({ days: 7, from: want.from, to: want.to });
    expectItems(r.models, want.items);
    expect(r.warnings).toEqual([]);
    expect(r.demo).toBe(false);
  });

  it.for([3, 30])('--days %i changes from/to and the sums, and never counts today', async (days, { s }) => {
    const r = parseReport(await run(s, ['--json', '--days', String(days)], BOTH_KEYS));
    const want = expectedModels(s.data.activity, days);
    expect(r.models).toMatchObject({ days, from: want.from, to: want.to });
    expectItems(r.models, want.items);
    expect(r.models?.items.map((m) => m.model)).not.toContain('x-ai/grok-4');
  });

  it('--top does not cut JSON items', async ({ s }) => {
    const r = parseReport(await run(s, ['--json', '--top', '1'], BOTH_KEYS));
    expectItems(r.models, expectedModels(s.data.activity, 7).items);
  });

  it('management key as OPENROUTER_API_KEY: usage null, credits and models present', async ({ s }) => {
    const res = await run(s, ['--json'], { OPENROUTER_API_KEY: MGMT_KEY });
    expect(res.code).toBe(0);
    const r = parseReport(res);
    expect(r.key.isManagementKey).toBe(true);
    expect(r.key.usage).toBeNull();
    expect(r.key.byokUsage).toBeNull();
    expect(r.credits?.total).toBe(s.data.credits.total_credits);
    expectItems(r.models, expectedModels(s.data.activity, 7).items);
  });
});

describe.concurrent('keys from files', SLOW, () => {
  type Place = 'credentials-file' | 'cwd' | 'xdg';
  function placeFile(sb: Sandbox, place: Place): { path: string; args: string[] } {
    switch (place) {
      case 'credentials-file': {
        const path = join(sb.root, 'my-keys.env');
        return { path, args: ['--credentials-file', path] };
      }
      case 'cwd':
        return { path: join(sb.cwd, 'credentials.env'), args: [] };
      case 'xdg':
        return { path: join(sb.xdgConfigHome, 'openrouter-usage', 'credentials.env'), args: [] };
    }
  }
  const PLACES: Place[] = ['credentials-file', 'cwd', 'xdg'];

  async function withSandbox<T>(fn: (sb: Sandbox) => Promise<T>): Promise<T> {
    const sb = await makeSandbox();
    try {
      return await fn(sb);
    } finally {
      await sb.cleanup();
    }
  }

  it.for(PLACES)('keys read from %s (mode 0600): no warning', async (place, { s }) => {
    await withSandbox(async (sb) => {
      const { path, args } = placeFile(sb, place);
      await writeEnvFile(path, `# OpenRouter keys\nOPENROUTER_API_KEY="${API_KEY}"\nOPENROUTER_MGMT_KEY=${MGMT_KEY}\n`, 0o600);
      const res = await run(s, args, {}, { sandbox: sb });
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
      expectTotalsLine(res, s.data.apiKeyInfo);
      expectBalanceLine(res, s.data.credits);
      expect(authsOf(s, '/key')).toEqual([bearer(API_KEY)]);
      expect(new Set(authsOf(s, '/credits'))).toEqual(new Set([bearer(MGMT_KEY)]));
    });
  });

  it.for(PLACES)('the environment wins over %s', async (place, { s }) => {
    await withSandbox(async (sb) => {
      const { path, args } = placeFile(sb, place);
      await writeEnvFile(path, `OPENROUTER_API_KEY=${OTHER_KEY}\n`, 0o600);
      const res = await run(s, args, API_ONLY, { sandbox: sb });
      expect(res.code).toBe(0);
      expect(authsOf(s, '/key')).toEqual([bearer(API_KEY)]);
    });
  });

  it.for(PLACES)('%s readable by others (0644): one warning line, still exit 0', async (place, { s }) => {
    await withSandbox(async (sb) => {
      const { path, args } = placeFile(sb, place);
      await writeEnvFile(path, `OPENROUTER_API_KEY=${API_KEY}\n`, 0o644);
      const res = await run(s, args, {}, { sandbox: sb });
      expect(res.code).toBe(0);
      const warning = oneStderrLine(res);
      expect(warning).toContain(place === 'credentials-file' ? 'my-keys.env' : 'credentials.env');
      expect(warning).toMatch(/permission|mode|0?644|chmod|readable/i);
      expectTotalsLine(res, s.data.apiKeyInfo);
    });
  });

  it('other variables in the file leak nowhere (output, requests, proxy settings)', async ({ s }) => {
    await withSandbox(async (sb) => {
      const canary = 'canary-7f3e9b2d41c8';
      const dead = 'http://127.0.0.1:9';
      await writeEnvFile(
        join(sb.cwd, 'credentials.env'),
        [
          `OPENROUTER_API_KEY=${API_KEY}`,
          `OPENROUTER_MGMT_KEY=${MGMT_KEY}`,
          `SOME_OTHER_SECRET=${canary}`,
          `HTTP_PROXY=${dead}`,
          `HTTPS_PROXY=${dead}`,
          `ALL_PROXY=${dead}`,
          `http_proxy=${dead}`,
          `FORCE_COLOR=3`,
          '',
        ].join('\n'),
        0o600,
      );
      const text = await run(s, [], {}, { sandbox: sb });
      const json = await run(s, ['--json'], {}, { sandbox: sb });
      for (const res of [text, json]) {
        expect(res.code).toBe(0);
        expect(res.stdout + res.stderr).not.toContain(canary);
        expect(res.stdout).not.toMatch(ANSI);
      }
      expect(JSON.stringify(s.requests.map((r) => r.headers))).not.toContain(canary);
      expect(s.requestsTo('/key')).toHaveLength(2);
    });
  });
});

describe.concurrent('keys command', SLOW, () => {
  it('lists every enabled key with its live counters, asked with the management key', async ({ s }) => {
    const res = await run(s, ['keys'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const calls = s.requestsTo('/keys');
    expect(new Set(calls.map((r) => r.authorization))).toEqual(new Set([bearer(MGMT_KEY)]));
    // Fewer keys than a page (100): one request, no second one that could only come back empty.
    expect(calls.map((r) => r.query.get('offset'))).toEqual(['0']);
    for (const k of s.data.keys.filter((key) => !key.disabled)) {
      const row = lines(res.stdout).find((l) => l.startsWith(`${k.name} `));
      expect(row, `${k.name} in\n${res.stdout}`).toBeDefined();
      for (const amount of [k.usage_daily, k.usage_weekly, k.usage_monthly]) expect(row).toContain(usd(amount));
    }
  });

  it.for([
    [230, ['0', '100', '200']],
    [200, ['0', '100', '200']],
    [100, ['0', '100']],
  ] as const)('%i keys: pages at offsets %j, and every key is counted', async ([count, offsets], { s }) => {
    const base = s.data.keys[0]!;
    const many = Array.from({ length: count }, (_, i) => ({
      ...base,
      hash: `h${i.toString().padStart(6, '0')}`,
      name: `key ${i}`,
      disabled: false,
      usage_monthly: 0.01,
      usage_daily: 0.001,
      usage_weekly: 0.005,
    }));
    s.setData({ keys: many });
    const res = await run(s, ['keys', '--json'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(s.requestsTo('/keys').map((r) => r.query.get('offset'))).toEqual(offsets);
    const doc = JSON.parse(res.stdout);
    expect(doc.keys).toHaveLength(count);
    expect(doc.totals.usage.month).toBeCloseTo(count * 0.01, 9);
  });

  it('with an API key only: exit 3, one line naming OPENROUTER_MGMT_KEY', async ({ s }) => {
    const res = await run(s, ['keys'], API_ONLY);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(oneStderrLine(res)).toContain('OPENROUTER_MGMT_KEY');
  });
});

describe.concurrent('usage errors exit 2 without a request', SLOW, () => {
  it.for(
    [['--days', '0'], ['--days', '31'], ['--days', 'abc'], ['--top', '-1'], ['--timeout', 'abc'], ['--bogus'], ['--base-url', 'http://example.com']].map(
      (args) => ({ name: args.join(' '), args }),
    ),
  )('$name', async ({ args }, { s }) => {
    const res = await run(s, args, BOTH_KEYS);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    oneStderrLine(res);
    expect(s.requests).toEqual([]);
  });

  it('--base-url accepts plain http on loopback', async ({ s }) => {
    const res = await run(undefined, ['--base-url', s.url], API_ONLY);
    expect(res.code).toBe(0);
    expect(s.requestsTo('/key')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Faults

interface FaultCase {
  name: string;
  path: FaultPath;
  fault: Fault;
  code: number;
  args?: string[];
  env?: Record<string, string>;
  /** How many requests the faulty path must see. */
  attempts?: number;
  stderr?: RegExp;
  maxMs?: number;
}

const failures: FaultCase[] = [
  { name: '/key 401', path: '/key', fault: { status: 401 }, code: 3, attempts: 1 },
  { name: '/key 403', path: '/key', fault: { status: 403 }, code: 3, attempts: 1 },
  { name: '/key 429 always', path: '/key', fault: { status: 429 }, code: 4, attempts: 4 },
  { name: '/key 503 always', path: '/key', fault: { status: 503 }, code: 5, attempts: 4 },
  { name: '/key HTML 502 always', path: '/key', fault: { kind: 'html', status: 502 }, code: 5, attempts: 4 },
  { name: '/key reset always', path: '/key', fault: { kind: 'reset' }, code: 5 },
  { name: '/key reset mid-body always', path: '/key', fault: { kind: 'reset-mid-body' }, code: 5 },
  { name: '/key truncated JSON', path: '/key', fault: { kind: 'truncated-json' }, code: 6 },
  {
    name: '/key without usage_daily',
    path: '/key',
    fault: { kind: 'json', body: { data: (({ usage_daily: _, ...rest }) => rest)(defaultApiKeyInfo()) } },
    code: 6,
    stderr: /usage_daily/,
  },
  {
    name: '/key usage_daily as a string',
    path: '/key',
    fault: { kind: 'json', body: { data: { ...defaultApiKeyInfo(), usage_daily: '1.23' } } },
    code: 6,
    stderr: /usage_daily/,
  },
  { name: '/key data is an array', path: '/key', fault: { kind: 'json', body: { data: [] } }, code: 6 },
  { name: '/key hang with --timeout 2', path: '/key', fault: { kind: 'hang' }, args: ['--timeout', '2', '--deadline', '6'], code: 5, maxMs: 15_000 },
  {
    name: '/key body dripping with --timeout 2',
    path: '/key',
    fault: { kind: 'slow-drip', intervalMs: 100 },
    args: ['--timeout', '2', '--deadline', '6'],
    code: 5,
    maxMs: 15_000,
  },
];

describe.concurrent('faults that fail the run', SLOW, () => {
  it.for(failures)('$name → exit $code', async (c, { s }) => {
    s.setFault(c.path, c.fault);
    const res = await run(s, c.args ?? [], c.env ?? API_ONLY);
    expect(res.code).toBe(c.code);
    const line = oneStderrLine(res);
    expect(line).not.toMatch(/<\/?[a-z]+>/i);
    if (c.stderr) expect(line).toMatch(c.stderr);
    if (c.attempts !== undefined) expect(s.requestsTo(c.path)).toHaveLength(c.attempts);
    if (c.maxMs !== undefined) expect(res.ms).toBeLessThan(c.maxMs);
    expect(res.stdout).not.toMatch(/^Today: \$/m);
  });

  it.for([400, 404])('/key %i: not retried, non-zero exit', async (status, { s }) => {
    s.setFault('/key', { status });
    const res = await run(s, [], API_ONLY);
    expect(res.code).not.toBe(0);
    oneStderrLine(res);
    expect(s.requestsTo('/key')).toHaveLength(1);
  });

  it('a redirect to another host is not followed', async ({ s }) => {
    const other = await startStandIn();
    try {
      s.setFault('/key', { kind: 'redirect', location: `${other.url}/key` });
      const res = await run(s, [], API_ONLY);
      expect(res.code).not.toBe(0);
      expect(res.code).not.toBeNull();
      oneStderrLine(res);
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe.concurrent('faults the run recovers from', SLOW, () => {
  it('/key 429 with Retry-After: 1 once: waits, retries, succeeds', async ({ s }) => {
    s.setFault('/key', { status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expectTotalsLine(res, s.data.apiKeyInfo);
    const [first, second] = s.requestsTo('/key');
    expect(s.requestsTo('/key')).toHaveLength(2);
    expect(second!.startedAt - first!.endedAt!).toBeGreaterThanOrEqual(900);
  });

  it.for([408, 500, 502, 503, 504, 520, 524])('/key %i once: retried, succeeds', async (status, { s }) => {
    s.setFault('/key', { status, times: 1 });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expectTotalsLine(res, s.data.apiKeyInfo);
    expect(s.requestsTo('/key')).toHaveLength(2);
  });

  it('/key reset once: retried, succeeds', async ({ s }) => {
    s.setFault('/key', { kind: 'reset', times: 1 });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expectTotalsLine(res, s.data.apiKeyInfo);
    expect(s.requestsTo('/key')).toHaveLength(2);
  });

  it.for<{ name: string; path: FaultPath; fault: Fault; source: string; word: RegExp; args?: string[] }>([
    { name: '/credits 500 always', path: '/credits', fault: { status: 500 }, source: 'credits', word: /credits/i },
    { name: '/activity 403', path: '/activity', fault: { status: 403 }, source: 'activity', word: /activity|models/i },
    {
      name: '/credits hang with --timeout 2',
      path: '/credits',
      fault: { kind: 'hang' },
      source: 'credits',
      word: /credits/i,
      args: ['--timeout', '2', '--deadline', '6'],
    },
    {
      name: '/activity hang with --timeout 2',
      path: '/activity',
      fault: { kind: 'hang' },
      source: 'activity',
      word: /activity|models/i,
      args: ['--timeout', '2', '--deadline', '6'],
    },
  ])('$name with a management key: exit 0, totals, one warning', async (c, { s }) => {
    s.setFault(c.path, c.fault);
    const args = c.args ?? [];
    const [res, json] = await Promise.all([run(s, args, BOTH_KEYS), run(s, ['--json', ...args], BOTH_KEYS)]);
    expect(res.code).toBe(0);
    expect(res.ms).toBeLessThan(15_000);
    expect(oneStderrLine(res)).toMatch(c.word);
    expectTotalsLine(res, s.data.apiKeyInfo);
    if (c.source === 'credits') {
      expect(res.stdout).not.toMatch(/Balance: \$/);
      expectModelLines(res, expectedModels(s.data.activity, 7).items);
    } else {
      expectBalanceLine(res, s.data.credits);
      expect(lines(res.stdout).filter((l) => l.startsWith('• '))).toEqual([]);
    }

    expect(json.code).toBe(0);
    if (json.stderr !== '') expect(oneStderrLine(json)).toMatch(c.word);
    const r = parseReport(json);
    expect(r.warnings.map((w) => w.source)).toEqual([c.source]);
    expectKeyUsage(r, s.data.apiKeyInfo);
    if (c.source === 'credits') {
      expect(r.credits).toBeNull();
      expect(r.models).not.toBeNull();
    } else {
      expect(r.models).toBeNull();
      expect(r.credits).not.toBeNull();
    }
  });
});
