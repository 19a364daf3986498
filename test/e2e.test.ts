// End-to-end: the CLI (in-process) against the local OpenRouter stand-in, both pinned to one
// moment (NOW). Expected figures are written out literally, worked out by hand from the stand-in's
// spend events (test/server.ts), never computed by code like the code under test.
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
  type Fault,
  type FaultPath,
  type StandIn,
  WITHOUT_ANALYTICS,
} from './server.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Wednesday 11 March 2026, noon UTC: this week runs from Monday the 9th, this month from the 1st.
 * The stand-in builds its data around it and every run's clock is pinned to it (FAKE_CLOCK_NOW), so
 * the figures below are fixed, whatever the real date or time of day.
 */
const NOW = '2026-03-11T12:00:00.000Z';

const it = test.extend<{ s: StandIn }>({
  // eslint-disable-next-line no-empty-pattern
  s: async ({}, use) => {
    const s = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
    await use(s);
    await s.close();
  },
});

const OTHER_KEY = fakeKey('f', 'a key the stand-in does not know');
const SECRETS = [API_KEY, MGMT_KEY, OTHER_KEY].map(secretOf);
const BOTH_KEYS = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY };
const API_ONLY = { OPENROUTER_API_KEY: API_KEY };

/** Runs the CLI against `s` (if given), its clock pinned to NOW, and checks what every run must satisfy. */
async function run(s: StandIn | undefined, args: string[], env: Record<string, string> = {}, opts: Omit<RunOptions, 'env'> = {}): Promise<CliResult> {
  const res = await runCli(args, { ...opts, env: { FAKE_CLOCK_NOW: NOW, ...(s ? { OPENROUTER_BASE_URL: s.url } : {}), ...env } });
  expectCleanRun(res, SECRETS);
  return res;
}

/** Exactly one non-empty stderr line, and nothing else on stderr. */
function oneStderrLine(res: CliResult): string {
  expect(res.stderr.trimEnd().split('\n'), `stderr: ${JSON.stringify(res.stderr)}`).toHaveLength(1);
  expect(res.stderr.trim()).not.toBe('');
  return res.stderr.trim();
}

function lineStarting(res: CliResult, prefix: string): string | undefined {
  return lines(res.stdout).find((l) => l.startsWith(prefix));
}

function bulletLines(res: CliResult): string[] {
  return lines(res.stdout).filter((l) => l.startsWith('• '));
}

/** `count` lines from the first one starting with `prefix`: a message wrapped to the 80 columns of a run without a terminal. */
function linesFrom(res: CliResult, prefix: string, count: number): string[] {
  const all = lines(res.stdout);
  const at = all.findIndex((l) => l.startsWith(prefix));
  return at === -1 ? [] : all.slice(at, at + count);
}

function expectFootnoteLast(res: CliResult): void {
  expect(lines(res.stdout).at(-1)).toBe('* indicates live totals that may not yet appear in model breakdowns.');
}

// ---------------------------------------------------------------------------------------------
// The default account at NOW, worked out by hand from test/server.ts (buildData). Every day's spend
// of the default workspace is shared 60/40 by API_KEY (key "default") and the capped "ci" key.
//
// Credit spend per UTC day (the sum of that day's /activity rows):
//   today 03-11: gpt-4.1 at OpenAI $5.5555 + grok-4 $3.3333 × 1.5 = 10.55545 (live counters only)
//   03-10 1.82596 · 03-09 2.15742 · 03-08 1.71213 · 03-07 2.00126 · 03-06 1.71478 · 03-05 1.86939
//   03-04 1.58604 · 03-03 2.155 · 03-02 1.74612 · 03-01 2.01375
// Week (Mon 9th to today): 10.55545 + 2.15742 + 1.82596 = 14.53883
// Month (1st to today): 10.55545 + 18.78185 (03-01 … 03-10) = 29.3373
// API_KEY's 60 %: 6.33327 / 8.723298 / 17.60238; the ci key's 40 %: 4.22218 / 5.815532 / 11.73492.
// BYOK (Amazon Bedrock, $0.2219 × the day's factor): 03-10 0.31066 + 03-09 0.2219 = 0.53256 this week.
// /credits: $100 bought; used = the keys' usage ever, 44.514396 (default) + 29.285664 (ci) + 1.5 (the
// disabled old laptop), + 2.5 by the key deleted long ago = 77.80006; 100 - 77.80006 = 22.19994 left.

