// End to end, issue 4 ("spend insight"): account totals, trend, runway, --scope key, the detail
// views, alerts and the month gap, run through the CLI (in-process) against the stand-in.
//
// Every expected figure is written out literally, worked out by hand from the stand-in's spend
// events (test/server.ts), never computed by code like the code under test. The CLI's clock is
// pinned to the stand-in's (FAKE_CLOCK_NOW), so "today" is the same day on both sides, and a test
// can pick its date: a window across a month boundary, the 1st of a month.
import { describe, expect, test } from 'vitest';
import type { JsonDocument } from '../src/render/json-contract.js';
import { expectCleanRun, lines, runCli, type CliResult } from './run-cli.js';
import {
  API_KEY,
  MGMT_KEY,
  fakeKey,
  madeBy,
  maskKey,
  secretOf,
  startStandIn,
  type ActivityRow,
  type KeyListItem,
  type StandIn,
  WITHOUT_ANALYTICS,
} from './server.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A Wednesday in mid-March, at noon: a week (from Monday the 9th) and a month already under way. */
const MID_MONTH = '2026-03-11T12:00:00Z';

interface Ctx {
  /** A stand-in of its own, its data (and the CLI's clock) built around MID_MONTH; closed after the test. */
  s: StandIn;
  /** A stand-in of its own whose data (and the CLI's clock) are built around `iso`; closed after the test. */
  at: (iso: string) => Promise<StandIn>;
}

const it = test.extend<Ctx>({
  // eslint-disable-next-line no-empty-pattern
  s: async ({}, use) => {
    const s = await startStandIn({ now: new Date(MID_MONTH), modes: WITHOUT_ANALYTICS });
    await use(s);
    await s.close();
  },
  // eslint-disable-next-line no-empty-pattern
  at: async ({}, use) => {
    const opened: StandIn[] = [];
    await use(async (iso) => {
      const s = await startStandIn({ now: new Date(iso), modes: WITHOUT_ANALYTICS });
      opened.push(s);
      return s;
    });
    await Promise.all(opened.map((s) => s.close()));
  },
});

const SECRETS = [API_KEY, MGMT_KEY].map(secretOf);
const BOTH_KEYS = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY };
const API_ONLY = { OPENROUTER_API_KEY: API_KEY };
const MGMT_ALONE = { OPENROUTER_API_KEY: MGMT_KEY };

/**
 * Runs the CLI against `s`, its clock pinned to `s.now`, and checks what every run must satisfy. The
 * insights are fine print, so text runs are --explain runs, on a terminal wide enough that no sentence
 * breaks (the short report and the width have tests of their own).
 */
async function run(s: StandIn, args: string[], env: Record<string, string>): Promise<CliResult> {
  const res = await runCli(['--explain', ...args], { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: s.now.toISOString(), COLUMNS: '1000', ...env } });
  expectCleanRun(res, SECRETS);
  return res;
}

/** stdout as the one JSON document it must be. */
function doc(res: CliResult): JsonDocument {
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(res.stdout)), `stdout is not one JSON document: ${res.stdout.slice(0, 300)}`).not.toThrow();
  return parsed as JsonDocument;
}

/** A text report and the JSON document of the same run, side by side. */
async function textAndJson(s: StandIn, args: string[], env: Record<string, string>): Promise<{ text: CliResult; json: CliResult; d: JsonDocument }> {
  const [text, json] = await Promise.all([run(s, args, env), run(s, ['--json', ...args], env)]);
  return { text, json, d: doc(json) };
}

function lineStarting(res: CliResult, prefix: string): string | undefined {
  return lines(res.stdout).find((l) => l.startsWith(prefix));
}

function linesStarting(res: CliResult, prefix: string): string[] {
  return lines(res.stdout).filter((l) => l.startsWith(prefix));
}

function stderrLines(res: CliResult): string[] {
  return res.stderr.split('\n').filter((l) => l.trim() !== '');
}

interface Periods {
  today: number;
  week: number;
  month: number;
}

function expectCloseTotals(actual: Periods | null | undefined, want: Periods): void {
  expect(actual).toBeTruthy();
  expect(actual!.today).toBeCloseTo(want.today, 9);
  expect(actual!.week).toBeCloseTo(want.week, 9);
  expect(actual!.month).toBeCloseTo(want.month, 9);
}

