// The analytics layer (src/api/analytics.ts, src/insights/analytics.ts, src/analytics-cache.ts)
// against the stand-in: row checks, truncation, fallback outcomes, discovery's cache, and the
// figures of the hand-made account (test/analytics-fixture.ts), every one added up by hand.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openMetaCache } from '../src/sources/cache.js';
import {
  fetchAnalytics,
  normalizeRow,
  queryAnalytics,
  type AnalyticsMeta,
  type AnalyticsOutcome,
  type AnalyticsPlan,
  type MetaCache,
} from '../src/api/analytics.js';
import type { NamedKey } from '../src/api/endpoints.js';
import { CliError } from '../src/base/errors.js';
import { UndiciHttpClient, type HttpClient } from '../src/api/http.js';
import { analyticsAccount, analyticsBreakdown, forecastOf } from '../src/model/analytics.js';
import { activityWindow, analyticsWindow, planAnalytics } from '../src/model/window.js';
import { handStandIn, NOW } from './analytics-fixture.js';
import { DEFAULT_WORKSPACE_ID, MGMT_KEY, type SpendEvent, type StandIn } from './server.js';

const KEY: NamedKey = { value: MGMT_KEY, name: 'OPENROUTER_MGMT_KEY' };
const now = new Date(NOW);

let s: StandIn;
let http: HttpClient;
beforeEach(async () => {
  s = await handStandIn();
  http = new UndiciHttpClient({
    baseUrl: s.url,
    timeoutMs: 5000,
    deadlineAt: Date.now() + 20_000,
    clock: { now: () => Date.now(), timer: () => Date.now() },
    userAgent: 'openrouter-usage/test',
  });
});
afterEach(async () => {
  await http.destroy();
  await s.close();
});

function plan(by: Parameters<typeof planAnalytics>[1]['by'] = 'model', extra: Partial<Parameters<typeof planAnalytics>[1]> = {}): AnalyticsPlan {
  return planAnalytics(now, { days: 7, by, ...extra });
}

function memoryCache(initial?: AnalyticsMeta): MetaCache & { stored: AnalyticsMeta | undefined; reads: number } {
  const cache = {
    stored: initial,
    reads: 0,
    read() {
      cache.reads += 1;
      return cache.stored;
    },
    write(meta: AnalyticsMeta) {
      cache.stored = meta;
    },
  };
  return cache;
}