/** Live totals of API_KEY at NOW: 60 % of 10.55545 / 14.53883 / 29.3373; a key's own totals always name their scope. */
const TOTALS_LINE = 'Today: $6.33* | Week: $8.72 | Month: $17.60 (this key)';
/** Every key /keys lists, summed: 6.33327 + 4.22218 + 0 = 10.55545, and so on. */
const ACCOUNT_LINE = 'Account: Today: $10.56* | Week: $14.54 | Month: $29.34 (3 keys)';
/**
 * The balance and its runway at the 7-day breakdown's average: the account's credit spend of 03-04 …
 * 03-10 is 1.58604 + 1.86939 + 1.71478 + 2.00126 + 1.71213 + 2.15742 + 1.82596 = 12.86698, 1.83814 a
 * day; the $22.19994 left last 22.19994 / 1.83814 = 12.08 days, 12 whole days from 03-11: 03-23.
 */
const BALANCE_LINE = 'Balance: $22.20 / $100.00 · runway about 12 days (until 2026-03-23)';
/** Without the breakdown (/activity failed) there is no spend rate to project the balance from. */
const BALANCE_WITHOUT_RUNWAY = 'Balance: $22.20 / $100.00';
/** API_KEY's /key counters: 60 % of the above; total = 60 % of 68.83916 (30 days and today) + 3.2109 (60 days ago). */
const KEY_USAGE = { today: 6.33327, week: 8.723298, month: 17.60238, total: 44.514396 };
/** 60 % of BYOK: week 0.53256, month 2.84032; total adds the $0.4321 of 60 days ago. */
const KEY_BYOK = { today: 0, week: 0.319536, month: 1.704192, total: 5.597932 };