interface Group {
  name: string;
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

const group = (
  name: string,
  usage: number,
  byokUsage: number,
  requests: number,
  promptTokens: number,
  completionTokens: number,
  reasoningTokens: number,
): Group => ({
  name,
  usage,
  byokUsage,
  requests,
  promptTokens,
  completionTokens,
  reasoningTokens,
});

type Item = Omit<Group, 'name'> & { model?: string; provider?: string };

function expectGroups(actual: readonly Item[] | null | undefined, field: 'model' | 'provider', want: readonly Group[]): void {
  expect(actual).toBeTruthy();
  expect(actual!.map((g) => g[field])).toEqual(want.map((g) => g.name));
  actual!.forEach((got, i) => {
    const w = want[i]!;
    expect(got.usage, w.name).toBeCloseTo(w.usage, 9);
    expect(got.byokUsage, w.name).toBeCloseTo(w.byokUsage, 9);
    expect(got).toMatchObject({ requests: w.requests, promptTokens: w.promptTokens, completionTokens: w.completionTokens, reasoningTokens: w.reasoningTokens });
  });
}

function expectDaily(actual: JsonDocument['daily'], want: ReadonlyArray<{ date: string; usage: number; requests: number }>): void {
  expect(actual?.map((x) => x.date)).toEqual(want.map((x) => x.date));
  actual!.forEach((got, i) => {
    expect(got.usage, got.date).toBeCloseTo(want[i]!.usage, 9);
    expect(got.requests, got.date).toBe(want[i]!.requests);
  });
}

/** The key whose label /key shows: /keys' first key in the stand-in's default data. */
function ownKey(s: StandIn): KeyListItem {
  const own = s.data.keys.filter((k) => k.label === s.data.apiKeyInfo.label);
  expect(own).toHaveLength(1);
  return own[0]!;
}

const SLOW = { timeout: 30_000 };

// ---------------------------------------------------------------------------------------------
// The default account, worked out by hand from test/server.ts (buildData).
//
// Every /activity row depends on its endpoint and on how many days ago it is, so a completed day's
// spend is the same at any date. Yesterday (1 day ago), for instance: each endpoint's typical spend
// × 1 + ((3 + 5 × its index) % 7) / 10: gpt-4.1 at OpenAI 0.4123 × 1.3 = 0.53599, at Azure
// 0.1877 × 1.1 = 0.20647, claude-sonnet-4 0.6311 × 1.6 = 1.00976 (its Bedrock rows are BYOK only),
// gpt-oss-120b 0.0213 × 1.0 = 0.0213 (Cerebras) and 0.0347 × 1.5 = 0.05205 (Groq), llama 0.0003 ×
// 1.3 = 0.00039; gemini runs on even days ago only, deepseek-r1 more than 10 days ago only:
// 0.53599 + 0.20647 + 1.00976 + 0.0213 + 0.05205 + 0.00039 = 1.82596.
//
//   days ago   1        2        3        4        5        6        7        8      9        10
//   spend      1.82596  2.15742  1.71213  2.00126  1.71478  1.86939  1.58604  2.155  1.74612  2.01375
//   requests   47       53       45       53       47       53       45       53     47       53
//
// Today (never in the completed days): gpt-4.1 $5.5555 + grok-4 $3.3333 × 1.5 = 10.55545, shared
// 60/40 by API_KEY (key "default") and the capped "ci" key, like every day's spend.
//
// At MID_MONTH (Wednesday 2026-03-11):
//   7-day window 03-04 … 03-10 = 1.58604 + 1.86939 + 1.71478 + 2.00126 + 1.71213 + 2.15742 + 1.82596
//     = 12.86698, 1.83814 a day; 30 days = 58.28371, 1.942790 a day.
//   the month's completed days 03-01 … 03-10 = 18.78185 (the ten days above).
//   week 10.55545 + 2.15742 + 1.82596 = 14.53883; month 10.55545 + 18.78185 = 29.3373.
//   API_KEY: 60 % = 6.33327 / 8.723298 / 17.60238; ci: 40 % = 4.22218 / 5.815532 / 11.73492.
//   BYOK (claude-sonnet-4 at Amazon Bedrock): 0.53256 this week, 2.84032 this month; 60 % is API_KEY's.
//   /credits: 100 bought, 77.80006 used (every key's spend ever and the $2.50 of a key deleted long
//   ago): 22.19994 left.

const KEY = { today: 6.33327, week: 8.723298, month: 17.60238 };
const KEY_TOTALS_LINE = 'Today: $6.33* | Week: $8.72 | Month: $17.60 (this key)';
const ACCOUNT = { today: 10.55545, week: 14.53883, month: 29.3373 };
const ACCOUNT_LINE = 'Account: Today: $10.56* | Week: $14.54 | Month: $29.34 (3 keys)';
const ACCOUNT_NOTE = 'Account totals add up the live counters of the 3 keys /keys lists, 1 of them disabled; keys deleted this period are no longer counted.';
const BREAKDOWN_MONTH = 18.78185;

/** The 7 completed days before MID_MONTH, oldest first. */
const DAILY_7D = [
  { date: '2026-03-04', usage: 1.58604, requests: 45 },
  { date: '2026-03-05', usage: 1.86939, requests: 53 },
  { date: '2026-03-06', usage: 1.71478, requests: 47 },
  { date: '2026-03-07', usage: 2.00126, requests: 53 },
  { date: '2026-03-08', usage: 1.71213, requests: 45 },
  { date: '2026-03-09', usage: 2.15742, requests: 53 },
  { date: '2026-03-10', usage: 1.82596, requests: 47 },
];

/** A window without any spend: every day there, at zero. */
const ZERO_DAILY_7D = DAILY_7D.map(({ date }) => ({ date, usage: 0, requests: 0 }));

/**
 * Per-model sums of the 7-day window (any date), highest spend first. gpt-4.1 = OpenAI 3.75193 +
 * Azure 1.70807; claude-sonnet-4 = Anthropic 5.74301, and 2.01929 of BYOK at Amazon Bedrock.
 */
const MODELS_7D: Group[] = [
  group('anthropic/claude-sonnet-4', 5.74301, 2.01929, 54, 65528, 19201, 4795),
  group('openai/gpt-4.1', 5.46, 0, 114, 137528, 40005, 0),
  group('google/gemini-2.5-pro', 1.15164, 0, 19, 22956, 6746, 1686),
  group('groq/gpt-oss-120b', 0.31577, 0, 52, 62764, 18522, 4628),
  group('openai/gpt-oss-120b', 0.19383, 0, 88, 105964, 31073, 7766),
  group('meta-llama/llama-3.3-70b-instruct', 0.00273, 0, 16, 19564, 5971, 0),
];

/** The 7-day text breakdown: short names, except the two models both called gpt-oss-120b. */
const MODEL_LINES_7D = [
  '• claude-sonnet-4: $5.74 (54) + $2.02 BYOK',
  '• gpt-4.1: $5.46 (114)',
  '• gemini-2.5-pro: $1.15 (19)',
  '• groq/gpt-oss-120b: $0.32 (52)',
  '• openai/gpt-oss-120b: $0.19 (88)',
  '• llama-3.3-70b-instruct: <$0.01 (16)',
];

// ---------------------------------------------------------------------------------------------

describe.concurrent('account-wide live totals', SLOW, () => {
  it('API + management key: every key /keys lists is summed, disabled ones included, beside this key', async ({ s }) => {
    // The default disabled key has no spend this month; give it some, so leaving it out would show.
    s.setData({
      keys: s.data.keys.map((k) => (k.disabled ? { ...k, usage_daily: 0.25, usage_weekly: 0.75, usage_monthly: 1.2345, byok_usage_monthly: 0.5 } : k)),
    });

    const { text, json, d } = await textAndJson(s, [], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
    }
    expect(lineStarting(text, 'Today:')).toBe(KEY_TOTALS_LINE);
    // 10.55545 + 0.25 = 10.80545; 14.53883 + 0.75 = 15.28883; 29.3373 + 1.2345 = 30.5718.
    expect(lineStarting(text, 'Account:')).toBe('Account: Today: $10.81* | Week: $15.29 | Month: $30.57 (3 keys)');
    expect(lines(text.stdout).filter((l) => /deleted/.test(l))).toEqual([ACCOUNT_NOTE]);

    expectCloseTotals(d.account?.usage, { today: 10.80545, week: 15.28883, month: 30.5718 });
    // BYOK: 0 today, 0.53256 this week, 2.84032 + 0.5 = 3.34032 this month.
    expectCloseTotals(d.account?.byokUsage, { today: 0, week: 0.53256, month: 3.34032 });
    expect(d.account).toMatchObject({ keys: 3, disabledKeys: 1 });
    expect(d.key.usage).toEqual({ ...KEY, total: 44.514396 });

    // One page each, for the text run and the JSON run.
    const asked = s.requestsTo('/keys');
    expect(asked).toHaveLength(2);
    for (const r of asked) {
      expect(r.query.get('include_disabled')).toBe('true');
      expect(r.authorization).toBe(`Bearer ${MGMT_KEY}`);
    }
  });

  it('many keys across pages: every page is read and every key counted', async ({ s }) => {
    const [own, template] = s.data.keys;
    const many: KeyListItem[] = [
      own!,
      ...Array.from({ length: 249 }, (_, i) => ({
        ...template!,
        hash: `hash-${i.toString().padStart(4, '0')}`,
        name: `key ${i}`,
        label: maskKey(fakeKey('e', `key ${i}`)),
        disabled: i % 10 === 0,
        usage_daily: (i % 7) * 0.013,
        usage_weekly: (i % 7) * 0.013 + (i % 3) * 0.021,
        usage_monthly: (i % 7) * 0.013 + (i % 3) * 0.021 + (i % 5) * 0.117,
      })),
    ];
    s.setData({ keys: many });

    // i = 0 … 248: Σ i % 7 = 35 × 21 + (0 + 1 + 2 + 3) = 741; Σ i % 3 = 83 × 3 = 249; Σ i % 5 = 49 × 10 + 6 = 496;
    // 25 of them disabled (i = 0, 10, … 240). With API_KEY's own 6.33327 / 8.723298 / 17.60238:
    //   today 6.33327 + 741 × 0.013 = 15.96627
    //   week  8.723298 + 9.633 + 249 × 0.021 = 23.585298
    //   month 17.60238 + 9.633 + 5.229 + 496 × 0.117 = 90.49638
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(lineStarting(text, 'Account:')).toBe('Account: Today: $15.97* | Week: $23.59 | Month: $90.50 (250 keys)');
    expect(text.stdout).toContain('the 250 keys /keys lists, 25 of them disabled');
    expect(d.account).toMatchObject({ keys: 250, disabledKeys: 25 });
    expectCloseTotals(d.account?.usage, { today: 15.96627, week: 23.585298, month: 90.49638 });
    // Two runs, each reading the three pages once.
    const offsets = s.requestsTo('/keys').map((r) => r.query.get('offset'));
    expect(offsets.sort()).toEqual(['0', '0', '100', '100', '200', '200']);
  });

  it('a management key alone: the account totals replace its own empty counters', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(lineStarting(text, 'Today:')).toBeUndefined();
    expect(text.stdout).not.toContain('(this key)');
    expect(lineStarting(text, 'Account:')).toBe(ACCOUNT_LINE);
    // BYOK stays apart: its own line (0.53256 this week, 2.84032 this month), never in the Account line's figures.
    expect(lineStarting(text, 'BYOK:')).toBe('BYOK: Today: $0.00 | Week: $0.53 | Month: $2.84 (account, billed by your own provider keys)');
    expect(lines(text.stdout).filter((l) => /deleted/.test(l))).toEqual([ACCOUNT_NOTE]);

    expect(d.key).toMatchObject({ isManagementKey: true, usage: null, byokUsage: null });
    expectCloseTotals(d.account?.usage, ACCOUNT);
    for (const r of s.requests) expect(r.authorization).toBe(`Bearer ${MGMT_KEY}`);
  });

  it('an API key alone: no account totals, no note about them, no /keys request', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(lineStarting(text, 'Account:')).toBeUndefined();
    expect(lineStarting(text, 'Today:')).toBe(KEY_TOTALS_LINE);
    expect(text.stdout).not.toMatch(/deleted/);
    expect(d.account).toBeNull();
    expect(s.requestsTo('/keys')).toEqual([]);
  });
});