async function ok(outcome: Promise<AnalyticsOutcome>) {
  const result = await outcome;
  if (result.status !== 'ok') throw new Error(`expected analytics to answer, got ${JSON.stringify(result)}`);
  return result.value;
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('normalizeRow', () => {
  const q = { dimensions: ['model' as const], granularity: 'day' as const };
  const metrics = { credits_usage: 1.5, byok_usage: 0, request_count: 3, tokens_prompt: 10, tokens_completion: 20, reasoning_tokens: 5 };

  test('numeric strings are numbers; null metrics are nothing; null names stay null; `date` or `date__day`', () => {
    const row = normalizeRow({ ...metrics, request_count: '3', tokens_prompt: '1e3', byok_usage: null, model: null, date: '2026-03-11' }, 0, q);
    expect(row).toEqual({
      time: '2026-03-11T00:00:00.000Z',
      dims: { model: null },
      credits: 1.5,
      byok: 0,
      requests: 3,
      promptTokens: 1000,
      completionTokens: 20,
      reasoningTokens: 5,
    });
    expect(normalizeRow({ ...metrics, model: 'm', date__day: '2026-03-11 00:00:00' }, 0, q).time).toBe('2026-03-11T00:00:00.000Z');
    expect(normalizeRow({ ...metrics, model: 'm', date__day: '2026-03-10T23:00:00-01:00' }, 0, q).time).toBe('2026-03-11T00:00:00.000Z');
  });

  test.for([
    [{ request_count: 'many' }, '/analytics/query: invalid response: data.data[4].request_count should be a number or a numeric string, got the string "many"'],
    [{ credits_usage: -1 }, '/analytics/query: invalid response: data.data[4].credits_usage should not be negative, got -1'],
    [{ tokens_prompt: true }, '/analytics/query: invalid response: data.data[4].tokens_prompt should be a number or a numeric string, got true'],
    [{ credits_usage: undefined }, '/analytics/query: invalid response: data.data[4].credits_usage is missing'],
    [{ model: 7 }, '/analytics/query: invalid response: data.data[4].model should be a string or null, got 7'],
    [{ date__day: 'yesterday' }, '/analytics/query: invalid response: data.data[4].date__day is not a date-time, got the string "yesterday"'],
    [{ date__day: undefined }, '/analytics/query: invalid response: data.data[4].date__day is missing (the day bucket)'],
  ] as const)('%j is refused, naming the field (exit 6)', ([patch, message]) => {
    let thrown: unknown;
    try {
      normalizeRow({ ...metrics, model: 'm', date__day: '2026-03-11', ...patch }, 4, q);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toBe(message);
    expect((thrown as CliError).exitCode).toBe(6);
  });
});

describe('windows', () => {
  test('analytics: the last N days through today, or through --until; --by hour alone is today', () => {
    expect(analyticsWindow(now, { days: 7, by: 'model' })).toEqual({ from: '2026-03-05', to: '2026-03-11', days: 7 });
    expect(analyticsWindow(now, { days: 7, until: '2026-03-08', by: 'model' })).toEqual({ from: '2026-03-02', to: '2026-03-08', days: 7 });
    expect(analyticsWindow(now, { days: 365, by: 'month' })).toEqual({ from: '2025-03-12', to: '2026-03-11', days: 365 });
    expect(analyticsWindow(now, { days: 7, by: 'hour' })).toEqual({ from: '2026-03-11', to: '2026-03-11', days: 1 });
    expect(analyticsWindow(now, { days: 2, daysGiven: true, by: 'hour' })).toEqual({ from: '2026-03-10', to: '2026-03-11', days: 2 });
    expect(analyticsWindow(now, { days: 7, since: '2026-02-09', by: 'provider' })).toEqual({ from: '2026-02-09', to: '2026-03-11', days: 31 });
  });

  test('/activity: completed days only, the last 30; what it cannot serve is named', () => {
    expect(activityWindow(now, { days: 7, by: 'model' })).toEqual({ from: '2026-03-04', to: '2026-03-10', days: 7 });
    expect(activityWindow(now, { days: 7, since: '2026-03-02', by: 'day' })).toEqual({ from: '2026-03-02', to: '2026-03-10', days: 9 });
    expect(activityWindow(now, { days: 7, since: '2026-02-09', until: '2026-02-12', by: 'model' })).toEqual({ from: '2026-02-09', to: '2026-02-12', days: 4 });
    expect(activityWindow(now, { days: 7, since: '2026-02-08', by: 'model' })).toEqual({
      needs: 'a window from 2026-02-08 (/activity holds the last 30 completed days)',
    });
    expect(activityWindow(now, { days: 7, since: '2026-03-11', by: 'model' })).toEqual({
      needs: 'a window of today alone (/activity holds completed days only)',
    });
    expect(activityWindow(now, { days: 31, by: 'model' })).toEqual({ needs: '--days 31 (/activity holds the last 30 completed days)' });
    expect(activityWindow(now, { days: 7, by: 'workspace' })).toEqual({ from: '2026-03-04', to: '2026-03-10', days: 7 });
    expect(activityWindow(now, { days: 7, by: 'key' })).toEqual({ needs: '--by key' });
  });
});

describe('the hand-made account through analytics', () => {
  test('the default plan: four questions at most, each window as planned', async () => {
    const p = plan();
    expect(p).toEqual({
      from: '2026-03-05',
      to: '2026-03-11',
      asOf: NOW,
      granularity: 'day',
      providers: true,
      providersNeeded: false,
      group: null,
      accountFrom: '2026-03-01',
    });
    await ok(fetchAnalytics(http, KEY, p, undefined));
    expect(s.requestsTo('/analytics/meta')).toHaveLength(1);
    const bodies = s.analyticsQueries() as { dimensions?: string[]; granularity?: string; time_range: unknown; limit: number }[];
    expect(bodies.map((b) => [b.dimensions ?? [], b.granularity ?? null, b.time_range, b.limit])).toEqual([
      [['model', 'provider'], null, { start: '2026-03-05T00:00:00.000Z', end: NOW }, 10_000],
      [[], 'day', { start: '2026-03-05T00:00:00.000Z', end: NOW }, 10_000],
      [[], 'day', { start: '2026-03-01T00:00:00.000Z', end: NOW }, 10_000],
    ]);
  });

  test('breakdown: today included, models and providers summed, every day of the window', async () => {
    const b = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, plan(), undefined)), 'model');
    expect(b.source).toBe('analytics');
    expect([b.from, b.to, b.days]).toEqual(['2026-03-05', '2026-03-11', 7]);
    expect(b.models.map((m) => [m.model, m.usage, m.byokUsage, m.requests, m.promptTokens, m.completionTokens, m.reasoningTokens])).toEqual([
      ['openai/gpt-4.1-2025-04-14', 7.75, 0, 38, 3800, 1900, 0],
      ['x-ai/grok-4-07-09', 0.75, 0.5, 5, 200, 300, 100],
      ['anthropic/claude-4-sonnet-20250522', 0.5, 0, 2, 100, 50, 10],
    ]);
    expect(b.models[0]!.usdPerMillionTokens).toBe(1359.64912280702);
    expect(b.providers.map((p) => [p.provider, p.usage, p.requests])).toEqual([
      ['OpenAI', 5.75, 30],
      ['Azure', 2, 8],
      ['xAI', 0.75, 5],
      ['Anthropic', 0.5, 2],
    ]);
    expect(b.daily).toEqual([
      { date: '2026-03-05', usage: 4.5, requests: 20 },
      { date: '2026-03-06', usage: 0, requests: 0 },
      { date: '2026-03-07', usage: 0, requests: 0 },
      { date: '2026-03-08', usage: 0, requests: 0 },
      { date: '2026-03-09', usage: 0.5, requests: 2 },
      { date: '2026-03-10', usage: 2, requests: 8 },
      { date: '2026-03-11', usage: 2, requests: 15 },
    ]);
    expect(b.trend).toEqual({ min: 0, max: 4.5, average: 1.28571428571429 });
  });

  test('account totals count the deleted key; the pace projects the month', async () => {
    const answers = await ok(fetchAnalytics(http, KEY, plan(), undefined));
    const account = analyticsAccount(answers);
    expect(account).toEqual({ usage: { today: 2, week: 4.5, month: 10 }, byokUsage: { today: 0.5, week: 0.5, month: 0.5 } });
    expect(forecastOf(answers, account.usage.month)).toEqual({
      monthToDate: 10,
      dailyAverage: 1,
      projectedMonth: 30.5,
      basis: { source: 'analytics', averageDays: 7, daysLeft: 20.5 },
    });
  });

  test('by key (names, the deleted one too), by workspace, by week, by month over a year, by hour today', async () => {
    const byKey = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, plan('key'), undefined)), 'key');
    expect(byKey.groups!.items.map((g) => [g.name, g.usage, g.requests])).toEqual([
      ['ci', 5.25, 25],
      ['default', 3.25, 18],
      ['retired', 0.5, 2],
    ]);
    const byWorkspace = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, plan('workspace'), undefined)), 'workspace');
    expect(byWorkspace.groups!.items.map((g) => [g.name, g.usage])).toEqual([['Default Workspace', 9]]);
    const byWeek = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, plan('week'), undefined)), 'week');
    expect(byWeek.groups!.items.map((g) => [g.name, g.usage])).toEqual([
      ['2026-03-02', 4.5],
      ['2026-03-09', 4.5],
    ]);
    const year = plan('month', { since: '2025-06-01' });
    expect([year.from, year.to, year.providers]).toEqual(['2025-06-01', '2026-03-11', false]);
    const byMonth = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, year, undefined)), 'month');
    expect(byMonth.providersKnown).toBe(false);
    expect(byMonth.groups!.items.map((g) => [g.name, g.usage])).toEqual([
      ['2025-06', 6],
      ['2025-07', 0],
      ['2025-08', 0],
      ['2025-09', 0],
      ['2025-10', 0],
      ['2025-11', 0],
      ['2025-12', 0],
      ['2026-01', 0],
      ['2026-02', 4],
      ['2026-03', 10],
    ]);
    expect(byMonth.models.map((m) => [m.model, m.usage])).toEqual([
      ['openai/gpt-4.1-2025-04-14', 11.75],
      ['anthropic/claude-4-sonnet-20250522', 7.5],
      ['x-ai/grok-4-07-09', 0.75],
    ]);
    const hours = plan('hour');
    expect([hours.from, hours.to, hours.granularity]).toEqual(['2026-03-11', '2026-03-11', 'hour']);
    const byHour = analyticsBreakdown(await ok(fetchAnalytics(http, KEY, hours, undefined)), 'hour');
    // 00:00 to 11:00: at 12:00:00.000 sharp the twelfth hour has not begun.
    expect(byHour.groups!.items).toHaveLength(12);
    expect(byHour.groups!.items.filter((g) => g.usage > 0).map((g) => [g.name, g.usage, g.requests])).toEqual([
      ['2026-03-11 09:00', 1.25, 10],
      ['2026-03-11 10:00', 0.75, 5],
    ]);
  });

  test('numeric strings, a plain `date` key and null unused dimensions give the same figures', async () => {
    s.setModes({ analyticsStrings: 'all', analyticsDateKey: 'date', analyticsNullUnused: true });
    const answers = await ok(fetchAnalytics(http, KEY, plan(), undefined));
    expect(analyticsAccount(answers).usage).toEqual({ today: 2, week: 4.5, month: 10 });
    expect(analyticsBreakdown(answers, 'model').models.map((m) => [m.model, m.usage, m.requests])).toEqual([
      ['openai/gpt-4.1-2025-04-14', 7.75, 38],
      ['x-ai/grok-4-07-09', 0.75, 5],
      ['anthropic/claude-4-sonnet-20250522', 0.5, 2],
    ]);
  });
});