interface Item {
  model: string;
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

const item = (
  model: string,
  usage: number,
  byokUsage: number,
  requests: number,
  promptTokens: number,
  completionTokens: number,
  reasoningTokens: number,
): Item => ({
  model,
  usage,
  byokUsage,
  requests,
  promptTokens,
  completionTokens,
  reasoningTokens,
});

/**
 * Per-model sums of 03-04 … 03-10, highest spend first. gpt-4.1 is OpenAI 3.75193 + Azure 1.70807
 * = 5.46; claude-sonnet-4 is Anthropic 5.74301 of credits and Amazon Bedrock 2.01929 of BYOK;
 * deepseek-r1 ran only more than 10 days ago; grok-4 only today, which never counts.
 */
const ITEMS_7D: Item[] = [
  item('anthropic/claude-sonnet-4', 5.74301, 2.01929, 54, 65528, 19201, 4795),
  item('openai/gpt-4.1', 5.46, 0, 114, 137528, 40005, 0),
  item('google/gemini-2.5-pro', 1.15164, 0, 19, 22956, 6746, 1686),
  item('groq/gpt-oss-120b', 0.31577, 0, 52, 62764, 18522, 4628),
  item('openai/gpt-oss-120b', 0.19383, 0, 88, 105964, 31073, 7766),
  item('meta-llama/llama-3.3-70b-instruct', 0.00273, 0, 16, 19564, 5971, 0),
];

/** 03-08 … 03-10 (gemini-2.5-pro runs on even days ago only: 03-09). */
const ITEMS_3D: Item[] = [
  item('anthropic/claude-sonnet-4', 2.71373, 0.82103, 22, 26556, 7817, 1952),
  item('openai/gpt-4.1', 2.34738, 0, 50, 60156, 17533, 0),
  item('google/gemini-2.5-pro', 0.4113, 0, 7, 8426, 2480, 620),
  item('groq/gpt-oss-120b', 0.1388, 0, 22, 26478, 7832, 1957),
  item('openai/gpt-oss-120b', 0.08307, 0, 38, 45678, 13411, 3352),
  item('meta-llama/llama-3.3-70b-instruct', 0.00123, 0, 6, 7278, 2253, 0),
];

/** 02-09 … 03-10: deepseek-r1 (11 to 30 days ago) joins. */
const ITEMS_30D: Item[] = [
  item('anthropic/claude-sonnet-4', 24.73912, 8.60972, 238, 297690, 85280, 21297),
  item('openai/gpt-4.1', 23.50492, 0, 482, 590490, 169840, 0),
  item('google/gemini-2.5-pro', 5.40174, 0, 91, 112320, 32510, 8124),
  item('deepseek/deepseek-r1', 2.44853, 0, 170, 209330, 61030, 15250),
  item('groq/gpt-oss-120b', 1.3533, 0, 225, 276045, 80475, 20108),
  item('openai/gpt-oss-120b', 0.82431, 0, 377, 458445, 133465, 33355),
  item('meta-llama/llama-3.3-70b-instruct', 0.01179, 0, 73, 93645, 27485, 0),
];

const WINDOWS = { 3: { from: '2026-03-08', to: '2026-03-10', items: ITEMS_3D }, 30: { from: '2026-02-09', to: '2026-03-10', items: ITEMS_30D } } as const;

/** The 7-day text breakdown: short names, except the two models both called gpt-oss-120b. */
const MODEL_LINES_7D = [
  '• claude-sonnet-4: $5.74 (54) + $2.02 BYOK',
  '• gpt-4.1: $5.46 (114)',
  '• gemini-2.5-pro: $1.15 (19)',
  '• groq/gpt-oss-120b: $0.32 (52)',
  '• openai/gpt-oss-120b: $0.19 (88)',
  '• llama-3.3-70b-instruct: <$0.01 (16)',
];

/** The same at the default --top 4: the last two summed, 0.19383 + 0.00273 = 0.19656, 88 + 16 = 104 requests. */
const MODEL_LINES_7D_TOP4 = [...MODEL_LINES_7D.slice(0, 4), '• 2 more models: $0.20 (104)'];

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

function expectItems(actual: Report['models'], expected: readonly Item[]): void {
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

function expectKeyUsage(r: Report): void {
  expect(r.key.usage).toEqual(KEY_USAGE);
  expect(r.key.byokUsage).toEqual(KEY_BYOK);
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
    expect(lines(res.stdout)[0]).toBe('💰 OpenRouter Usage');
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    expect(lineStarting(res, 'Balance')).toBe('Balance: set OPENROUTER_MGMT_KEY (a management key) to see the account balance');
    expect(linesFrom(res, 'Recent Models', 2)).toEqual(['Recent Models: set OPENROUTER_MGMT_KEY (a management key) to see where the money', 'went.']);
    expect(bulletLines(res)).toEqual([]);
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
    // Month-to-date pace: $17.60238 over the 10.5 days since 1 March = 1.67642/day; the $12.50 left
    // lasts 12.5 / 1.67642 = 7.46 days from 11 March noon: the 18th, before April 1st.
    expect(linesFrom(res, 'Key limit:', 3)).toEqual([
      'Key limit: $12.50 left of $20.00, resets monthly',
      "Key limit: at this key's month-to-date average of $1.68/day, it runs out about",
      '2026-03-18, before it resets on 2026-04-01',
    ]);
    const json = parseReport(await run(s, ['--json'], API_ONLY));
    expect(json.key).toMatchObject({ limit: 20, limitRemaining: 12.5, limitReset: 'monthly' });
    expect(json.credits).toBeNull();
  });