describe.concurrent('trend', SLOW, () => {
  it('--days 7: one daily entry per day, oldest first; trend and sparkline computed from it', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expectDaily(d.daily, DAILY_7D);
    // min 03-04, max 03-09, average 12.86698 / 7.
    expect(d.trend!.min).toBeCloseTo(1.58604, 9);
    expect(d.trend!.max).toBeCloseTo(2.15742, 9);
    expect(d.trend!.average).toBeCloseTo(1.83814, 9);
    // Bars: ceil(7 × day / max) of ▁…█, e.g. 03-04: 7 × 1.58604 / 2.15742 = 5.15 → 6 (▇); 03-05: 6.07 → 7 (█);
    // 03-10: 5.92 → 6 (▇); 03-07: 6.49 → 7 (█).
    expect(lineStarting(text, 'Trend:')).toBe('Trend: ▇█▇█▇█▇  min $1.59 · avg $1.84/day · max $2.16');
  });

  it('a window across a month boundary (Feb → Mar), with a day without rows', async ({ at }) => {
    const s = await at('2026-03-03T12:00:00Z');
    const quiet = '2026-02-27';
    s.setData({ activity: s.data.activity.filter((r) => r.date !== quiet) });
    const { text, d } = await textAndJson(s, ['--days', '7'], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(d.models).toMatchObject({ days: 7, from: '2026-02-24', to: '2026-03-02' });
    // 7 … 1 days ago, without 02-27 (4 days ago).
    expectDaily(d.daily, [
      { date: '2026-02-24', usage: 1.58604, requests: 45 },
      { date: '2026-02-25', usage: 1.86939, requests: 53 },
      { date: '2026-02-26', usage: 1.71478, requests: 47 },
      { date: quiet, usage: 0, requests: 0 },
      { date: '2026-02-28', usage: 1.71213, requests: 45 },
      { date: '2026-03-01', usage: 2.15742, requests: 53 },
      { date: '2026-03-02', usage: 1.82596, requests: 47 },
    ]);
    expect(d.daily![3]).toEqual({ date: quiet, usage: 0, requests: 0 });
    expect(d.trend!.min).toBe(0);
    // (12.86698 - 2.00126) / 7 = 10.86572 / 7
    expect(d.trend!.average).toBeCloseTo(1.552245714, 9);
    // The 7-day sums less 4 days ago's rows (gpt-4.1 0.4123 × 1.5 + 0.1877 × 1.3 = 0.86246, 5.46 - 0.86246 = 4.59754, and so on).
    expectGroups(d.models?.items, 'model', [
      group('anthropic/claude-sonnet-4', 5.0488, 1.66425, 44, 53424, 15658, 3910),
      group('openai/gpt-4.1', 4.59754, 0, 100, 120624, 35090, 0),
      group('google/gemini-2.5-pro', 0.76776, 0, 14, 16904, 4964, 1241),
      group('groq/gpt-oss-120b', 0.28107, 0, 44, 53112, 15676, 3917),
      group('openai/gpt-oss-120b', 0.16827, 0, 76, 91512, 26834, 6707),
      group('meta-llama/llama-3.3-70b-instruct', 0.00228, 0, 12, 14712, 4518, 0),
    ]);

    expect(lineStarting(text, 'Trend:')).toBe('Trend: ▇█▇▁▇█▇  min $0.00 · avg $1.55/day · max $2.16');
    expect(text.stdout).toContain('2026-02-24 to 2026-03-02 (completed days)');
    // The month gap counts March's completed days only, not February's: 2.15742 + 1.82596.
    expect(d.discrepancy?.breakdownMonth).toBeCloseTo(3.98338, 9);
  });

  it.for([
    // 3, 2 and 1 days ago: 1.71213 + 2.15742 + 1.82596 = 5.69551; the month so far is its 1st alone (1.82596).
    { name: 'a year boundary', now: '2027-01-02T05:00:00Z', dates: ['2026-12-30', '2026-12-31', '2027-01-01'] },
    { name: 'February 29th', now: '2028-03-02T00:30:00Z', dates: ['2028-02-28', '2028-02-29', '2028-03-01'] },
  ])('a window across $name', async ({ now, dates }, { at }) => {
    const s = await at(now);
    const d = doc(await run(s, ['--json', '--days', '3'], BOTH_KEYS));
    expect(d.models).toMatchObject({ days: 3, from: dates[0], to: dates[2] });
    expectDaily(d.daily, [
      { date: dates[0]!, usage: 1.71213, requests: 45 },
      { date: dates[1]!, usage: 2.15742, requests: 53 },
      { date: dates[2]!, usage: 1.82596, requests: 47 },
    ]);
    expect(d.trend!.average).toBeCloseTo(5.69551 / 3, 9);
    expect(d.discrepancy?.breakdownMonth).toBeCloseTo(1.82596, 9);
  });

  it('--days 1: one daily entry, the trend is that day, and no sparkline for a single bar', async ({ s }) => {
    const { text, d } = await textAndJson(s, ['--days', '1'], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(d.daily).toEqual([{ date: '2026-03-10', usage: 1.82596, requests: 47 }]);
    expect(d.trend).toEqual({ min: 1.82596, max: 1.82596, average: 1.82596 });
    // 22.19994 / 1.82596 = 12.16 → 12 days from 03-11.
    expect(d.runway).toMatchObject({ basis: 'credits', averageDays: 1, dailyAverage: 1.82596, days: 12, until: '2026-03-23' });
    expect(lines(text.stdout)).toContain('Recent Models (1d):');
    expect(lineStarting(text, 'Trend:')).toBeUndefined();
    expect(lineStarting(text, 'Runway:')).toBe('Runway: at the 1-day average of $1.83/day, credits last about 12 days (until 2026-03-23)');
  });

  it('spend on only one day of the window: six zero days, and the average over all seven', async ({ s }) => {
    const day = '2026-03-07';
    s.setData({ activity: s.data.activity.filter((r) => r.date === day || r.date === '2026-03-11') });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    // 4 days ago: 2.00126 in 53 requests; 2.00126 / 7 = 0.28589….
    expectDaily(
      d.daily,
      ZERO_DAILY_7D.map((z) => (z.date === day ? { date: day, usage: 2.00126, requests: 53 } : z)),
    );
    expect(d.trend!.min).toBe(0);
    expect(d.trend!.max).toBeCloseTo(2.00126, 9);
    expect(d.trend!.average).toBeCloseTo(0.285894286, 9);
    expect(lineStarting(text, 'Trend:')).toBe('Trend: ▁▁▁█▁▁▁  min $0.00 · avg $0.29/day · max $2.00');
  });
});

describe.concurrent('runway', SLOW, () => {
  it.for([
    // 22.19994 / 1.83814 = 12.08 → 12 days; 22.19994 / (58.28371 / 30 = 1.942790) = 11.43 → 11 days.
    {
      days: 7,
      average: 1.83814,
      runwayDays: 12,
      until: '2026-03-23',
      line: 'Runway: at the 7-day average of $1.84/day, credits last about 12 days (until 2026-03-23)',
    },
    {
      days: 30,
      average: 1.94279033,
      runwayDays: 11,
      until: '2026-03-22',
      line: 'Runway: at the 30-day average of $1.94/day, credits last about 11 days (until 2026-03-22)',
    },
  ])('--days $days: the balance at the window’s daily average', async ({ days, average, runwayDays, until, line }, { s }) => {
    const { text, d } = await textAndJson(s, ['--days', String(days)], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(d.runway).toMatchObject({ basis: 'credits', averageDays: days, days: runwayDays, until });
    expect(d.trend!.average).toBeCloseTo(average, 7);
    // The figures the runway was computed from are the ones the document shows.
    expect(d.runway!.dailyAverage).toBe(d.trend!.average);
    expect(d.credits!.remaining).toBeCloseTo(22.19994, 9);
    expect(lineStarting(text, 'Runway:')).toBe(line);
  });

  it.for([
    { name: 'no rows at all', keepToday: false },
    { name: "only today's rows, which never count", keepToday: true },
  ])('no spend in the window ($name): no runway, no trend, never a guess', async ({ keepToday }, { s }) => {
    s.setData({ activity: keepToday ? s.data.activity.filter((r) => r.date === '2026-03-11') : [] });
    expect(s.data.activity).toHaveLength(keepToday ? 2 : 0);
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(d.credits).not.toBeNull();
    expect(d.runway).toBeNull();
    expect(d.models?.items).toEqual([]);
    expect(d.providers).toEqual([]);
    expect(d.daily).toEqual(ZERO_DAILY_7D);
    expect(d.trend).toEqual({ min: 0, max: 0, average: 0 });
    expect(lines(text.stdout)).toContain('No activity in the last 7 completed UTC days (2026-03-04 to 2026-03-10).');
    expect(text.stdout).not.toMatch(/^(Runway|Trend):/m);
    expect(text.stdout).not.toMatch(/month-to-date/);
  });

  // An API key alone with a cap: whether the cap runs out before it resets, at the month-to-date pace.
  // $21 this month over the 10.5 days from 03-01 to MID_MONTH: $2.00 a day (a hair less, as the run's
  // clock moves on from MID_MONTH, so the dates below are never on an edge).
  it.for<{
    name: string;
    limit: number;
    remaining: number;
    reset: string | null;
    runsOutOn: string;
    resetsOn: string | null;
    before: boolean;
    lines: string[];
  }>([
    {
      // 10 / 2 = 5 days: 03-16.
      name: 'a monthly cap that runs out before it resets',
      limit: 30,
      remaining: 10,
      reset: 'monthly',
      runsOutOn: '2026-03-16',
      resetsOn: '2026-04-01',
      before: true,
      lines: [
        'Key limit: $10.00 left of $30.00, resets monthly',
        "Key limit: at this key's month-to-date average of $2.00/day, it runs out about 2026-03-16, before it resets on 2026-04-01",
      ],
    },
    {
      // 179 / 2 = 89.5 days: 06-09, long after 04-01.
      name: 'a monthly cap that lasts until it resets',
      limit: 200,
      remaining: 179,
      reset: 'monthly',
      runsOutOn: '2026-06-09',
      resetsOn: '2026-04-01',
      before: false,
      lines: [
        'Key limit: $179.00 left of $200.00, resets monthly',
        "Key limit: at this key's month-to-date average of $2.00/day, it lasts until it resets on 2026-04-01",
      ],
    },
    {
      // 19 / 2 = 9.5 days: 03-21.
      name: 'a cap that never resets',
      limit: 40,
      remaining: 19,
      reset: null,
      runsOutOn: '2026-03-21',
      resetsOn: null,
      before: true,
      lines: ['Key limit: $19.00 left of $40.00', "Key limit: at this key's month-to-date average of $2.00/day, it runs out about 2026-03-21"],
    },
  ])('key limit: $name', async (c, { s }) => {
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, usage_monthly: 21, limit: c.limit, limit_remaining: c.remaining, limit_reset: c.reset } });
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(d.credits).toBeNull();
    expect(d.runway).toMatchObject({ basis: 'key-limit', runsOutOn: c.runsOutOn, resetsOn: c.resetsOn, runsOutBeforeReset: c.before });
    expect(d.runway!.dailyAverage).toBeCloseTo(2, 3);
    expect(linesStarting(text, 'Key limit:')).toEqual(c.lines);
    expect(lineStarting(text, 'Runway:')).toBeUndefined();
  });

  // /key's include_byok_in_limit says whether BYOK spend counts against the cap (shared/openrouter-api.md):
  // when it does, the cap is spent at the credit pace plus the BYOK pace.
  it.for([
    {
      // ($10.50 + $10.50) / 10.5 days = $2.00 a day: $29 lasts 14.5 days, to 03-26.
      name: 'BYOK spend counts against the cap',
      includeByok: true,
      average: 2,
      runsOutOn: '2026-03-26',
      before: true,
      line: "Key limit: at this key's month-to-date average of $2.00/day, it runs out about 2026-03-26, before it resets on 2026-04-01",
    },
    {
      // $10.50 / 10.5 days = $1.00 a day: $29 lasts 29 days, to 04-09, after the reset.
      name: 'BYOK spend does not count against the cap',
      includeByok: false,
      average: 1,
      runsOutOn: '2026-04-09',
      before: false,
      line: "Key limit: at this key's month-to-date average of $1.00/day, it lasts until it resets on 2026-04-01",
    },
  ])('key limit: $name', async (c, { s }) => {
    s.setData({
      apiKeyInfo: {
        ...s.data.apiKeyInfo,
        usage_monthly: 10.5,
        byok_usage_monthly: 10.5,
        include_byok_in_limit: c.includeByok,
        limit: 50,
        limit_remaining: 29,
        limit_reset: 'monthly',
      },
    });
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(d.runway).toMatchObject({ basis: 'key-limit', runsOutOn: c.runsOutOn, resetsOn: '2026-04-01', runsOutBeforeReset: c.before });
    expect(d.runway!.dailyAverage).toBeCloseTo(c.average, 3);
    expect(linesStarting(text, 'Key limit:').at(-1)).toBe(c.line);
  });

  it.for([
    { name: 'a key with no cap', patch: {} },
    {
      name: 'a capped key that spent nothing this month',
      patch: { usage_monthly: 0, usage_weekly: 0, usage_daily: 0, limit: 10, limit_remaining: 10, limit_reset: 'monthly' },
    },
  ])('no management key and $name: no runway', async ({ patch }, { s }) => {
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, ...patch } });
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(d.runway).toBeNull();
    expect(text.stdout).not.toMatch(/^Runway:/m);
    expect(text.stdout).not.toMatch(/month-to-date|runs out|lasts until/);
  });
});