describe('truncated answers are never summed', () => {
  /** `count` events of $0.01, one model each, spread evenly over 03-09 and 03-10 (or all in one minute). */
  function many(count: number, spread: boolean): SpendEvent[] {
    return Array.from({ length: count }, (_, i) => ({
      at: new Date(Date.parse('2026-03-09T00:00:00Z') + (spread ? Math.floor((i * 172_800_000) / count) : 60_000)).toISOString(),
      keyHash: 'k',
      workspaceId: DEFAULT_WORKSPACE_ID,
      model: `m/${i}`,
      permaslug: `m/${i}`,
      provider: 'P',
      endpointId: 'e',
      usage: 0.01,
      byokUsage: 0,
      requests: 1,
      promptTokens: 1,
      completionTokens: 1,
      reasoningTokens: 0,
    }));
  }
  const range = { dimensions: ['model' as const], granularity: null, start: '2026-03-09T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z' };

  test('a truncated answer is asked again in two halves, and the halves added up', async () => {
    s.setData({ events: many(10_050, true) });
    const rows = await queryAnalytics(http, KEY, range);
    expect(rows).toHaveLength(10_050);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(10_050);
    const bodies = s.analyticsQueries() as { time_range: unknown }[];
    expect(bodies.map((b) => b.time_range)).toEqual([
      { start: '2026-03-09T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z' },
      { start: '2026-03-09T00:00:00.000Z', end: '2026-03-10T00:00:00.000Z' },
      { start: '2026-03-10T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z' },
    ]);
  });

  test('still truncated after two halvings: an error (exit 6), not a sum', async () => {
    s.setData({ events: many(10_050, false) });
    const error = await failure(queryAnalytics(http, KEY, range));
    expect(error.message).toBe('/analytics/query: more than 10,000 rows even for a range of 12 hours; not summing a truncated answer');
    expect(error.exitCode).toBe(6);
  });
});