  it('API + management key: balance, models by spend over 7 days, requests in parallel', async ({ s }) => {
    // Each answer takes 1.5 s: all three requests must be out before the first answer is back, which
    // holds even with this file's other runs busy in the same process (300 ms was not always enough).
    s.latencyMs = 1500;
    // Every model listed, so that both gpt-oss-120b rows show under their full names.
    const res = await run(s, ['--top', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(lines(res.stdout)[0]).toBe('💰 OpenRouter Usage');
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    expect(lineStarting(res, 'Balance:')).toBe(BALANCE_LINE);
    expect(lineStarting(res, 'Account:')).toBe(ACCOUNT_LINE);
    expect(lines(res.stdout)).toContain('Recent Models (7d):');
    expect(bulletLines(res)).toEqual(MODEL_LINES_7D);
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
    // 0.0003 a day × the day's factor, summed over 03-04 … 03-10: $0.00273, 16 requests.
    expect(lines(res.stdout)).toContain('• llama-3.3-70b-instruct: <$0.01 (16)');
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
    // Every model listed, as in the 7-day run above.
    const res = await run(s, ['--days', '3', '--top', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(lines(res.stdout)).toContain('Recent Models (3d):');
    expect(bulletLines(res)).toEqual([
      '• claude-sonnet-4: $2.71 (22) + $0.82 BYOK',
      '• gpt-4.1: $2.35 (50)',
      '• gemini-2.5-pro: $0.41 (7)',
      '• groq/gpt-oss-120b: $0.14 (22)',
      '• openai/gpt-oss-120b: $0.08 (38)',
      '• llama-3.3-70b-instruct: <$0.01 (6)',
    ]);
  });

  it('--top 1 shows one model and a summary line', async ({ s }) => {
    const res = await run(s, ['--top', '1'], BOTH_KEYS);
    expect(res.code).toBe(0);
    // The other five: 5.46 + 1.15164 + 0.31577 + 0.19383 + 0.00273 = 7.12397; 114 + 19 + 52 + 88 + 16 = 289 requests.
    expect(bulletLines(res)).toEqual(['• claude-sonnet-4: $5.74 (54) + $2.02 BYOK', '• 5 more models: $7.12 (289)']);
  });

  it('management key as OPENROUTER_API_KEY: no live totals, balance and models', async ({ s }) => {
    const res = await run(s, [], { OPENROUTER_API_KEY: MGMT_KEY });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    // Its own counters are those of a key that cannot spend: no Today line; the account's keys (/keys) give the totals.
    expect(lineStarting(res, 'Today')).toBeUndefined();
    expect(lineStarting(res, 'Account:')).toBe(ACCOUNT_LINE);
    expect(lineStarting(res, 'Balance:')).toBe(BALANCE_LINE);
    expect(bulletLines(res)).toEqual(MODEL_LINES_7D_TOP4);
    for (const r of s.requests) expect(r.authorization).toBe(bearer(MGMT_KEY));
    const key = s.requestsTo('/key')[0]!;
    const activity = s.requestsTo('/activity')[0]!;
    expect(activity.startedAt).toBeGreaterThanOrEqual(key.endedAt!);
  });

  it('--demo needs no key and makes no request', async ({ s }) => {
    const res = await run(s, ['--demo']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(lines(res.stdout)[0]).toBe('💰 OpenRouter Usage (demo data)');
    const json = await run(s, ['--demo', '--json']);
    expect(json.code).toBe(0);
    expect(parseReport(json).demo).toBe(true);
    expect(s.requests).toEqual([]);
  });

  it('no OPENROUTER_API_KEY: exit 2, one line naming it, no request', async ({ s }) => {
    const sb = await makeSandbox();
    try {
      const res = await run(s, [], {}, { sandbox: sb });
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(oneStderrLine(res)).toBe(
        `openrouter-usage: OPENROUTER_API_KEY is not set; looked in the environment, ${join(sb.cwd, 'credentials.env')}, ${join(sb.xdgConfigHome, 'openrouter-usage', 'credentials.env')} (or try --demo)`,
      );
      expect(s.requests).toEqual([]);
    } finally {
      await sb.cleanup();
    }
  });

  it('no ANSI escapes with --no-color (even with FORCE_COLOR) or when piped', async ({ s }) => {
    s.setFault('/credits', { status: 500 });
    const [forced, piped] = await Promise.all([run(s, ['--no-color'], { ...BOTH_KEYS, FORCE_COLOR: '1' }), run(s, [], BOTH_KEYS)]);
    for (const res of [forced, piped]) {
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('warning: /credits: server error (HTTP 500) after 4 attempts\n');
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
    const res = await run(s, ['--json'], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const r = parseReport(res);
    // The run's clock starts at NOW and the run is killed after 25 s.
    expect(Date.parse(r.generatedAt)).toBeGreaterThanOrEqual(Date.parse(NOW));
    expect(Date.parse(r.generatedAt)).toBeLessThan(Date.parse(NOW) + 25_000);
    expect(r.key).toMatchObject({
      label: maskKey(API_KEY),
      isManagementKey: false,
      isFreeTier: false,
      limit: null,
      limitRemaining: null,
      limitReset: null,
    });
    expect(r.key.label).toBe(maskKey(API_KEY));
    expectKeyUsage(r);
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
    expectKeyUsage(r);
    expect(r.credits?.total).toBe(100);
    expect(r.credits?.used).toBe(77.80006);
    expect(r.credits?.remaining).toBeCloseTo(22.19994, 9);
    expect(r.models).toMatchObject({ days: 7, from: '2026-03-04', to: '2026-03-10' });
    expectItems(r.models, ITEMS_7D);
    expect(r.warnings).toEqual([]);
    expect(r.demo).toBe(false);
  });

  it.for([3, 30] as const)('--days %i changes from/to and the sums, and never counts today', async (days, { s }) => {
    const r = parseReport(await run(s, ['--json', '--days', String(days)], BOTH_KEYS));
    const want = WINDOWS[days];
    expect(r.models).toMatchObject({ days, from: want.from, to: want.to });
    expectItems(r.models, want.items);
    expect(r.models?.items.map((m) => m.model)).not.toContain('x-ai/grok-4');
  });

  it('--top does not cut JSON items', async ({ s }) => {
    const r = parseReport(await run(s, ['--json', '--top', '1'], BOTH_KEYS));
    expectItems(r.models, ITEMS_7D);
  });

  it('management key as OPENROUTER_API_KEY: usage null, credits and models present', async ({ s }) => {
    const res = await run(s, ['--json'], { OPENROUTER_API_KEY: MGMT_KEY });
    expect(res.code).toBe(0);
    const r = parseReport(res);
    expect(r.key.isManagementKey).toBe(true);
    expect(r.key.usage).toBeNull();
    expect(r.key.byokUsage).toBeNull();
    expect(r.credits?.total).toBe(100);
    expectItems(r.models, ITEMS_7D);
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
      expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
      expect(lineStarting(res, 'Balance:')).toBe(BALANCE_LINE);
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
      expect(oneStderrLine(res)).toBe(
        `warning: ${path} is accessible by group or others (mode 0644); keys belong in a file only you can read: chmod 600 ${path}`,
      );
      expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
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
    // Highest month spend first; the disabled "old laptop" is not listed. default is 60 % and ci 40 %
    // of 10.55545 / 14.53883 / 29.3373; ci's $50 monthly cap has 50 - 11.73492 = 38.26508 left.
    // 80 columns (no terminal, no COLUMNS) leave no room for the resets column, and the table says so.
    const cells = (l: string): string[] => l.trim().split(/ {2,}/);
    expect(lines(res.stdout).slice(2, 6).map(cells)).toEqual([
      ['default', maskKey(API_KEY), '$6.33', '$8.72', '$17.60', '-', '-'],
      ['ci', maskKey(fakeKey('c', 'ci key')), '$4.22', '$5.82', '$11.73', '$50.00', '$38.27'],
      ['total (2 keys)', '$10.56', '$14.54', '$29.34'],
      ['(narrow terminal: resets not shown)'],
    ]);
    expect(res.stdout).not.toContain('old laptop');
    // 100 columns: the resets column too.
    const wide = await run(s, ['keys'], { ...BOTH_KEYS, COLUMNS: '100' });
    expect(wide.code).toBe(0);
    expect(lines(wide.stdout).slice(2, 5).map(cells)).toEqual([
      ['default', maskKey(API_KEY), '$6.33', '$8.72', '$17.60', '-', '-'],
      ['ci', maskKey(fakeKey('c', 'ci key')), '$4.22', '$5.82', '$11.73', '$50.00', '$38.27', 'monthly'],
      ['total (2 keys)', '$10.56', '$14.54', '$29.34'],
    ]);
  });

  it.for([
    [230, ['0', '100', '200'], 2.3],
    [200, ['0', '100', '200'], 2],
    [100, ['0', '100'], 1],
  ] as const)('%i keys: pages at offsets %j, and every key is counted', async ([count, offsets, month], { s }) => {
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
    // $0.01 a key this month.
    expect(doc.totals.usage.month).toBeCloseTo(month, 9);
  });

  it('with an API key only: exit 3, one line naming OPENROUTER_MGMT_KEY', async ({ s }) => {
    const res = await run(s, ['keys'], API_ONLY);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(oneStderrLine(res)).toBe(
      'openrouter-usage: /keys: the keys view needs a management key; set OPENROUTER_MGMT_KEY (OPENROUTER_API_KEY was refused with HTTP 403)',
    );
  });
});

describe.concurrent('usage errors exit 2 without a request', SLOW, () => {
  const days = (value: string): string => `option '--days <n>' argument '${value}' is invalid. expected a whole number from 1 to 365; see --help`;
  it.for<{ args: string[]; stderr: string }>([
    { args: ['--days', '0'], stderr: days('0') },
    { args: ['--days', '366'], stderr: days('366') },
    {
      args: ['--since', '2025-02-30'],
      stderr: "option '--since <date>' argument '2025-02-30' is invalid. expected a UTC day as YYYY-MM-DD, e.g. 2026-01-31; see --help",
    },
    {
      args: ['--by', 'provider', '--days', '32'],
      stderr:
        '--by provider covers the last 31 days only (OpenRouter keeps providers that long): the window starts 2026-02-08, before 2026-02-09; use --days 31 or less, or a later --since',
    },
    { args: ['--days', 'abc'], stderr: days('abc') },
    { args: ['--top', '-1'], stderr: "option '--top <n>' argument '-1' is invalid. expected a whole number of at least 0; see --help" },
    { args: ['--timeout', 'abc'], stderr: "option '--timeout <seconds>' argument 'abc' is invalid. expected seconds from 1 to 600; see --help" },
    { args: ['--bogus'], stderr: "unknown option '--bogus'; see --help" },
    {
      args: ['--base-url', 'http://example.com'],
      stderr: 'refusing plain http base URL http://example.com: keys would travel unencrypted (use https, or http only to localhost)',
    },
  ])('$args', async ({ args, stderr }, { s }) => {
    const res = await run(s, args, BOTH_KEYS);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(oneStderrLine(res)).toBe(`openrouter-usage: ${stderr}`);
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
  attempts: number;
  /** The one stderr line. */
  stderr: string;
}

// A hang: four 1 s attempts, far inside the 20 s deadline, so the run always ends by running out of
// attempts. (Attempts cut by the deadline read "the run's deadline" or "timed out after N attempts"
// depending on how late a busy process runs its timers; fault-matrix.test.ts covers the deadline.)
const HANG_ARGS = ['--timeout', '1', '--deadline', '20'];

const failures: FaultCase[] = [
  {
    name: '/key 401',
    path: '/key',
    fault: { status: 401 },
    code: 3,
    attempts: 1,
    stderr: 'openrouter-usage: /key: OpenRouter rejected OPENROUTER_API_KEY (HTTP 401: Unauthorized); check that the key is complete and not revoked',
  },
  {
    name: '/key 403',
    path: '/key',
    fault: { status: 403 },
    code: 3,
    attempts: 1,
    stderr: 'openrouter-usage: /key: OPENROUTER_API_KEY may not call this endpoint (HTTP 403: Forbidden)',
  },
  {
    name: '/key 429 always',
    path: '/key',
    fault: { status: 429 },
    code: 4,
    attempts: 4,
    stderr: 'openrouter-usage: /key: still rate-limited (HTTP 429) after 4 attempts; try again later',
  },
  {
    name: '/key 503 always',
    path: '/key',
    fault: { status: 503 },
    code: 5,
    attempts: 4,
    stderr: 'openrouter-usage: /key: server error (HTTP 503) after 4 attempts',
  },
  {
    name: '/key HTML 502 always',
    path: '/key',
    fault: { kind: 'html', status: 502 },
    code: 5,
    attempts: 4,
    stderr: 'openrouter-usage: /key: server error (HTTP 502) after 4 attempts',
  },
  {
    name: '/key reset always',
    path: '/key',
    fault: { kind: 'reset' },
    code: 5,
    attempts: 4,
    stderr: 'openrouter-usage: /key: network error (connection reset) after 4 attempts',
  },
  {
    name: '/key reset mid-body always',
    path: '/key',
    fault: { kind: 'reset-mid-body' },
    code: 5,
    attempts: 4,
    stderr: 'openrouter-usage: /key: network error (connection closed early) after 4 attempts',
  },
  {
    name: '/key truncated JSON',
    path: '/key',
    fault: { kind: 'truncated-json' },
    code: 6,
    attempts: 1,
    stderr: 'openrouter-usage: /key: invalid response: malformed JSON',
  },
  {
    name: '/key without usage_daily',
    path: '/key',
    fault: { kind: 'json', body: { data: (({ usage_daily: _, ...rest }) => rest)(defaultApiKeyInfo(new Date(NOW))) } },
    code: 6,
    attempts: 1,
    stderr: 'openrouter-usage: /key: invalid response: data.usage_daily is missing',
  },
  {
    name: '/key usage_daily as a string',
    path: '/key',
    fault: { kind: 'json', body: { data: { ...defaultApiKeyInfo(new Date(NOW)), usage_daily: '1.23' } } },
    code: 6,
    attempts: 1,
    stderr: 'openrouter-usage: /key: invalid response: data.usage_daily should be a number, got the string "1.23"',
  },
  {
    name: '/key data is an array',
    path: '/key',
    fault: { kind: 'json', body: { data: [] } },
    code: 6,
    attempts: 1,
    stderr: 'openrouter-usage: /key: invalid response: data should be an object, got an array',
  },
  {
    name: '/key hang with --timeout 1',
    path: '/key',
    fault: { kind: 'hang' },
    args: HANG_ARGS,
    code: 5,
    attempts: 4,
    stderr: 'openrouter-usage: /key: timed out (no response) after 4 attempts',
  },
  {
    name: '/key body dripping with --timeout 1',
    path: '/key',
    fault: { kind: 'slow-drip', intervalMs: 100 },
    args: HANG_ARGS,
    code: 5,
    attempts: 1,
    stderr: 'openrouter-usage: /key: timed out (response too slow) after 1 attempt',
  },
];

describe.concurrent('faults that fail the run', SLOW, () => {
  it.for(failures)('$name → exit $code', async (c, { s }) => {
    s.setFault(c.path, c.fault);
    const res = await run(s, c.args ?? [], c.env ?? API_ONLY);
    expect(res.code).toBe(c.code);
    expect(oneStderrLine(res)).toBe(c.stderr);
    expect(s.requestsTo(c.path)).toHaveLength(c.attempts);
    // Even the hanging cases end well before the test's own 25 s kill.
    expect(res.ms).toBeLessThan(15_000);
    expect(res.stdout).toBe('');
  });

  it.for([
    [400, 'openrouter-usage: /key: unexpected HTTP 400: Bad Request'],
    [404, 'openrouter-usage: /key: not found (HTTP 404: Not Found); check --base-url'],
  ] as const)('/key %i: not retried, exit 5', async ([status, stderr], { s }) => {
    s.setFault('/key', { status });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(5);
    expect(oneStderrLine(res)).toBe(stderr);
    expect(s.requestsTo('/key')).toHaveLength(1);
  });

  it('a redirect to another host is not followed', async ({ s }) => {
    const other = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
    try {
      s.setFault('/key', { kind: 'redirect', location: `${other.url}/key` });
      const res = await run(s, [], API_ONLY);
      expect(res.code).toBe(5);
      expect(oneStderrLine(res)).toBe(`openrouter-usage: /key: unexpected redirect (HTTP 302 to ${new URL(other.url).host}), not followed; check --base-url`);
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
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    const [first, second] = s.requestsTo('/key');
    expect(s.requestsTo('/key')).toHaveLength(2);
    expect(second!.startedAt - first!.endedAt!).toBeGreaterThanOrEqual(900);
  });

  it.for([408, 500, 502, 503, 504, 520, 524])('/key %i once: retried, succeeds', async (status, { s }) => {
    s.setFault('/key', { status, times: 1 });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    expect(s.requestsTo('/key')).toHaveLength(2);
  });

  it('/key reset once: retried, succeeds', async ({ s }) => {
    s.setFault('/key', { kind: 'reset', times: 1 });
    const res = await run(s, [], API_ONLY);
    expect(res.code).toBe(0);
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    expect(s.requestsTo('/key')).toHaveLength(2);
  });

  const BALANCE_UNAVAILABLE = 'Balance: unavailable (/credits failed; see the warning)';
  const MODELS_UNAVAILABLE = 'Recent Models: unavailable (/activity failed; see the warning)';
  const CREDITS = { total: 100, used: 77.80006, remaining: 22.19994 };

  it.for<{
    name: string;
    path: FaultPath;
    fault: Fault;
    source: string;
    warning: string;
    args?: string[];
    /** The balance line (or what stands in its place), the breakdown's title and its lines. */
    balance: string;
    models: string;
    bullets: readonly string[];
    credits: typeof CREDITS | null;
    items: readonly Item[] | null;
  }>([
    {
      name: '/credits 500 always',
      path: '/credits',
      fault: { status: 500 },
      source: 'credits',
      warning: 'warning: /credits: server error (HTTP 500) after 4 attempts',
      balance: BALANCE_UNAVAILABLE,
      models: 'Recent Models (7d):',
      bullets: MODEL_LINES_7D_TOP4,
      credits: null,
      items: ITEMS_7D,
    },
    {
      name: '/activity 403',
      path: '/activity',
      fault: { status: 403 },
      source: 'activity',
      warning: 'warning: /activity: OPENROUTER_MGMT_KEY may not call this endpoint (HTTP 403: Forbidden); is it a management key (Settings → Management keys)?',
      balance: BALANCE_WITHOUT_RUNWAY,
      models: MODELS_UNAVAILABLE,
      bullets: [],
      credits: CREDITS,
      items: null,
    },
    {
      name: '/credits hang with --timeout 1',
      path: '/credits',
      fault: { kind: 'hang' },
      source: 'credits',
      warning: 'warning: /credits: timed out (no response) after 4 attempts',
      args: HANG_ARGS,
      balance: BALANCE_UNAVAILABLE,
      models: 'Recent Models (7d):',
      bullets: MODEL_LINES_7D_TOP4,
      credits: null,
      items: ITEMS_7D,
    },
    {
      name: '/activity hang with --timeout 1',
      path: '/activity',
      fault: { kind: 'hang' },
      source: 'activity',
      warning: 'warning: /activity: timed out (no response) after 4 attempts',
      args: HANG_ARGS,
      balance: BALANCE_WITHOUT_RUNWAY,
      models: MODELS_UNAVAILABLE,
      bullets: [],
      credits: CREDITS,
      items: null,
    },
  ])('$name with a management key: exit 0, totals, one warning', async (c, { s }) => {
    s.setFault(c.path, c.fault);
    const args = c.args ?? [];
    const [res, json] = await Promise.all([run(s, args, BOTH_KEYS), run(s, ['--json', ...args], BOTH_KEYS)]);
    expect(res.code).toBe(0);
    expect(res.ms).toBeLessThan(15_000);
    expect(oneStderrLine(res)).toBe(c.warning);
    expect(lineStarting(res, 'Today:')).toBe(TOTALS_LINE);
    expect(lineStarting(res, 'Balance:')).toBe(c.balance);
    expect(lineStarting(res, 'Recent Models')).toBe(c.models);
    expect(bulletLines(res)).toEqual(c.bullets);

    expect(json.code).toBe(0);
    expect(oneStderrLine(json)).toBe(c.warning);
    const r = parseReport(json);
    expect(r.warnings).toEqual([{ source: c.source, message: c.warning.slice('warning: '.length) }]);
    expectKeyUsage(r);
    expect(r.credits === null ? null : { ...r.credits, remaining: Math.round(r.credits.remaining * 1e9) / 1e9 }).toEqual(c.credits);
    if (c.items === null) expect(r.models).toBeNull();
    else expectItems(r.models, c.items);
  });
});