describe.concurrent('--scope key', SLOW, () => {
  /** Rows served by OpenAI, Anthropic, Google and Cerebras are this key's; the rest the CI key's. */
  function attribute(s: StandIn): string {
    const own = ownKey(s);
    const other = s.data.keys.find((k) => k.hash !== own.hash && !k.disabled)!;
    const isMine = (r: ActivityRow): boolean => ['OpenAI', 'Anthropic', 'Google Vertex', 'Cerebras'].includes(r.provider_name);
    s.setData({ activity: s.data.activity.map((r) => madeBy(r, isMine(r) ? own.hash : other.hash)) });
    return own.hash;
  }

  /** This key's rows of the 7-day window: the providers' lines of the account's breakdown. */
  const MINE_BY_PROVIDER: Group[] = [
    group('Anthropic', 5.74301, 0, 31, 37564, 10976, 2741),
    group('OpenAI', 3.75193, 0, 75, 90364, 26278, 0),
    group('Google Vertex', 1.15164, 0, 19, 22956, 6746, 1686),
    group('Cerebras', 0.19383, 0, 88, 105964, 31073, 7766),
  ];
  /** The same rows by model: one provider each here. */
  const MINE_BY_MODEL: Group[] = MINE_BY_PROVIDER.map((g, i) => ({
    ...g,
    name: ['anthropic/claude-sonnet-4', 'openai/gpt-4.1', 'google/gemini-2.5-pro', 'openai/gpt-oss-120b'][i]!,
  }));

  it("finds the key's hash in /keys by its label and sums that key's rows only", async ({ s }) => {
    const ownHash = attribute(s);
    const { text, json, d } = await textAndJson(s, ['--scope', 'key'], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
    }
    const asked = s.requestsTo('/activity');
    expect(asked).toHaveLength(2);
    for (const r of asked) {
      expect(r.query.get('api_key_hash')).toBe(ownHash);
      expect(r.authorization).toBe(`Bearer ${MGMT_KEY}`);
    }

    expect(d.models?.scope).toBe('key');
    expectGroups(d.models?.items, 'model', MINE_BY_MODEL);
    expectGroups(d.providers, 'provider', MINE_BY_PROVIDER);
    // Each day's OpenAI, Anthropic, Google Vertex and Cerebras rows (yesterday: 0.53599 + 1.00976 + 0.0213).
    expectDaily(d.daily, [
      { date: '2026-03-04', usage: 1.26255, requests: 27 },
      { date: '2026-03-05', usage: 1.58821, requests: 35 },
      { date: '2026-03-06', usage: 1.36902, requests: 29 },
      { date: '2026-03-07', usage: 1.7221, requests: 31 },
      { date: '2026-03-08', usage: 1.47549, requests: 27 },
      { date: '2026-03-09', usage: 1.85599, requests: 35 },
      { date: '2026-03-10', usage: 1.56705, requests: 29 },
    ]);

    // Like with like: this key's live month against this key's rows (15.9583 of 03-01 … 03-10); and no
    // runway, since the balance is the account's and this key's pace cannot project it.
    expect(d.discrepancy).toMatchObject({ monthScope: 'key', breakdownScope: 'key', otherKeys: null, month: 17.60238 });
    expect(d.discrepancy!.breakdownMonth).toBeCloseTo(15.9583, 9);
    expect(d.runway).toBeNull();

    expect(lines(text.stdout)).toContain('Recent Models (7d, this key):');
    // Groq's gpt-oss-120b is not this key's, so the Cerebras one goes by its short name.
    expect(linesStarting(text, '• ')).toEqual([
      '• claude-sonnet-4: $5.74 (31)',
      '• gpt-4.1: $3.75 (75)',
      '• gemini-2.5-pro: $1.15 (19)',
      '• gpt-oss-120b: $0.19 (88)',
    ]);
    expect(linesStarting(text, 'Today/Week/Month:')).toEqual([
      `Today/Week/Month: this API key (${maskKey(API_KEY)}), live; balance: whole account; breakdown: this key, 2026-03-04 to 2026-03-10 (completed days).`,
    ]);
  });

  it('finds the key on the last of several /keys pages', async ({ s }) => {
    const ownHash = attribute(s);
    const [own, template] = s.data.keys;
    const others = Array.from({ length: 240 }, (_, i) => ({ ...template!, hash: `hash-${i}`, name: `key ${i}`, label: maskKey(fakeKey('e', `key ${i}`)) }));
    s.setData({ keys: [...others, own!] });
    const d = doc(await run(s, ['--json', '--scope', 'key'], BOTH_KEYS));
    expect(s.requestsTo('/keys').map((r) => r.query.get('offset'))).toEqual(['0', '100', '200']);
    expect(s.requestsTo('/activity').map((r) => r.query.get('api_key_hash'))).toEqual([ownHash]);
    expect(d.models?.scope).toBe('key');
    expectGroups(d.models?.items, 'model', MINE_BY_MODEL);
  });

  it.for([
    {
      name: 'not among the keys /keys lists',
      twice: false,
      warning: `/activity: --scope key: this key's label ${maskKey(fakeKey('e', 'a key /keys does not list'))} is not among the keys /keys lists`,
    },
    { name: 'shared by two keys in /keys', twice: true, warning: `/activity: --scope key: this key's label ${maskKey(API_KEY)} matches several keys in /keys` },
  ])('the label is $name: exit 0, a warning naming /activity, no breakdown', async ({ twice, warning }, { s }) => {
    attribute(s);
    if (twice) s.setData({ keys: [...s.data.keys, { ...ownKey(s), hash: 'another-hash', name: 'look-alike' }] });
    else s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, label: maskKey(fakeKey('e', 'a key /keys does not list')) } });
    const { text, json, d } = await textAndJson(s, ['--scope', 'key'], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(0);
      expect(stderrLines(res)).toHaveLength(1);
      expect(stderrLines(res)).toEqual([`warning: ${warning}`]);
    }
    expect(s.requestsTo('/activity')).toEqual([]);
    expect(lines(text.stdout)).toContain('Recent Models: unavailable (/activity failed; see the warning)');
    expect(linesStarting(text, '• ')).toEqual([]);
    expect(lineStarting(text, 'Today:')).toBe(KEY_TOTALS_LINE);
    expect(d.models).toBeNull();
    expect(d.daily).toBeNull();
    expect(d.warnings.map((w) => w.source)).toEqual(['activity']);
    expect(d.warnings[0]!.message).toBe(warning);
  });
});

