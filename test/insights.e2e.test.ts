// End to end, issue 4 ("spend insight"): account totals, trend, runway, --scope key, the detail
// views, alerts and the month gap, run through the built CLI (npm run build) against the stand-in.
//
// Every expected figure is computed from the stand-in's data (s.data), never copied. The CLI's
// clock is pinned to the stand-in's (test/fake-clock.mjs, preloaded with NODE_OPTIONS), so "today"
// is the same day on both sides and a test can pick its date: a window across a month boundary,
// the 1st of a month.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatCount, formatUsd as usd } from '../src/format.js';
import type { JsonDocument } from '../src/contract.js';
import { ROOT, expectCleanRun, lines, runCli, type CliResult } from './run-cli.js';
import {
  API_KEY,
  MGMT_KEY,
  fakeKey,
  madeBy,
  maskKey,
  secretOf,
  startStandIn,
  utcDay,
  type ActivityRow,
  type KeyInfo,
  type KeyListItem,
  type StandIn,
} from './server.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const FAKE_CLOCK = pathToFileURL(join(ROOT, 'test', 'fake-clock.mjs')).href;
const DAY_MS = 86_400_000;

interface Ctx {
  /** A stand-in of its own, its data built around today (noon UTC); closed after the test. */
  s: StandIn;
  /** A stand-in of its own whose data (and the CLI's clock) are built around `iso`; closed after the test. */
  at: (iso: string) => Promise<StandIn>;
}