describe('when analytics cannot answer', () => {
  test.for([404, 403] as const)('HTTP %i: unavailable (an expected gap, not a failure)', async (status) => {
    s.setModes({ analytics: status });
    const outcome = await fetchAnalytics(http, KEY, plan(), undefined);
    expect(outcome.status).toBe('unavailable');
    expect(outcome.status === 'unavailable' && [outcome.error.status, outcome.error.endpoint]).toEqual([status, '/analytics/meta']);
  });

  test('a metric discovery does not list: failed, naming it', async () => {
    s.setModes({ analyticsMissing: ['reasoning_tokens'] });
    const outcome = await fetchAnalytics(http, KEY, plan(), undefined);
    expect(outcome).toEqual({ status: 'failed', error: expect.any(CliError) });
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      'the analytics API does not offer the metric or dimension reasoning_tokens (per /analytics/meta)',
    );
  });

  test('a server error after the retries: failed, with the cause', async () => {
    s.setFault('/analytics/query', { status: 500 });
    const outcome = await fetchAnalytics(http, KEY, plan(), undefined);
    expect(outcome.status === 'failed' && outcome.error.message).toBe('/analytics/query: server error (HTTP 500) after 4 attempts');
  });

  test('a count that is no number: the whole run fails (exit 6), naming the field', async () => {
    s.setFault('/analytics/query', { kind: 'json', body: { data: { data: [{ credits_usage: 1, request_count: 'lots' }], metadata: { truncated: false } } } });
    const error = await failure(fetchAnalytics(http, KEY, plan(), undefined));
    expect(error.message).toBe('/analytics/query: invalid response: data.data[0].request_count should be a number or a numeric string, got the string "lots"');
  });
});