describe.concurrent('detail views', SLOW, () => {
  it('--by provider: providers summed across models and days', async ({ s }) => {
    // Groq serves two models here, so its line must add both up.
    s.setData({ activity: s.data.activity.map((r) => (r.provider_name === 'Cerebras' ? { ...r, provider_name: 'Groq' } : r)) });
    const { text, d } = await textAndJson(s, ['--by', 'provider', '--top', '0'], BOTH_KEYS);
    expect(text.code).toBe(0);

    expect(lines(text.stdout)).toContain('Recent Providers (7d):');
    // Groq: groq/gpt-oss-120b 0.31577 (52) + openai/gpt-oss-120b 0.19383 (88) = 0.5096 (140).
    expect(linesStarting(text, '• ')).toEqual([
      '• Anthropic: $5.74 (31)',
      '• OpenAI: $3.75 (75)',
      '• Azure: $1.71 (39)',
      '• Google Vertex: $1.15 (19)',
      '• Groq: $0.51 (140)',
      '• DeepInfra: <$0.01 (16)',
      '• Amazon Bedrock: $0.00 (23) + $2.02 BYOK',
    ]);
    expectGroups(d.providers, 'provider', [
      group('Anthropic', 5.74301, 0, 31, 37564, 10976, 2741),
      group('OpenAI', 3.75193, 0, 75, 90364, 26278, 0),
      group('Azure', 1.70807, 0, 39, 47164, 13727, 0),
      group('Google Vertex', 1.15164, 0, 19, 22956, 6746, 1686),
      group('Groq', 0.5096, 0, 140, 62764 + 105964, 18522 + 31073, 4628 + 7766),
      group('DeepInfra', 0.00273, 0, 16, 19564, 5971, 0),
      group('Amazon Bedrock', 0, 2.01929, 23, 27964, 8225, 2054),
    ]);
    // JSON keeps the models whatever --by says.
    expectGroups(d.models?.items, 'model', MODELS_7D);
  });

  it('--by day: every day of the window, oldest first, whatever --top says', async ({ s }) => {
    const res = await run(s, ['--by', 'day', '--top', '2'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(lines(res.stdout)).toContain('Recent Days (7d):');
    expect(linesStarting(res, '• ')).toEqual([
      '• 2026-03-04: $1.59 (45)',
      '• 2026-03-05: $1.87 (53)',
      '• 2026-03-06: $1.71 (47)',
      '• 2026-03-07: $2.00 (53)',
      '• 2026-03-08: $1.71 (45)',
      '• 2026-03-09: $2.16 (53)',
      '• 2026-03-10: $1.83 (47)',
    ]);
    expect(lineStarting(res, 'Trend:')).toBe('Trend: ▇█▇█▇█▇  min $1.59 · avg $1.84/day · max $2.16');
  });

  it('--details: tokens and $/M tok per model; reasoning is never added to completion', async ({ s }) => {
    const { text, d } = await textAndJson(s, ['--details', '--top', '0'], BOTH_KEYS);
    expect(text.code).toBe(0);
    const all = lines(text.stdout);
    const title = all.indexOf('Recent Models (7d):');
    expect(title).toBeGreaterThan(-1);
    const split = (l: string): string[] => l.trim().split(/ {2,}/);
    expect(split(all[title + 1]!)).toEqual(['model', 'spend', 'requests', '$/M tok', 'prompt', 'completion', 'reasoning', 'BYOK']);
    // $/M tok = spend / (prompt + completion) × 1e6, e.g. 5.74301 / (65528 + 19201) × 1e6 = 67.78.
    expect(all.slice(title + 2, title + 8).map(split)).toEqual([
      ['claude-sonnet-4', '$5.74', '54', '$67.78', '65,528', '19,201', '4,795', '$2.02'],
      ['gpt-4.1', '$5.46', '114', '$30.75', '137,528', '40,005', '0', '$0.00'],
      ['gemini-2.5-pro', '$1.15', '19', '$38.77', '22,956', '6,746', '1,686', '$0.00'],
      ['groq/gpt-oss-120b', '$0.32', '52', '$3.88', '62,764', '18,522', '4,628', '$0.00'],
      ['openai/gpt-oss-120b', '$0.19', '88', '$1.41', '105,964', '31,073', '7,766', '$0.00'],
      ['llama-3.3-70b-instruct', '<$0.01', '16', '$0.11', '19,564', '5,971', '0', '$0.00'],
    ]);

    expectGroups(d.models?.items, 'model', MODELS_7D);
    // JSON ratios are rounded to 4 decimals: 5.74301e6 / 84729 = 67.78092…, 5.46e6 / 177533 = 30.75484…,
    // 1.15164e6 / 29702 = 38.77314…, 0.31577e6 / 81286 = 3.88467…, 0.19383e6 / 137037 = 1.41443…,
    // 0.00273e6 / 25535 = 0.10691….
    expect(d.models!.items.map((i) => i.usdPerMillionTokens)).toEqual([67.7809, 30.7548, 38.7731, 3.8847, 1.4144, 0.1069]);
  });

  it('--full-names: full model ids in the list', async ({ s }) => {
    const res = await run(s, ['--full-names', '--top', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(linesStarting(res, '• ')).toEqual([
      '• anthropic/claude-sonnet-4: $5.74 (54) + $2.02 BYOK',
      '• openai/gpt-4.1: $5.46 (114)',
      '• google/gemini-2.5-pro: $1.15 (19)',
      '• groq/gpt-oss-120b: $0.32 (52)',
      '• openai/gpt-oss-120b: $0.19 (88)',
      '• meta-llama/llama-3.3-70b-instruct: <$0.01 (16)',
    ]);
  });

  it('BYOK is shown apart and never added to credit spend', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(lineStarting(text, 'Today:')).toBe(KEY_TOTALS_LINE);
    // 60 % of 0.53256 = 0.319536 this week, of 2.84032 = 1.704192 this month.
    expect(lineStarting(text, 'BYOK:')).toBe('BYOK: Today: $0.00 | Week: $0.32 | Month: $1.70 (this key, billed by your own provider keys)');
    expect(d.key.byokUsage).toEqual({ today: 0, week: 0.319536, month: 1.704192, total: 5.597932 });

    // The default --top 4, then the rest: 0.19383 + 0.00273 = 0.19656 in 88 + 16 requests, no BYOK.
    expect(linesStarting(text, '• ')).toEqual([...MODEL_LINES_7D.slice(0, 4), '• 2 more models: $0.20 (104)']);
    const claude = d.models!.items.find((i) => i.model === 'anthropic/claude-sonnet-4')!;
    expect(claude.usage).toBeCloseTo(5.74301, 9);
    expect(claude.byokUsage).toBeCloseTo(2.01929, 9);
    // The trend is credit spend alone: 12.86698 / 7, BYOK not in it.
    expect(d.trend!.average).toBeCloseTo(1.83814, 9);
  });
});

describe.concurrent('alerts', SLOW, () => {
  // The account at MID_MONTH: balance 22.19994, today 10.55545, month 29.3373.
  const ALERTS = {
    'min-balance': {
      args: ['--min-balance', '25'],
      limit: 25,
      actual: 22.19994,
      by: 2.80006,
      message: 'alert: the balance (account) $22.20 is below --min-balance $25.00 by $2.80',
    },
    'max-today': {
      args: ['--max-today', '5'],
      limit: 5,
      actual: 10.55545,
      by: 5.55545,
      message: "alert: today's spend (account) $10.56 is above --max-today $5.00 by $5.56",
    },
    'max-month': {
      args: ['--max-month', '20'],
      limit: 20,
      actual: 29.3373,
      by: 9.3373,
      message: "alert: this month's spend (account) $29.34 is above --max-month $20.00 by $9.34",
    },
  } as const;

  type Threshold = keyof typeof ALERTS;

  it.for<Threshold>(['min-balance', 'max-today', 'max-month'])('--%s crossed: report on stdout, one alert line, exit 7', async (threshold, { s }) => {
    const c = ALERTS[threshold];
    const { text, json, d } = await textAndJson(s, [...c.args], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(7);
      expect(res.stderr).toBe(`${c.message}\n`);
    }
    expect(lines(text.stdout)[0]).toBe('💰 OpenRouter Usage');
    expect(lineStarting(text, 'Balance:')).toBe('Balance: $22.20 / $100.00');
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]).toMatchObject({ threshold, limit: c.limit, message: c.message });
    expect(d.alerts[0]!.actual).toBeCloseTo(c.actual, 9);
    expect(d.alerts[0]!.by).toBeCloseTo(c.by, 9);
  });

  it('all three crossed: three lines, in order', async ({ s }) => {
    const res = await run(s, [...ALERTS['min-balance'].args, ...ALERTS['max-today'].args, ...ALERTS['max-month'].args], BOTH_KEYS);
    expect(res.code).toBe(7);
    expect(stderrLines(res)).toEqual([ALERTS['min-balance'].message, ALERTS['max-today'].message, ALERTS['max-month'].message]);
    expect(lineStarting(res, 'Account:')).toBe(ACCOUNT_LINE);
  });

  it('none crossed: exit 0, nothing on stderr', async ({ s }) => {
    const { text, d } = await textAndJson(s, ['--min-balance', '21', '--max-today', '12', '--max-month', '31'], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(d.alerts).toEqual([]);
  });

  it('--max-today 0 on a day without spend is not crossed', async ({ s }) => {
    // No key spent today, this one included (an account total below this key's own is not trusted).
    s.setData({ keys: s.data.keys.map((k) => ({ ...k, usage_daily: 0 })), apiKeyInfo: { ...s.data.apiKeyInfo, usage_daily: 0 } });
    const res = await run(s, ['--max-today', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
  });

  it('a management key alone: --max-month checks the account totals', async ({ s }) => {
    const res = await run(s, [...ALERTS['max-month'].args], MGMT_ALONE);
    expect(res.code).toBe(7);
    expect(res.stderr).toBe(`${ALERTS['max-month'].message}\n`);
  });

  it("an API key alone: --max-today checks this key's own spend", async ({ s }) => {
    // 6.33327 - 3 = 3.33327
    const res = await run(s, ['--max-today', '3'], API_ONLY);
    expect(res.code).toBe(7);
    expect(res.stderr).toBe("alert: today's spend (this key) $6.33 is above --max-today $3.00 by $3.33\n");
  });

  it('--min-balance without a management key: the report, then exit 2 naming OPENROUTER_MGMT_KEY', async ({ s }) => {
    const { text, json, d } = await textAndJson(s, ['--min-balance', '5'], API_ONLY);
    for (const res of [text, json]) {
      expect(res.code).toBe(2);
      expect(stderrLines(res)).toEqual([
        'openrouter-usage: --min-balance needs the balance, which is unavailable: the balance needs a management key: set OPENROUTER_MGMT_KEY',
      ]);
    }
    expect(lineStarting(text, 'Today:')).toBe(KEY_TOTALS_LINE);
    expect(d.key.usage).toEqual({ ...KEY, total: 44.514396 });
  });

  it('--min-balance with /credits failing (503): the report, then exit 5', async ({ s }) => {
    s.setFault('/credits', { status: 503 });
    const res = await run(s, ['--min-balance', '5'], BOTH_KEYS);
    expect(res.code).toBe(5);
    expect(lineStarting(res, 'Today:')).toBe(KEY_TOTALS_LINE);
    expect(lines(res.stdout)).toContain('Balance: unavailable (/credits failed; see the warning)');
    const err = stderrLines(res);
    expect(err).toHaveLength(2);
    expect(err[0]).toBe('warning: /credits: server error (HTTP 503) after 4 attempts');
    expect(err[1]).toBe('openrouter-usage: --min-balance needs the balance, which is unavailable: /credits: server error (HTTP 503) after 4 attempts');
    expect(s.requestsTo('/credits')).toHaveLength(4);
  });

  it('--max-month with a management key alone and /keys failing: no totals to check, exit of that failure', async ({ s }) => {
    s.setFault('/keys', { status: 400 });
    const res = await run(s, ['--max-month', '1'], MGMT_ALONE);
    expect(res.code).toBe(5);
    const err = stderrLines(res);
    expect(err).toEqual([
      'warning: /keys: unexpected HTTP 400: Bad Request',
      "openrouter-usage: --max-month needs this month's spend, which is unavailable: /keys: unexpected HTTP 400: Bad Request",
    ]);
    expect(lines(res.stdout)[0]).toBe('💰 OpenRouter Usage');
  });
});

describe.concurrent('the month gap and the UTC day', SLOW, () => {
  const GAP_LINE =
    "Month $29.34 (account, live) vs $18.78 in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): today's $10.56 reaches /activity after UTC midnight.";

  it.for([
    { name: 'a management key alone', env: MGMT_ALONE },
    { name: 'API + management key (account totals lead)', env: BOTH_KEYS },
  ])('account totals vs account breakdown ($name): the gap is today’s spend', async ({ env }, { s }) => {
    const { text, d } = await textAndJson(s, [], env);
    expect(text.code).toBe(0);
    expect(d.discrepancy).toMatchObject({ monthScope: 'account', breakdownScope: 'account', otherKeys: null });
    const g = d.discrepancy!;
    // 29.3373 - 18.78185 = 10.55545: today's spend, to the micro-dollar.
    expect(g.month).toBeCloseTo(29.3373, 9);
    expect(g.breakdownMonth).toBeCloseTo(BREAKDOWN_MONTH, 9);
    expect(g.today).toBeCloseTo(10.55545, 9);
    expect(g.gap).toBeCloseTo(10.55545, 9);
    expect(g.unexplained).toBeCloseTo(0, 9);
    expect(g.message).toBe(GAP_LINE);
    expect(linesStarting(text, 'Month $')).toEqual([GAP_LINE]);
  });

  it("this key's totals vs the account breakdown (/keys unavailable): other keys' spend explains the rest", async ({ s }) => {
    s.setFault('/keys', { status: 400 });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(stderrLines(text)).toEqual(['warning: /keys: unexpected HTTP 400: Bad Request']);
    expect(d.account).toBeNull();
    expect(d.discrepancy).toMatchObject({ month: 17.60238, today: 6.33327, monthScope: 'key', breakdownScope: 'account' });
    const g = d.discrepancy!;
    expect(g.breakdownMonth).toBeCloseTo(BREAKDOWN_MONTH, 9);
    // 18.78185 - (17.60238 - 6.33327) = 7.51274: the ci key's 40 % of the completed days.
    expect(g.otherKeys).toBeCloseTo(7.51274, 9);
    expect(g.unexplained).toBeCloseTo(0, 9);
    const want =
      "Month $17.60 (this key, live) vs $18.78 in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): " +
      "today's $6.33 reaches /activity after UTC midnight; $7.51 in /activity is other keys' spend.";
    expect(g.message).toBe(want);
    expect(linesStarting(text, 'Month $')).toEqual([want]);
  });

  it('a key deleted this month: its spend is in /activity but no longer in the live total, and no cause is guessed', async ({ s }) => {
    const own = ownKey(s);
    s.setData({ keys: s.data.keys.filter((k) => k.hash === own.hash || k.disabled) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    // Only API_KEY's 17.60238 (today 6.33327) is live; 18.78185 - (17.60238 - 6.33327) = 7.51274 is missing.
    expect(d.discrepancy).toMatchObject({ monthScope: 'account', breakdownScope: 'account', otherKeys: null });
    expect(d.discrepancy!.unexplained).toBeCloseTo(-7.51274, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      "Month $17.60 (account, live) vs $18.78 in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): " +
        "today's $6.33 reaches /activity after UTC midnight; $7.51 in /activity is not in the live month (unexplained).",
    ]);
  });

  it('on the 1st of a month the breakdown has no day of it yet: the whole month is today', async ({ at }) => {
    const s = await at('2026-04-01T10:00:00Z');
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(d.account?.usage.month).toBeCloseTo(10.55545, 9);
    expect(d.account?.usage.today).toBeCloseTo(10.55545, 9);
    expect(d.models?.items).toHaveLength(6);
    expect(d.discrepancy).toMatchObject({ breakdownMonth: 0, monthScope: 'account' });
    expect(d.discrepancy!.gap).toBeCloseTo(10.55545, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      "Month $10.56 (account, live) vs no completed UTC day of this month in /activity yet: today's $10.56 reaches /activity after UTC midnight.",
    ]);
  });

  it.for([
    { name: 'exactly', month: BREAKDOWN_MONTH },
    { name: 'within half a cent', month: BREAKDOWN_MONTH + 0.004 },
  ])('totals and breakdown agree to the cent ($name): no discrepancy, no line', async ({ month }, { s }) => {
    s.setData({ keys: s.data.keys.map((k, i) => ({ ...k, usage_daily: 0, usage_monthly: i === 0 ? month : 0 })) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    expect(d.discrepancy).toBeNull();
    expect(linesStarting(text, 'Month $')).toEqual([]);
  });

  it('a gap of more than half a cent with nothing spent today is said to be unexplained', async ({ s }) => {
    // 18.78185 + 0.006 = 18.78785
    s.setData({ keys: s.data.keys.map((k, i) => ({ ...k, usage_daily: 0, usage_monthly: i === 0 ? 18.78785 : 0 })) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(d.discrepancy).toMatchObject({ today: 0 });
    expect(d.discrepancy!.unexplained).toBeCloseTo(0.006, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      "Month $18.79 (account, live) vs $18.78 in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): $0.01 of the live month is not in /activity (unexplained).",
    ]);
  });

  it.for([
    { tz: 'Asia/Kolkata', now: MID_MONTH, end: '05:30 UTC+5:30', left: '12 h 0 min' },
    { tz: 'UTC', now: MID_MONTH, end: '00:00 UTC', left: '12 h 0 min' },
    { tz: 'America/New_York', now: MID_MONTH, end: '20:00 UTC-4', left: '12 h 0 min' },
    { tz: 'America/St_Johns', now: MID_MONTH, end: '21:30 UTC-2:30', left: '12 h 0 min' },
    { tz: 'Asia/Kathmandu', now: '2026-03-11T23:30:00Z', end: '05:45 UTC+5:45', left: '30 min' },
  ])('TZ=$tz at $now: today ends at $end', async ({ tz, now, end, left }, { at }) => {
    const s = await at(now);
    const { text, d } = await textAndJson(s, [], { ...BOTH_KEYS, TZ: tz });
    expect(text.code).toBe(0);
    expect(linesStarting(text, 'All days are UTC')).toEqual([`All days are UTC; today ends at ${end} (in ${left}).`]);
    expect(d.utcDayEndsAt).toBe('2026-03-12T00:00:00.000Z');
  });
});

describe.concurrent('an account that spent nothing', SLOW, () => {
  it('zeros everywhere, and no runway, trend or gap made up from them', async ({ s }) => {
    const zero = { usage_daily: 0, usage_weekly: 0, usage_monthly: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0 };
    s.setData({
      activity: [],
      apiKeyInfo: { ...s.data.apiKeyInfo, ...zero },
      keys: s.data.keys.map((k) => ({ ...k, ...zero })),
      credits: { total_credits: 10, total_usage: 0 },
    });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(lineStarting(text, 'Today:')).toBe('Today: $0.00* | Week: $0.00 | Month: $0.00 (this key)');
    expect(lineStarting(text, 'Account:')).toBe('Account: Today: $0.00* | Week: $0.00 | Month: $0.00 (3 keys)');
    expect(lineStarting(text, 'BYOK:')).toBeUndefined();
    expect(lineStarting(text, 'Balance:')).toBe('Balance: $10.00 / $10.00');
    expect(text.stdout).not.toMatch(/^(Runway|Trend|Month \$)/m);
    expect(d).toMatchObject({ runway: null, discrepancy: null, trend: { min: 0, max: 0, average: 0 }, providers: [], alerts: [], warnings: [] });
    expect(d.daily).toEqual(ZERO_DAILY_7D);
    expect(d.account?.usage).toEqual({ today: 0, week: 0, month: 0 });
  });
});