const it = test.extend<Ctx>({
  // eslint-disable-next-line no-empty-pattern
  s: async ({}, use) => {
    // Today, at noon UTC: the run's few hundred milliseconds never carry it into another day.
    const now = new Date();
    now.setUTCHours(12, 0, 0, 0);
    const s = await startStandIn({ now });
    await use(s);
    await s.close();
  },
  // eslint-disable-next-line no-empty-pattern
  at: async ({}, use) => {
    const opened: StandIn[] = [];
    await use(async (iso) => {
      const s = await startStandIn({ now: new Date(iso) });
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

/** A Wednesday in mid-March: a week and a month already under way. */
const MID_MONTH = '2026-03-11T12:00:00Z';

/**
 * Runs the CLI against `s`, its clock pinned to `s.now`, and checks what every run must satisfy. The
 * insights are fine print, so text runs are --explain runs, on a terminal wide enough that no sentence
 * breaks (the short report and the width have tests of their own).
 */
async function run(s: StandIn, args: string[], env: Record<string, string>): Promise<CliResult> {
  const res = await runCli(['--explain', ...args], {
    env: { OPENROUTER_BASE_URL: s.url, NODE_OPTIONS: `--import=${FAKE_CLOCK}`, FAKE_CLOCK_NOW: s.now.toISOString(), COLUMNS: '1000', ...env },
  });
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

const sum = <T>(items: readonly T[], pick: (item: T) => number): number => items.reduce((total, item) => total + pick(item), 0);

function period(t: { today: number; week: number; month: number }): string {
  return `Today: ${usd(t.today)}* | Week: ${usd(t.week)} | Month: ${usd(t.month)}`;
}

function keyTotals(k: KeyInfo): { today: number; week: number; month: number } {
  return { today: k.usage_daily, week: k.usage_weekly, month: k.usage_monthly };
}

/** What /keys adds up to, disabled keys included. */
function accountOf(keys: readonly KeyListItem[]) {
  return {
    usage: { today: sum(keys, (k) => k.usage_daily), week: sum(keys, (k) => k.usage_weekly), month: sum(keys, (k) => k.usage_monthly) },
    byokUsage: { today: sum(keys, (k) => k.byok_usage_daily), week: sum(keys, (k) => k.byok_usage_weekly), month: sum(keys, (k) => k.byok_usage_monthly) },
    keys: keys.length,
    disabledKeys: keys.filter((k) => k.disabled).length,
  };
}

function expectCloseTotals(
  actual: { today: number; week: number; month: number } | null | undefined,
  want: { today: number; week: number; month: number },
): void {
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

/** The completed UTC days of a `days`-day window before `now`'s day. */
function windowOf(now: Date, days: number): { from: string; to: string } {
  return { from: utcDay(now, -days), to: utcDay(now, -1) };
}

/** Rows of the window summed per group, highest spend first (ties: requests, then name). */
function groups(rows: readonly ActivityRow[], now: Date, days: number, keyOf: (r: ActivityRow) => string): Group[] {
  const { from, to } = windowOf(now, days);
  const out = new Map<string, Group>();
  for (const r of rows) {
    if (r.date < from || r.date > to) continue;
    const name = keyOf(r);
    const g = out.get(name) ?? { name, usage: 0, byokUsage: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
    g.usage += r.usage;
    g.byokUsage += r.byok_usage_inference;
    g.requests += r.requests;
    g.promptTokens += r.prompt_tokens;
    g.completionTokens += r.completion_tokens;
    g.reasoningTokens += r.reasoning_tokens;
    out.set(name, g);
  }
  return [...out.values()].sort((a, b) => b.usage - a.usage || b.requests - a.requests || a.name.localeCompare(b.name));
}

const byModel = (r: ActivityRow): string => r.model;
const byProvider = (r: ActivityRow): string => r.provider_name;

/** One entry per day of the window, oldest first, zero where there are no rows. */
function dailyOf(rows: readonly ActivityRow[], now: Date, days: number): Array<{ date: string; usage: number; requests: number }> {
  return Array.from({ length: days }, (_, i) => {
    const date = utcDay(now, i - days);
    const day = rows.filter((r) => r.date === date);
    return { date, usage: sum(day, (r) => r.usage), requests: sum(day, (r) => r.requests) };
  });
}

function trendOf(daily: ReadonlyArray<{ usage: number }>): { min: number; max: number; average: number } {
  const u = daily.map((d) => d.usage);
  return { min: Math.min(...u), max: Math.max(...u), average: sum(u, (x) => x) / u.length };
}

/** Credit spend of the completed UTC days of `now`'s month. */
function breakdownMonthOf(rows: readonly ActivityRow[], now: Date): number {
  const today = utcDay(now);
  const monthStart = `${today.slice(0, 7)}-01`;
  return sum(
    rows.filter((r) => r.date >= monthStart && r.date < today),
    (r) => r.usage,
  );
}

/** Short name (after the last `/`) unless another model shares it. */
function displayName(model: string, all: readonly string[]): string {
  const short = (m: string): string => m.slice(m.lastIndexOf('/') + 1);
  return all.filter((m) => short(m) === short(model)).length > 1 ? model : short(model);
}

function bullet(name: string, g: { usage: number; requests: number; byokUsage: number }): string {
  return `• ${name}: ${usd(g.usage)} (${formatCount(g.requests)})${g.byokUsage > 0 ? ` + ${usd(g.byokUsage)} BYOK` : ''}`;
}

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

/** The key whose label /key shows: /keys' first key in the stand-in's default data. */
function ownKey(s: StandIn): KeyListItem {
  const own = s.data.keys.filter((k) => k.label === s.data.apiKeyInfo.label);
  expect(own).toHaveLength(1);
  return own[0]!;
}

const SLOW = { timeout: 30_000 };

// ---------------------------------------------------------------------------------------------

describe.concurrent('account-wide live totals', SLOW, () => {
  it('API + management key: every key /keys lists is summed, disabled ones included, beside this key', async ({ at }) => {
    const s = await at(MID_MONTH);
    // The default disabled key has no spend this month; give it some, so leaving it out would show.
    s.setData({
      keys: s.data.keys.map((k) => (k.disabled ? { ...k, usage_daily: 0.25, usage_weekly: 0.75, usage_monthly: 1.2345, byok_usage_monthly: 0.5 } : k)),
    });
    const account = accountOf(s.data.keys);
    expect(account.disabledKeys).toBeGreaterThan(0);

    const { text, json, d } = await textAndJson(s, [], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
    }
    expect(lineStarting(text, 'Today:')).toBe(`${period(keyTotals(s.data.apiKeyInfo))} (this key)`);
    expect(lineStarting(text, 'Account:')).toBe(`Account: ${period(account.usage)} (${account.keys} keys)`);
    const deleted = lines(text.stdout).filter((l) => /deleted/.test(l));
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatch(
      new RegExp(
        `^Account totals add up the live counters of the ${account.keys} keys /keys lists, ${account.disabledKeys} of them disabled; keys deleted this period are no longer counted\\.$`,
      ),
    );

    expectCloseTotals(d.account?.usage, account.usage);
    expectCloseTotals(d.account?.byokUsage, account.byokUsage);
    expect(d.account).toMatchObject({ keys: account.keys, disabledKeys: account.disabledKeys });
    expect(d.key.usage).toEqual({ ...keyTotals(s.data.apiKeyInfo), total: s.data.apiKeyInfo.usage });

    const asked = s.requestsTo('/keys');
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) {
      expect(r.query.get('include_disabled')).toBe('true');
      expect(r.authorization).toBe(`Bearer ${MGMT_KEY}`);
    }
  });

  it('many keys across pages: every page is read and every key counted', async ({ at }) => {
    const s = await at(MID_MONTH);
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
    const account = accountOf(many);
    expect(account.keys).toBe(250);

    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(lineStarting(text, 'Account:')).toBe(`Account: ${period(account.usage)} (250 keys)`);
    expect(text.stdout).toContain(`the 250 keys /keys lists, ${account.disabledKeys} of them disabled`);
    expect(d.account).toMatchObject({ keys: 250, disabledKeys: account.disabledKeys });
    expectCloseTotals(d.account?.usage, account.usage);
    // Two runs, each reading the three pages once.
    const offsets = s.requestsTo('/keys').map((r) => r.query.get('offset'));
    expect(offsets.sort()).toEqual(['0', '0', '100', '100', '200', '200']);
  });

  it('a management key alone: the account totals replace its own empty counters', async ({ at }) => {
    const s = await at(MID_MONTH);
    const account = accountOf(s.data.keys);
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(lineStarting(text, 'Today:')).toBeUndefined();
    expect(text.stdout).not.toContain('(this key)');
    expect(lineStarting(text, 'Account:')).toBe(`Account: ${period(account.usage)} (${account.keys} keys)`);
    // BYOK stays apart: its own line, never in the Account line's figures.
    expect(account.byokUsage.month).toBeGreaterThan(0);
    expect(lineStarting(text, 'BYOK:')).toBe(`BYOK: ${period(account.byokUsage).replace('*', '')} (billed by your own provider keys)`);
    expect(lines(text.stdout).filter((l) => /deleted/.test(l))).toHaveLength(1);

    expect(d.key).toMatchObject({ isManagementKey: true, usage: null, byokUsage: null });
    expectCloseTotals(d.account?.usage, account.usage);
    for (const r of s.requests) expect(r.authorization).toBe(`Bearer ${MGMT_KEY}`);
  });

  it('an API key alone: no account totals, no note about them, no /keys request', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(lineStarting(text, 'Account:')).toBeUndefined();
    expect(lineStarting(text, 'Today:')).toBe(`${period(keyTotals(s.data.apiKeyInfo))} (this key)`);
    expect(text.stdout).not.toMatch(/deleted/);
    expect(d.account).toBeNull();
    expect(s.requestsTo('/keys')).toEqual([]);
  });
});

describe.concurrent('trend', SLOW, () => {
  it('--days 7: one daily entry per day, oldest first; trend and sparkline computed from it', async ({ s }) => {
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    const daily = dailyOf(s.data.activity, s.now, 7);
    expect(d.daily?.map((x) => x.date)).toEqual(daily.map((x) => x.date));
    d.daily!.forEach((got, i) => {
      expect(got.usage, got.date).toBeCloseTo(daily[i]!.usage, 9);
      expect(got.requests, got.date).toBe(daily[i]!.requests);
    });
    const trend = trendOf(daily);
    expect(d.trend!.min).toBeCloseTo(trend.min, 9);
    expect(d.trend!.max).toBeCloseTo(trend.max, 9);
    expect(d.trend!.average).toBeCloseTo(trend.average, 9);

    const line = lineStarting(text, 'Trend:');
    const m = /^Trend: (\S+) {2}min (\S+) · avg (\S+)\/day · max (\S+)$/.exec(line ?? '');
    expect(m, line).not.toBeNull();
    const [, spark, min, avg, max] = m!;
    expect([min, avg, max]).toEqual([usd(trend.min), usd(trend.average), usd(trend.max)]);
    const bars = [...spark!];
    expect(bars).toHaveLength(7);
    const BARS = '▁▂▃▄▅▆▇█';
    for (const b of bars) expect(BARS).toContain(b);
    // The highest day is the full bar, and a day that spent more never gets a lower bar.
    daily.forEach((day, i) => {
      if (day.usage === trend.max) expect(bars[i]).toBe('█');
      daily.forEach((other, j) => {
        if (day.usage > other.usage) expect(BARS.indexOf(bars[i]!)).toBeGreaterThanOrEqual(BARS.indexOf(bars[j]!));
      });
    });
  });

  it('a window across a month boundary (Feb → Mar), with a day without rows', async ({ at }) => {
    const s = await at('2026-03-03T12:00:00Z');
    const quiet = '2026-02-27';
    s.setData({ activity: s.data.activity.filter((r) => r.date !== quiet) });
    const { text, d } = await textAndJson(s, ['--days', '7'], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(d.models).toMatchObject({ days: 7, from: '2026-02-24', to: '2026-03-02' });
    expect(d.daily?.map((x) => x.date)).toEqual(['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const daily = dailyOf(s.data.activity, s.now, 7);
    d.daily!.forEach((got, i) => expect(got.usage, got.date).toBeCloseTo(daily[i]!.usage, 9));
    expect(d.daily![3]).toEqual({ date: quiet, usage: 0, requests: 0 });
    expect(d.trend!.min).toBe(0);
    expect(d.trend!.average).toBeCloseTo(trendOf(daily).average, 9);
    expectGroups(d.models?.items, 'model', groups(s.data.activity, s.now, 7, byModel));

    expect(lineStarting(text, 'Trend:')?.slice('Trend: '.length, 'Trend: '.length + 7)).toMatch(/^[▂-█]{3}▁[▂-█]{3}$/);
    expect(text.stdout).toContain('2026-02-24 to 2026-03-02 (completed days)');
    // The month gap counts March's completed days only, not February's.
    expect(d.discrepancy?.breakdownMonth).toBeCloseTo(breakdownMonthOf(s.data.activity, s.now), 9);
    expect(d.discrepancy?.breakdownMonth).toBeCloseTo(
      sum(
        s.data.activity.filter((r) => r.date === '2026-03-01' || r.date === '2026-03-02'),
        (r) => r.usage,
      ),
      9,
    );
  });

  it.for([
    { name: 'a year boundary', now: '2027-01-02T05:00:00Z', days: 3, dates: ['2026-12-30', '2026-12-31', '2027-01-01'] },
    { name: 'February 29th', now: '2028-03-02T00:30:00Z', days: 3, dates: ['2028-02-28', '2028-02-29', '2028-03-01'] },
  ])('a window across $name', async ({ now, days, dates }, { at }) => {
    const s = await at(now);
    const d = doc(await run(s, ['--json', '--days', String(days)], BOTH_KEYS));
    expect(d.models).toMatchObject({ days, from: dates[0], to: dates.at(-1) });
    expect(d.daily?.map((x) => x.date)).toEqual(dates);
    const daily = dailyOf(s.data.activity, s.now, days);
    d.daily!.forEach((got, i) => expect(got.usage, got.date).toBeCloseTo(daily[i]!.usage, 9));
    expect(d.trend!.average).toBeCloseTo(trendOf(daily).average, 9);
    expect(d.discrepancy?.breakdownMonth).toBeCloseTo(breakdownMonthOf(s.data.activity, s.now), 9);
  });

  it('--days 1: one daily entry, the trend is that day, and no sparkline for a single bar', async ({ s }) => {
    const { text, d } = await textAndJson(s, ['--days', '1'], BOTH_KEYS);
    expect(text.code).toBe(0);
    const [yesterday] = dailyOf(s.data.activity, s.now, 1);
    expect(d.daily).toHaveLength(1);
    expect(d.daily![0]!.date).toBe(utcDay(s.now, -1));
    expect(d.daily![0]!.usage).toBeCloseTo(yesterday!.usage, 9);
    for (const v of [d.trend!.min, d.trend!.max, d.trend!.average]) expect(v).toBeCloseTo(yesterday!.usage, 9);
    expect(d.runway).toMatchObject({ basis: 'credits', averageDays: 1, dailyAverage: d.trend!.average });
    expect(lines(text.stdout)).toContain('Recent Models (1d):');
    expect(lineStarting(text, 'Trend:')).toBeUndefined();
    expect(lineStarting(text, 'Runway:')).toMatch(/^Runway: at the 1-day average of /);
  });

  it('spend on only one day of the window: six zero days, and the average over all seven', async ({ s }) => {
    const day = utcDay(s.now, -4);
    s.setData({ activity: s.data.activity.filter((r) => r.date === day || r.date === utcDay(s.now)) });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    const spent = sum(
      s.data.activity.filter((r) => r.date === day),
      (r) => r.usage,
    );
    expect(d.daily!.map((x) => (x.date === day ? 'spent' : x.usage))).toEqual([0, 0, 0, 'spent', 0, 0, 0]);
    expect(d.trend!.min).toBe(0);
    expect(d.trend!.max).toBeCloseTo(spent, 9);
    expect(d.trend!.average).toBeCloseTo(spent / 7, 9);
    expect(lineStarting(text, 'Trend:')).toBe(`Trend: ▁▁▁█▁▁▁  min $0.00 · avg ${usd(spent / 7)}/day · max ${usd(spent)}`);
  });
});

describe.concurrent('runway', SLOW, () => {
  it.for([7, 30])('--days %i: the balance at the window’s daily average', async (days, { s }) => {
    const { text, d } = await textAndJson(s, ['--days', String(days)], BOTH_KEYS);
    expect(text.code).toBe(0);
    const remaining = s.data.credits.total_credits - s.data.credits.total_usage;
    const average = trendOf(dailyOf(s.data.activity, s.now, days)).average;
    const runwayDays = Math.floor(remaining / average);
    expect(d.runway).toMatchObject({ basis: 'credits', averageDays: days, days: runwayDays, until: utcDay(s.now, runwayDays) });
    // The figures the runway was computed from are the ones the document shows.
    expect(d.runway!.basis === 'credits' && d.runway!.dailyAverage).toBe(d.trend!.average);
    expect(d.runway!.basis === 'credits' && d.runway!.days).toBe(Math.floor(d.credits!.remaining / d.trend!.average));
    expect(d.trend!.average).toBeCloseTo(average, 9);
    expect(lineStarting(text, 'Runway:')).toBe(
      `Runway: at the ${days}-day average of ${usd(average)}/day, credits last about ${runwayDays} day${runwayDays === 1 ? '' : 's'} (until ${utcDay(s.now, runwayDays)})`,
    );
  });

  it.for([
    { name: 'no rows at all', keepToday: false },
    { name: "only today's rows, which never count", keepToday: true },
  ])('no spend in the window ($name): no runway, no trend, never a guess', async ({ keepToday }, { s }) => {
    const today = utcDay(s.now);
    s.setData({ activity: keepToday ? s.data.activity.filter((r) => r.date === today) : [] });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(d.credits).not.toBeNull();
    expect(d.runway).toBeNull();
    expect(d.models?.items).toEqual([]);
    expect(d.providers).toEqual([]);
    expect(d.daily).toEqual(dailyOf([], s.now, 7));
    expect(d.trend).toEqual({ min: 0, max: 0, average: 0 });
    const { from, to } = windowOf(s.now, 7);
    expect(lines(text.stdout)).toContain(`No activity in the last 7 completed UTC days (${from} to ${to}).`);
    expect(text.stdout).not.toMatch(/^(Runway|Trend):/m);
    expect(text.stdout).not.toMatch(/month-to-date/);
  });

  // An API key alone with a cap: whether the cap runs out before it resets, at the month-to-date pace.
  it.for<{ name: string; limit: number; remaining: number; reset: string | null }>([
    { name: 'a monthly cap that runs out before it resets', limit: 30, remaining: 10, reset: 'monthly' },
    { name: 'a monthly cap that lasts until it resets', limit: 200, remaining: 179, reset: 'monthly' },
    { name: 'a cap that never resets', limit: 40, remaining: 19, reset: null },
  ])('key limit: $name', async ({ limit, remaining, reset }, { at }) => {
    const s = await at(MID_MONTH);
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, usage_monthly: 21, limit, limit_remaining: remaining, limit_reset: reset } });
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');

    // The run's own clock (the stand-in's, plus the moments the run took), for the exact pace.
    const now = new Date(d.fetchedAt);
    expect(utcDay(now)).toBe(utcDay(s.now));
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const average = s.data.apiKeyInfo.usage_monthly / ((now.getTime() - monthStart) / DAY_MS);
    const runsOutAt = now.getTime() + (remaining / average) * DAY_MS;
    const resetAt = reset ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) : undefined;
    const runsOutOn = utcDay(new Date(runsOutAt));
    const resetsOn = resetAt === undefined ? null : utcDay(new Date(resetAt));
    const before = resetAt === undefined || runsOutAt < resetAt;

    expect(d.credits).toBeNull();
    expect(d.runway).toMatchObject({ basis: 'key-limit', runsOutOn, resetsOn, runsOutBeforeReset: before });
    expect(d.runway!.dailyAverage).toBeCloseTo(average, 9);

    const pace = `Key limit: at this key's month-to-date average of ${usd(average)}/day`;
    const want =
      resetsOn === null
        ? `${pace}, it runs out about ${runsOutOn}`
        : before
          ? `${pace}, it runs out about ${runsOutOn}, before it resets on ${resetsOn}`
          : `${pace}, it lasts until it resets on ${resetsOn}`;
    expect(linesStarting(text, 'Key limit:')).toEqual([`Key limit: ${usd(remaining)} left of ${usd(limit)}${reset ? `, resets ${reset}` : ''}`, want]);
    expect(lineStarting(text, 'Runway:')).toBeUndefined();
  });

  // /key's include_byok_in_limit says whether BYOK spend counts against the cap (shared/openrouter-api.md):
  // when it does, the cap is spent at the credit pace plus the BYOK pace.
  it.for([
    { name: 'BYOK spend counts against the cap', includeByok: true },
    { name: 'BYOK spend does not count against the cap', includeByok: false },
  ])('key limit: $name', async ({ includeByok }, { at }) => {
    const s = await at(MID_MONTH);
    // $1/day of credits and $1/day of BYOK so far this month; $29 of a $50 monthly cap left.
    s.setData({
      apiKeyInfo: {
        ...s.data.apiKeyInfo,
        usage_monthly: 10.5,
        byok_usage_monthly: 10.5,
        include_byok_in_limit: includeByok,
        limit: 50,
        limit_remaining: 29,
        limit_reset: 'monthly',
      },
    });
    const { text, d } = await textAndJson(s, [], API_ONLY);
    expect(text.code).toBe(0);
    const k = s.data.apiKeyInfo;
    const now = new Date(d.fetchedAt);
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const spent = k.usage_monthly + (includeByok ? k.byok_usage_monthly : 0);
    const average = spent / ((now.getTime() - monthStart) / DAY_MS);
    const runsOutAt = now.getTime() + (k.limit_remaining! / average) * DAY_MS;
    const resetAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const runsOutOn = utcDay(new Date(runsOutAt));
    const resetsOn = utcDay(new Date(resetAt));
    expect(d.runway).toMatchObject({ basis: 'key-limit', runsOutOn, resetsOn, runsOutBeforeReset: runsOutAt < resetAt });
    expect(d.runway!.dailyAverage).toBeCloseTo(average, 9);
    const pace = `Key limit: at this key's month-to-date average of ${usd(average)}/day`;
    expect(linesStarting(text, 'Key limit:').at(-1)).toBe(
      runsOutAt < resetAt ? `${pace}, it runs out about ${runsOutOn}, before it resets on ${resetsOn}` : `${pace}, it lasts until it resets on ${resetsOn}`,
    );
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
  function attribute(s: StandIn): { mine: ActivityRow[]; ownHash: string } {
    const own = ownKey(s);
    const other = s.data.keys.find((k) => k.hash !== own.hash && !k.disabled)!;
    const isMine = (r: ActivityRow): boolean => ['OpenAI', 'Anthropic', 'Google Vertex', 'Cerebras'].includes(r.provider_name);
    s.setData({ activity: s.data.activity.map((r) => madeBy(r, isMine(r) ? own.hash : other.hash)) });
    return { mine: s.data.activity.filter(isMine), ownHash: own.hash };
  }

  it("finds the key's hash in /keys by its label and sums that key's rows only", async ({ s }) => {
    const { mine, ownHash } = attribute(s);
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

    const models = groups(mine, s.now, 7, byModel);
    const all = groups(s.data.activity, s.now, 7, byModel);
    expect(models.length).toBeLessThan(all.length);
    expect(d.models?.scope).toBe('key');
    expectGroups(d.models?.items, 'model', models);
    expectGroups(d.providers, 'provider', groups(mine, s.now, 7, byProvider));
    const daily = dailyOf(mine, s.now, 7);
    d.daily!.forEach((got, i) => expect(got.usage, got.date).toBeCloseTo(daily[i]!.usage, 9));

    // Like with like: this key's live month against this key's rows; and no runway, since the
    // balance is the account's and this key's pace cannot project it.
    expect(d.discrepancy).toMatchObject({ monthScope: 'key', breakdownScope: 'key', otherKeys: null, month: s.data.apiKeyInfo.usage_monthly });
    expect(d.discrepancy!.breakdownMonth).toBeCloseTo(breakdownMonthOf(mine, s.now), 9);
    expect(d.runway).toBeNull();

    expect(lines(text.stdout)).toContain('Recent Models (7d, this key):');
    const names = models.map((m) => m.name);
    expect(linesStarting(text, '• ')).toEqual(models.map((m) => bullet(displayName(m.name, names), m)));
    expect(text.stdout).toMatch(/breakdown: this key, /);
  });

  it('finds the key on the last of several /keys pages', async ({ s }) => {
    const { mine, ownHash } = attribute(s);
    const [own, template] = s.data.keys;
    const others = Array.from({ length: 240 }, (_, i) => ({ ...template!, hash: `hash-${i}`, name: `key ${i}`, label: maskKey(fakeKey('e', `key ${i}`)) }));
    s.setData({ keys: [...others, own!] });
    const d = doc(await run(s, ['--json', '--scope', 'key'], BOTH_KEYS));
    expect(s.requestsTo('/keys').map((r) => r.query.get('offset'))).toEqual(['0', '100', '200']);
    expect(s.requestsTo('/activity').map((r) => r.query.get('api_key_hash'))).toEqual([ownHash]);
    expect(d.models?.scope).toBe('key');
    expectGroups(d.models?.items, 'model', groups(mine, s.now, 7, byModel));
  });

  it.for([
    { name: 'not among the keys /keys lists', twice: false },
    { name: 'shared by two keys in /keys', twice: true },
  ])('the label is $name: exit 0, a warning naming /activity, no breakdown', async ({ twice }, { s }) => {
    attribute(s);
    if (twice) s.setData({ keys: [...s.data.keys, { ...ownKey(s), hash: 'another-hash', name: 'look-alike' }] });
    else s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, label: maskKey(fakeKey('e', 'a key /keys does not list')) } });
    const { text, json, d } = await textAndJson(s, ['--scope', 'key'], BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(0);
      expect(stderrLines(res)).toHaveLength(1);
      expect(stderrLines(res)[0]).toMatch(/^warning: .*\/activity.*--scope key/);
    }
    expect(s.requestsTo('/activity')).toEqual([]);
    expect(lines(text.stdout)).toContain('Recent Models: unavailable (/activity failed; see the warning)');
    expect(linesStarting(text, '• ')).toEqual([]);
    expect(lineStarting(text, 'Today:')).toMatch(/^Today: \$/);
    expect(d.models).toBeNull();
    expect(d.daily).toBeNull();
    expect(d.warnings.map((w) => w.source)).toEqual(['activity']);
    expect(d.warnings[0]!.message).toContain('/activity');
  });
});

describe.concurrent('detail views', SLOW, () => {
  it('--by provider: providers summed across models and days', async ({ s }) => {
    // Groq serves two models here, so its line must add both up.
    s.setData({ activity: s.data.activity.map((r) => (r.provider_name === 'Cerebras' ? { ...r, provider_name: 'Groq' } : r)) });
    const { text, d } = await textAndJson(s, ['--by', 'provider', '--top', '0'], BOTH_KEYS);
    expect(text.code).toBe(0);
    const providers = groups(s.data.activity, s.now, 7, byProvider);
    const groq = providers.find((p) => p.name === 'Groq')!;
    const groqModels = new Set(s.data.activity.filter((r) => r.provider_name === 'Groq').map((r) => r.model));
    expect(groqModels.size).toBe(2);
    expect(groq.usage).toBeCloseTo(
      sum(
        groups(
          s.data.activity.filter((r) => r.provider_name === 'Groq'),
          s.now,
          7,
          byModel,
        ),
        (m) => m.usage,
      ),
      9,
    );

    expect(lines(text.stdout)).toContain('Recent Providers (7d):');
    expect(linesStarting(text, '• ')).toEqual(providers.map((p) => bullet(p.name, p)));
    expectGroups(d.providers, 'provider', providers);
    // JSON keeps the models whatever --by says.
    expectGroups(d.models?.items, 'model', groups(s.data.activity, s.now, 7, byModel));
  });

  it('--by day: every day of the window, oldest first, whatever --top says', async ({ s }) => {
    const res = await run(s, ['--by', 'day', '--top', '2'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(lines(res.stdout)).toContain('Recent Days (7d):');
    expect(linesStarting(res, '• ')).toEqual(dailyOf(s.data.activity, s.now, 7).map((day) => bullet(day.date, { ...day, byokUsage: 0 })));
    expect(lineStarting(res, 'Trend:')).toBeDefined();
  });

  it('--details: tokens and $/M tok per model; reasoning is never added to completion', async ({ s }) => {
    const { text, d } = await textAndJson(s, ['--details', '--top', '0'], BOTH_KEYS);
    expect(text.code).toBe(0);
    const models = groups(s.data.activity, s.now, 7, byModel);
    const names = models.map((m) => m.name);
    const all = lines(text.stdout);
    const title = all.indexOf('Recent Models (7d):');
    expect(title).toBeGreaterThan(-1);
    const split = (l: string): string[] => l.trim().split(/ {2,}/);
    expect(split(all[title + 1]!)).toEqual(['model', 'spend', 'requests', '$/M tok', 'prompt', 'completion', 'reasoning', 'BYOK']);
    const rows = all.slice(title + 2, title + 2 + models.length).map(split);
    expect(rows).toEqual(
      models.map((m) => [
        displayName(m.name, names),
        usd(m.usage),
        formatCount(m.requests),
        usd((m.usage / (m.promptTokens + m.completionTokens)) * 1e6),
        formatCount(m.promptTokens),
        formatCount(m.completionTokens),
        formatCount(m.reasoningTokens),
        usd(m.byokUsage),
      ]),
    );

    expectGroups(d.models?.items, 'model', models);
    for (const item of d.models!.items) {
      const rows = s.data.activity.filter((r) => r.model === item.model && r.date >= d.models!.from && r.date <= d.models!.to);
      expect(item.completionTokens, item.model).toBe(sum(rows, (r) => r.completion_tokens));
      expect(item.reasoningTokens, item.model).toBe(sum(rows, (r) => r.reasoning_tokens));
      // JSON gives ratios to four decimals.
      expect(item.usdPerMillionTokens, item.model).toBeCloseTo((item.usage / (item.promptTokens + sum(rows, (r) => r.completion_tokens))) * 1e6, 4);
    }
    expect(d.models!.items.some((i) => i.reasoningTokens > 0)).toBe(true);
  });

  it('--full-names: full model ids in the list', async ({ s }) => {
    const res = await run(s, ['--full-names', '--top', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    const models = groups(s.data.activity, s.now, 7, byModel);
    expect(
      models.some(
        (m) =>
          m.name !==
          displayName(
            m.name,
            models.map((x) => x.name),
          ),
      ),
    ).toBe(true);
    expect(linesStarting(res, '• ')).toEqual(models.map((m) => bullet(m.name, m)));
  });

  it('BYOK is shown apart and never added to credit spend', async ({ at }) => {
    const s = await at(MID_MONTH);
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    const k = s.data.apiKeyInfo;
    expect(k.byok_usage_monthly).toBeGreaterThan(0);
    expect(lineStarting(text, 'Today:')).toBe(`${period(keyTotals(k))} (this key)`);
    expect(lineStarting(text, 'BYOK:')).toBe(
      `BYOK: ${period({ today: k.byok_usage_daily, week: k.byok_usage_weekly, month: k.byok_usage_monthly }).replace('*', '')} (this key, billed by your own provider keys)`,
    );
    expect(d.key.byokUsage).toEqual({ today: k.byok_usage_daily, week: k.byok_usage_weekly, month: k.byok_usage_monthly, total: k.byok_usage });

    const models = groups(s.data.activity, s.now, 7, byModel);
    const withByok = models.filter((m) => m.byokUsage > 0);
    expect(withByok.length).toBeGreaterThan(0);
    const names = models.map((m) => m.name);
    for (const m of withByok) {
      expect(lines(text.stdout)).toContain(bullet(displayName(m.name, names), m));
      const item = d.models!.items.find((i) => i.model === m.name)!;
      expect(item.usage).toBeCloseTo(m.usage, 9);
      expect(item.byokUsage).toBeCloseTo(m.byokUsage, 9);
    }
    expect(d.trend!.average).toBeCloseTo(trendOf(dailyOf(s.data.activity, s.now, 7)).average, 9);
  });
});

describe.concurrent('alerts', SLOW, () => {
  function figures(s: StandIn) {
    const account = accountOf(s.data.keys).usage;
    return { balance: s.data.credits.total_credits - s.data.credits.total_usage, today: account.today, month: account.month };
  }
  const money = (x: number): string => x.toFixed(2);

  type Threshold = 'min-balance' | 'max-today' | 'max-month';
  /** A limit that `figure` crosses, and the stderr line that says so. */
  function crossed(s: StandIn, threshold: Threshold): { args: string[]; message: string; limit: number; actual: number } {
    const f = figures(s);
    const [actual, limit, what, relation] =
      threshold === 'min-balance'
        ? [f.balance, Math.ceil(f.balance) + 1, 'the balance', 'below']
        : threshold === 'max-today'
          ? [f.today, Number(money(f.today / 2)), "today's spend", 'above']
          : [f.month, Number(money(f.month / 2)), "this month's spend", 'above'];
    return {
      args: [`--${threshold}`, money(limit)],
      message: `alert: ${what} (account) ${usd(actual)} is ${relation} --${threshold} ${usd(limit)} by ${usd(Math.abs(actual - limit))}`,
      limit,
      actual,
    };
  }

  it.for<Threshold>(['min-balance', 'max-today', 'max-month'])('--%s crossed: report on stdout, one alert line, exit 7', async (threshold, { at }) => {
    const s = await at(MID_MONTH);
    const c = crossed(s, threshold);
    const { text, json, d } = await textAndJson(s, c.args, BOTH_KEYS);
    for (const res of [text, json]) {
      expect(res.code).toBe(7);
      expect(res.stderr).toBe(`${c.message}\n`);
    }
    expect(text.stdout.startsWith('💰 OpenRouter Usage')).toBe(true);
    expect(lineStarting(text, 'Balance:')).toBeDefined();
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]).toMatchObject({ threshold, limit: c.limit, message: c.message });
    expect(d.alerts[0]!.actual).toBeCloseTo(c.actual, 9);
    expect(d.alerts[0]!.by).toBeCloseTo(Math.abs(c.actual - c.limit), 9);
  });

  it('all three crossed: three lines, in order', async ({ at }) => {
    const s = await at(MID_MONTH);
    const all = (['min-balance', 'max-today', 'max-month'] as const).map((t) => crossed(s, t));
    const res = await run(
      s,
      all.flatMap((c) => c.args),
      BOTH_KEYS,
    );
    expect(res.code).toBe(7);
    expect(stderrLines(res)).toEqual(all.map((c) => c.message));
    expect(lineStarting(res, 'Account:')).toBeDefined();
  });

  it('none crossed: exit 0, nothing on stderr', async ({ at }) => {
    const s = await at(MID_MONTH);
    const f = figures(s);
    const args = [
      '--min-balance',
      money(Math.floor(f.balance) - 1),
      '--max-today',
      money(Math.ceil(f.today) + 1),
      '--max-month',
      money(Math.ceil(f.month) + 1),
    ];
    const { text, d } = await textAndJson(s, args, BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(d.alerts).toEqual([]);
  });

  it('--max-today 0 on a day without spend is not crossed', async ({ s }) => {
    s.setData({ keys: s.data.keys.map((k) => ({ ...k, usage_daily: 0 })) });
    const res = await run(s, ['--max-today', '0'], BOTH_KEYS);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
  });

  it('a management key alone: --max-month checks the account totals', async ({ at }) => {
    const s = await at(MID_MONTH);
    const c = crossed(s, 'max-month');
    const res = await run(s, c.args, MGMT_ALONE);
    expect(res.code).toBe(7);
    expect(res.stderr).toBe(`${c.message}\n`);
  });

  it("an API key alone: --max-today checks this key's own spend", async ({ at }) => {
    const s = await at(MID_MONTH);
    const today = s.data.apiKeyInfo.usage_daily;
    const limit = Number(money(today / 2));
    const res = await run(s, ['--max-today', money(limit)], API_ONLY);
    expect(res.code).toBe(7);
    expect(res.stderr).toBe(`alert: today's spend (this key) ${usd(today)} is above --max-today ${usd(limit)} by ${usd(today - limit)}\n`);
  });

  it('--min-balance without a management key: the report, then exit 2 naming OPENROUTER_MGMT_KEY', async ({ s }) => {
    const { text, json, d } = await textAndJson(s, ['--min-balance', '5'], API_ONLY);
    for (const res of [text, json]) {
      expect(res.code).toBe(2);
      expect(stderrLines(res)).toHaveLength(1);
      expect(res.stderr).toContain('OPENROUTER_MGMT_KEY');
      expect(res.stderr).toContain('--min-balance');
    }
    expect(lineStarting(text, 'Today:')).toBe(`${period(keyTotals(s.data.apiKeyInfo))} (this key)`);
    expect(d.key.usage).not.toBeNull();
  });

  it('--min-balance with /credits failing (503): the report, then exit 5', async ({ s }) => {
    s.setFault('/credits', { status: 503 });
    const res = await run(s, ['--min-balance', '5'], BOTH_KEYS);
    expect(res.code).toBe(5);
    expect(lineStarting(res, 'Today:')).toMatch(/^Today: \$/);
    expect(lines(res.stdout)).toContain('Balance: unavailable (/credits failed; see the warning)');
    const err = stderrLines(res);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^warning: \/credits/);
    expect(err[1]).toMatch(/--min-balance/);
    expect(err[1]).toMatch(/\/credits/);
    expect(s.requestsTo('/credits')).toHaveLength(4);
  });

  it('--max-month with a management key alone and /keys failing: no totals to check, exit of that failure', async ({ s }) => {
    s.setFault('/keys', { status: 400 });
    const res = await run(s, ['--max-month', '1'], MGMT_ALONE);
    expect(res.code).toBe(5);
    const err = stderrLines(res);
    expect(err.at(-1)).toMatch(/--max-month/);
    expect(err.at(-1)).toMatch(/\/keys/);
    expect(res.stdout.startsWith('💰 OpenRouter Usage')).toBe(true);
  });
});

describe.concurrent('the month gap and the UTC day', SLOW, () => {
  it.for([
    { name: 'a management key alone', env: MGMT_ALONE },
    { name: 'API + management key (account totals lead)', env: BOTH_KEYS },
  ])('account totals vs account breakdown ($name): the gap is today’s spend', async ({ env }, { at }) => {
    const s = await at(MID_MONTH);
    const { text, d } = await textAndJson(s, [], env);
    expect(text.code).toBe(0);
    const account = accountOf(s.data.keys).usage;
    const breakdownMonth = breakdownMonthOf(s.data.activity, s.now);
    expect(breakdownMonth).toBeGreaterThan(0);
    expect(d.discrepancy).toMatchObject({ monthScope: 'account', breakdownScope: 'account', otherKeys: null });
    const g = d.discrepancy!;
    expect(g.month).toBeCloseTo(account.month, 9);
    expect(g.breakdownMonth).toBeCloseTo(breakdownMonth, 9);
    expect(g.today).toBeCloseTo(account.today, 9);
    expect(g.gap).toBeCloseTo(account.month - breakdownMonth, 9);
    expect(g.gap).toBeCloseTo(account.today, 4);
    expect(Math.abs(g.unexplained)).toBeLessThan(0.005);
    const want = `Month ${usd(account.month)} (account, live) vs ${usd(breakdownMonth)} in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): today's ${usd(account.today)} reaches /activity after UTC midnight.`;
    expect(g.message).toBe(want);
    expect(linesStarting(text, 'Month $')).toEqual([want]);
  });

  it("this key's totals vs the account breakdown (/keys unavailable): other keys' spend explains the rest", async ({ at }) => {
    const s = await at(MID_MONTH);
    s.setFault('/keys', { status: 400 });
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    expect(stderrLines(text)).toHaveLength(1);
    expect(d.account).toBeNull();
    const k = s.data.apiKeyInfo;
    const breakdownMonth = breakdownMonthOf(s.data.activity, s.now);
    const otherKeys = breakdownMonth - (k.usage_monthly - k.usage_daily);
    expect(otherKeys).toBeGreaterThan(0.005);
    expect(d.discrepancy).toMatchObject({ month: k.usage_monthly, today: k.usage_daily, monthScope: 'key', breakdownScope: 'account' });
    const g = d.discrepancy!;
    expect(g.breakdownMonth).toBeCloseTo(breakdownMonth, 9);
    expect(g.otherKeys).toBeCloseTo(otherKeys, 9);
    expect(Math.abs(g.unexplained)).toBeLessThan(0.005);
    const want =
      `Month ${usd(k.usage_monthly)} (this key, live) vs ${usd(breakdownMonth)} in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): ` +
      `today's ${usd(k.usage_daily)} reaches /activity after UTC midnight; ${usd(otherKeys)} in /activity is other keys' spend.`;
    expect(g.message).toBe(want);
    expect(linesStarting(text, 'Month $')).toEqual([want]);
  });

  it('a key deleted this month: its spend is in /activity but no longer in the live total, and no cause is guessed', async ({ at }) => {
    const s = await at(MID_MONTH);
    const own = ownKey(s);
    s.setData({ keys: s.data.keys.filter((k) => k.hash === own.hash || k.disabled) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    const account = accountOf(s.data.keys).usage;
    const breakdownMonth = breakdownMonthOf(s.data.activity, s.now);
    const missing = breakdownMonth - (account.month - account.today);
    expect(missing).toBeGreaterThan(0.005);
    expect(d.discrepancy).toMatchObject({ monthScope: 'account', breakdownScope: 'account', otherKeys: null });
    expect(d.discrepancy!.unexplained).toBeCloseTo(-missing, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      `Month ${usd(account.month)} (account, live) vs ${usd(breakdownMonth)} in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): ` +
        `today's ${usd(account.today)} reaches /activity after UTC midnight; ${usd(missing)} in /activity is not in the live month (unexplained).`,
    ]);
  });

  it('on the 1st of a month the breakdown has no day of it yet: the whole month is today', async ({ at }) => {
    const s = await at('2026-04-01T10:00:00Z');
    const { text, d } = await textAndJson(s, [], BOTH_KEYS);
    expect(text.code).toBe(0);
    const account = accountOf(s.data.keys).usage;
    expect(account.month).toBeCloseTo(account.today, 9);
    expect(d.models?.items.length).toBeGreaterThan(0);
    expect(d.discrepancy).toMatchObject({ breakdownMonth: 0, monthScope: 'account' });
    expect(d.discrepancy!.gap).toBeCloseTo(account.month, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      `Month ${usd(account.month)} (account, live) vs no completed UTC day of this month in /activity yet: today's ${usd(account.today)} reaches /activity after UTC midnight.`,
    ]);
  });

  it.for([
    { name: 'exactly', off: 0 },
    { name: 'within half a cent', off: 0.004 },
  ])('totals and breakdown agree to the cent ($name): no discrepancy, no line', async ({ off }, { at }) => {
    const s = await at(MID_MONTH);
    const breakdownMonth = breakdownMonthOf(s.data.activity, s.now);
    s.setData({ keys: s.data.keys.map((k, i) => ({ ...k, usage_daily: 0, usage_monthly: i === 0 ? breakdownMonth + off : 0 })) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(text.code).toBe(0);
    expect(d.discrepancy).toBeNull();
    expect(linesStarting(text, 'Month $')).toEqual([]);
  });

  it('a gap of more than half a cent with nothing spent today is said to be unexplained', async ({ at }) => {
    const s = await at(MID_MONTH);
    const breakdownMonth = breakdownMonthOf(s.data.activity, s.now);
    s.setData({ keys: s.data.keys.map((k, i) => ({ ...k, usage_daily: 0, usage_monthly: i === 0 ? breakdownMonth + 0.006 : 0 })) });
    const { text, d } = await textAndJson(s, [], MGMT_ALONE);
    expect(d.discrepancy).toMatchObject({ today: 0 });
    expect(d.discrepancy!.unexplained).toBeCloseTo(0.006, 9);
    expect(linesStarting(text, 'Month $')).toEqual([
      `Month ${usd(breakdownMonth + 0.006)} (account, live) vs ${usd(breakdownMonth)} in /activity for 2026-03-01 to 2026-03-10 (this month's completed UTC days): $0.01 of the live month is not in /activity (unexplained).`,
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
    expect(d.utcDayEndsAt).toBe(`${utcDay(s.now, 1)}T00:00:00.000Z`);
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
    expect(lineStarting(text, 'Account:')).toBe(`Account: Today: $0.00* | Week: $0.00 | Month: $0.00 (${s.data.keys.length} keys)`);
    expect(lineStarting(text, 'BYOK:')).toBeUndefined();
    expect(lineStarting(text, 'Balance:')).toBe('Balance: $10.00 / $10.00');
    expect(text.stdout).not.toMatch(/^(Runway|Trend|Month \$)/m);
    expect(d).toMatchObject({ runway: null, discrepancy: null, trend: { min: 0, max: 0, average: 0 }, providers: [], alerts: [], warnings: [] });
    expect(d.daily).toEqual(dailyOf([], s.now, 7));
    expect(d.account?.usage).toEqual({ today: 0, week: 0, month: 0 });
  });
});