describe('discovery is cached for a day', () => {
  test('a cached discovery is not asked again; one that lacks a metric stops the queries before they leave', async () => {
    const cache = memoryCache();
    await ok(fetchAnalytics(http, KEY, plan(), cache));
    expect(cache.stored!.metrics.map((m) => m.name)).toContain('credits_usage');
    await ok(fetchAnalytics(http, KEY, plan(), cache));
    expect(s.requestsTo('/analytics/meta')).toHaveLength(1);
    expect(s.requestsTo('/analytics/query')).toHaveLength(6);

    const lacking = memoryCache({ ...cache.stored!, metrics: cache.stored!.metrics.filter((m) => m.name !== 'byok_usage') });
    const outcome = await fetchAnalytics(http, KEY, plan('key'), lacking);
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      'the analytics API does not offer the metric or dimension byok_usage (per /analytics/meta)',
    );
    expect(s.requestsTo('/analytics/query')).toHaveLength(6);
  });

  test('a discovery without the provider dimension drops the providers, not analytics, unless --by provider needs them', async () => {
    const full = memoryCache();
    await ok(fetchAnalytics(http, KEY, plan(), full));
    const noProvider = memoryCache({ ...full.stored!, dimensions: full.stored!.dimensions.filter((d) => d.name !== 'provider') });
    const answers = await ok(fetchAnalytics(http, KEY, plan(), noProvider));
    expect(answers.plan.providers).toBe(false);
    expect((s.analyticsQueries().at(-3) as { dimensions: string[] }).dimensions).toEqual(['model']);
    const b = analyticsBreakdown(answers, 'model');
    expect([b.providersKnown, b.providers, b.models.map((m) => m.usage)]).toEqual([false, [], [7.75, 0.75, 0.5]]);
    const byProvider = await fetchAnalytics(http, KEY, plan('provider'), noProvider);
    expect(byProvider.status === 'failed' && byProvider.error.message).toBe(
      'the analytics API does not offer the metric or dimension provider (per /analytics/meta)',
    );
  });

  test('openMetaCache: written in the cache directory, read back within a day, not after; a bad file is deleted', async () => {
    const home = await mkdtemp(join(tmpdir(), 'openrouter-usage-meta-'));
    try {
      let clock = Date.parse(NOW);
      const open = () => openMetaCache({ place: { env: { HOME: home }, home, uid: process.getuid?.() }, key: MGMT_KEY, baseUrl: s.url, now: () => clock })!;
      const meta: AnalyticsMeta = { metrics: [{ name: 'credits_usage' }], dimensions: [{ name: 'model' }], granularities: [{ name: 'day' }] };
      expect(open().read()).toBeUndefined();
      open().write(meta);
      const dir = join(home, '.cache', 'openrouter-usage');
      const [file] = await readdir(dir);
      expect(file).toMatch(/^analytics-meta-[0-9a-f]{32}\.json$/);
      clock += 86_400_000 - 1;
      expect(open().read()).toEqual(meta);
      clock += 1;
      expect(open().read()).toBeUndefined();
      await writeFile(join(dir, file!), '{"version":1,"fetchedAt":"2026-03-11T12:00:00Z","value":{"metrics":"all"}}', { mode: 0o600 });
      expect(open().read()).toBeUndefined();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
