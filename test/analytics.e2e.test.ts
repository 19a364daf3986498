// Issue 11 end to end, in-process: the report through the analytics API (today live, a year of
// history, more groupings, true account totals, pace) and every way back to /activity, on the
// hand-made account of test/analytics-fixture.ts, whose figures are added up there by hand.
import { describe, expect, test as base } from 'vitest';
import type { JsonDocument } from '../src/render/json-contract.js';
import { handStandIn, NOW } from './analytics-fixture.js';
import { expectCleanRun, lines, makeSandbox, runCli, type CliResult, type Sandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, RETIRED_KEY_HASH, secretOf, type StandIn, type StandInOptions } from './server.js';

const SECRETS = [API_KEY, MGMT_KEY].map(secretOf);
const BOTH_KEYS = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY };
const SLOW = { timeout: 30_000 };

/** `standIn(opts)`: a stand-in of the test's own, serving the hand-made account; closed after the test. */
const test = base.extend<{ standIn: (opts?: Omit<StandInOptions, 'now'>) => Promise<StandIn> }>({
  // eslint-disable-next-line no-empty-pattern
  standIn: async ({}, use) => {
    const opened: StandIn[] = [];
    await use(async (opts = {}) => {
      const s = await handStandIn(opts);
      opened.push(s);
      return s;
    });
    await Promise.all(opened.map((s) => s.close()));
  },
});

async function run(s: StandIn, args: string[], env: Record<string, string> = BOTH_KEYS, sandbox?: Sandbox): Promise<CliResult> {
  const res = await runCli(args, { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW, ...env }, ...(sandbox ? { sandbox } : {}) });
  expectCleanRun(res, SECRETS);
  return res;
}

function doc(res: CliResult): JsonDocument {
  return JSON.parse(res.stdout) as JsonDocument;
}

const FOOTNOTE = '* indicates live totals that may not yet appear in model breakdowns.';

describe.concurrent('with analytics', SLOW, () => {
  test('text: today live per model, no asterisk and no footnote, account totals with the deleted key, the pace', async ({ standIn }) => {
    const s = await standIn();
    // --explain: the fine print too (the short report has its own test), on a terminal no sentence wraps in.
    const res = await run(s, ['--explain'], { ...BOTH_KEYS, COLUMNS: '1000' });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const out = lines(res.stdout);
    expect(out.slice(0, 6)).toEqual([
      '💰 OpenRouter Usage',
      'Today: $1.25 | Week: $3.25 | Month: $4.25 (this key)',
      'Account: Today: $2.00 | Week: $4.50 | Month: $10.00 (all keys, deleted too)',
      'Month: $10.00, on pace for $30.50 (account, at the 7-day average of $1.00/day)',
      'Balance: $80.00 / $100.00',
      'Runway: at the 7-day average of $1.00/day, credits last about 80 days (until 2026-05-30)',
    ]);
    expect(out.slice(6, 11)).toEqual([
      'Models (last 7 days including today, live):',
      // Named as /activity names them where it knows the slug; grok-4 ran only today, so it does not.
      '• gpt-4.1: $7.75 (38)',
      '• grok-4-07-09: $0.75 (5) + $0.50 BYOK',
      '• claude-sonnet-4: $0.50 (2)',
      'Trend: █▁▁▁▂▅▅  min $0.00 · avg $1.29/day · max $4.50',
    ]);
    expect(res.stdout).toContain('breakdown: whole account, 2026-03-05 to 2026-03-11 (analytics, today included, live).');
    expect(res.stdout).toContain(
      'They count $0.50 more this month than the keys /keys lists ($9.50): spend of keys deleted since, or of keys /keys does not list.',
    );
    expect(res.stdout).not.toContain('*');
    expect(res.stdout).not.toContain(FOOTNOTE);
  });

  test('JSON: models.source analytics, from/to through today, account.source analytics with the /keys cross-check, forecast', async ({ standIn }) => {
    const s = await standIn();
    const d = doc(await run(s, ['--json']));
    expect(d.models).toMatchObject({ days: 7, from: '2026-03-05', to: '2026-03-11', scope: 'account', source: 'analytics' });
    expect(d.models!.items.map((m) => [m.model, m.usage, m.requests])).toEqual([
      ['openai/gpt-4.1', 7.75, 38],
      ['x-ai/grok-4-07-09', 0.75, 5],
      ['anthropic/claude-sonnet-4', 0.5, 2],
    ]);
    expect(d.account).toMatchObject({
      coverage: 'account',
      workspace: null,
      usage: { today: 2, week: 4.5, month: 10 },
      byokUsage: { today: 0.5, week: 0.5, month: 0.5 },
      keys: 3,
      disabledKeys: 1,
      source: 'analytics',
      listedKeys: { today: 2, week: 4, month: 9.5 },
      crossCheck: {
        difference: 0.5,
        message: 'They count $0.50 more this month than the keys /keys lists ($9.50): spend of keys deleted since, or of keys /keys does not list.',
      },
    });
    expect(d.forecast).toEqual({ monthToDate: 10, dailyAverage: 1, projectedMonth: 30.5, basis: { source: 'analytics', averageDays: 7, daysLeft: 20.5 } });
    expect(d.analytics).toEqual({ status: 'used', reason: null });
    expect(d.discrepancy).toBeNull();
    expect(d.warnings).toEqual([]);
  });

  test('--by key and --by workspace name keys and workspaces, the deleted key too', async ({ standIn }) => {
    const s = await standIn();
    const byKey = await run(s, ['--by', 'key']);
    expect(lines(byKey.stdout).filter((l) => l.startsWith('• '))).toEqual(['• ci: $5.25 (25) + $0.50 BYOK', '• default: $3.25 (18)', '• retired: $0.50 (2)']);
    const d = doc(await run(s, ['--json', '--by', 'workspace']));
    expect(d.groups!.by).toBe('workspace');
    expect(d.groups!.items.map((g) => [g.name, g.usage, g.requests])).toEqual([['Default Workspace', 9, 45]]);
  });

  test('names from analytics are foreign text: a key name with escape sequences is shown harmless, JSON keeps it', async ({ standIn }) => {
    const s = await standIn();
    const hostile = 'evil\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\nname';
    s.setData({ deletedKeys: [{ hash: RETIRED_KEY_HASH, name: hostile, workspace_id: null }] });
    const text = await run(s, ['--by', 'key']);
    expect(text.stdout).not.toContain('\u001b');
    expect(lines(text.stdout).filter((l) => l.startsWith('• '))).toEqual(['• ci: $5.25 (25) + $0.50 BYOK', '• default: $3.25 (18)', '• evil name: $0.50 (2)']);
    const md = await run(s, ['--by', 'key', '--format', 'markdown']);
    expect(md.stdout).not.toContain('\u001b');
    const d = doc(await run(s, ['--json', '--by', 'key']));
    expect(d.groups!.items.map((g) => g.name)).toEqual(['ci', 'default', hostile]);
  });

  test('--by hour: today hour by hour as bars', async ({ standIn }) => {
    const s = await standIn();
    const res = await run(s, ['--by', 'hour']);
    const out = lines(res.stdout);
    const at = out.indexOf('Hours (today, live):');
    expect(at).toBeGreaterThan(0);
    const bars = out.slice(at + 1, at + 14);
    expect(bars[0]).toBe('2026-03-11 00:00                            $0.00 (0)');
    expect(bars[9]).toBe('2026-03-11 09:00  ████████████████████████  $1.25 (10)');
    expect(bars[10]).toBe('2026-03-11 10:00  ██████████████▍           $0.75 (5)');
    expect(bars[12]).toBe('2026-03-11 12:00                            $0.00 (0)');
  });

  test('--since a year back by month: bars per month, the window named; CSV the same buckets', async ({ standIn }) => {
    const s = await standIn();
    const res = await run(s, ['--since', '2025-06-01', '--by', 'month']);
    const out = lines(res.stdout);
    const at = out.indexOf('Months (2025-06-01 to today, live):');
    expect(out.slice(at + 1, at + 11)).toEqual([
      '2025-06  ██████████████▍            $6.00 (30)',
      '2025-07                             $0.00 (0)',
      '2025-08                             $0.00 (0)',
      '2025-09                             $0.00 (0)',
      '2025-10                             $0.00 (0)',
      '2025-11                             $0.00 (0)',
      '2025-12                             $0.00 (0)',
      '2026-01                             $0.00 (0)',
      '2026-02  █████████▋                 $4.00 (16)',
      '2026-03  ████████████████████████  $10.00 (49)',
    ]);
    const csv = await run(s, ['--format', 'csv', '--since', '2025-06-01', '--until', '2026-02-28', '--by', 'month']);
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual([
      'month,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens',
      '2025-06,6,0,30,3000,1500,300,1333.33333333333',
    ]);
    expect(csv.stdout.split('\r\n')[9]).toBe('2026-02,4,0,16,1600,800,0,1666.66666666667');
  });

  test('markdown: the live heading, Today without its asterisk, the pace, no footnote', async ({ standIn }) => {
    const s = await standIn();
    const res = await run(s, ['--format', 'markdown']);
    const out = lines(res.stdout);
    expect(out).toContain('| Live spend (UTC) | Today | Week | Month |');
    expect(out).toContain('| Account (all keys) | $2.00 | $4.50 | $10.00 |');
    expect(out).toContain('**Balance:** $80.00 of $100.00 · **Month:** $10.00, on pace for $30.50 · **Runway:** about 80 days (until 2026-05-30)');
    expect(out).toContain('### Models (2026-03-05 to 2026-03-11, today included, live, whole account)');
    expect(out).toContain('| gpt-4.1 | $7.75 | 38 |');
    expect(res.stdout).not.toContain('Live totals may not yet appear');
  });

  test('--max-forecast: exit 7 above the projection ($30.50), 0 at or below it', async ({ standIn }) => {
    const s = await standIn();
    const over = await run(s, ['--max-forecast', '30']);
    expect(over.code).toBe(7);
    expect(over.stderr).toBe('alert: the month-end projection (account) $30.50 is above --max-forecast $30.00 by $0.50\n');
    const under = await run(s, ['--max-forecast', '30.50']);
    expect(under.code).toBe(0);
  });

  test('discovery is cached for a day: a second run asks only the queries', async ({ standIn }) => {
    const s = await standIn();
    const sandbox = await makeSandbox();
    try {
      await run(s, [], BOTH_KEYS, sandbox);
      await run(s, ['--json'], BOTH_KEYS, sandbox);
      expect(s.requestsTo('/analytics/meta')).toHaveLength(1);
      expect(s.requestsTo('/analytics/query')).toHaveLength(6);
    } finally {
      await sandbox.cleanup();
    }
  });

  test('--cache keeps the analytics answers with the rest: a second run within the minute asks nothing', async ({ standIn }) => {
    const s = await standIn();
    const sandbox = await makeSandbox();
    try {
      const first = await run(s, ['--cache', '60'], BOTH_KEYS, sandbox);
      expect(first.code).toBe(0);
      const asked = s.requests.length;
      const later = await run(s, ['--cache', '60', '--json'], { ...BOTH_KEYS, FAKE_CLOCK_NOW: '2026-03-11T12:00:30.000Z' }, sandbox);
      expect(s.requests.length).toBe(asked);
      const d = doc(later);
      expect(d.models!.source).toBe('analytics');
      expect(d.account!.usage).toEqual({ today: 2, week: 4.5, month: 10 });
      expect(d.forecast!.projectedMonth).toBe(30.5);
    } finally {
      await sandbox.cleanup();
    }
  });

  test('a management key alone: analytics asked once /key says what it is', async ({ standIn }) => {
    const s = await standIn();
    const d = doc(await run(s, ['--json'], { OPENROUTER_API_KEY: MGMT_KEY }));
    expect(d.models!.source).toBe('analytics');
    expect(d.account!.usage).toEqual({ today: 2, week: 4.5, month: 10 });
  });

  test('--scope key: the key’s own breakdown from /activity, analytics not asked', async ({ standIn }) => {
    const s = await standIn();
    const d = doc(await run(s, ['--json', '--scope', 'key']));
    expect(d.models!.source).toBe('activity');
    expect(d.analytics).toEqual({ status: 'not-asked', reason: null });
    expect(s.requestsTo('/analytics/query')).toEqual([]);
  });

  test.for<[string[], string]>([
    [['--since', '2025-03-11'], "--since 2025-03-11 is more than 365 days back; OpenRouter's analytics keeps 365 days (from 2025-03-12)"],
    [['--until', '2026-03-12'], '--until 2026-03-12 is after today (2026-03-11, UTC)'],
    [['--since', '2026-03-10', '--until', '2026-03-09'], '--since 2026-03-10 is after --until 2026-03-09'],
    [['--since', '2026-03-12'], '--since 2026-03-12 is after today (2026-03-11, UTC)'],
    [
      ['--by', 'provider', '--since', '2026-02-08'],
      '--by provider covers the last 31 days only (OpenRouter keeps providers that long): the window starts 2026-02-08, before 2026-02-09; use --days 31 or less, or a later --since',
    ],
    [['--by', 'hour', '--days', '4'], '--by hour shows at most 3 days (72 hours); this window has 4: use --days 3 or less'],
  ])('%j: exit 2 before any request', async ([args, message], { standIn }) => {
    const s = await standIn();
    const res = await run(s, args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`openrouter-usage: ${message}\n`);
    expect(s.requests).toEqual([]);
  });
});

describe.concurrent('without analytics', SLOW, () => {
  const ACTIVITY_MODELS = ['• gpt-4.1: $6.50 (28)', '• claude-sonnet-4: $0.50 (2)'];

  test.for([404, 403] as const)('HTTP %i: /activity as before, no warning; JSON says which source', async (status, { standIn }) => {
    const s = await standIn({ modes: { analytics: status } });
    const res = await run(s, []);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const out = lines(res.stdout);
    expect(out[1]).toBe('Today: $1.25* | Week: $3.25 | Month: $4.25 (this key)');
    expect(out[2]).toBe('Account: Today: $2.00* | Week: $4.00 | Month: $9.50 (3 keys)');
    expect(out.some((l) => l.startsWith('Month: '))).toBe(false);
    const at = out.indexOf('Recent Models (7d):');
    expect(out.slice(at + 1, at + 3)).toEqual(ACTIVITY_MODELS);
    expect(out.at(-1)).toBe(FOOTNOTE);
    const d = doc(await run(s, ['--json']));
    expect(d.models).toMatchObject({ from: '2026-03-04', to: '2026-03-10', source: 'activity' });
    expect(d.account!.source).toBe('keys');
    expect(d.forecast).toBeNull();
    expect(d.analytics.status).toBe('unavailable');
    expect(d.analytics.reason).toBe(
      status === 404
        ? '/analytics/meta: not found (HTTP 404: Not Found); check --base-url'
        : '/analytics/meta: OPENROUTER_MGMT_KEY may not call this endpoint (HTTP 403: Only management keys can perform this operation); is it a management key (Settings → Management keys)?',
    );
    expect(d.warnings).toEqual([]);
  });

  test('a refused query (400, a metric missing): one warning naming it, then /activity', async ({ standIn }) => {
    const s = await standIn({ modes: { analyticsMissing: ['reasoning_tokens'] } });
    const res = await run(s, []);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('warning: the analytics API does not offer the metric or dimension reasoning_tokens (per /analytics/meta); using /activity\n');
    const out = lines(res.stdout);
    const at = out.indexOf('Recent Models (7d):');
    expect(out.slice(at + 1, at + 3)).toEqual(ACTIVITY_MODELS);
  });

  test('a server error after the retries: one warning naming it; JSON carries it', async ({ standIn }) => {
    const s = await standIn();
    s.setFault('/analytics/query', { status: 503 });
    const res = await run(s, ['--json']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('warning: /analytics/query: server error (HTTP 503) after 4 attempts; using /activity\n');
    const d = doc(res);
    expect(d.models!.source).toBe('activity');
    expect(d.analytics).toEqual({ status: 'failed', reason: '/analytics/query: server error (HTTP 503) after 4 attempts' });
    expect(d.warnings).toEqual([{ source: 'analytics', message: '/analytics/query: server error (HTTP 503) after 4 attempts; using /activity' }]);
  });

  test('a window /activity cannot serve is an error with the failure’s exit code, never a shorter window', async ({ standIn }) => {
    const absent = await standIn({ modes: { analytics: 404 } });
    const old = await run(absent, ['--since', '2026-01-01']);
    expect(old.code).toBe(5);
    expect(old.stdout).toBe('');
    expect(old.stderr).toBe(
      'openrouter-usage: a window from 2026-01-01 (/activity holds the last 30 completed days) needs the analytics API, which this account does not offer (/analytics/meta: not found (HTTP 404: Not Found); check --base-url)\n',
    );
    const hour = await run(absent, ['--by', 'hour']);
    expect([hour.code, hour.stderr.split(' needs ')[0]]).toEqual([5, 'openrouter-usage: --by hour']);

    const refused = await standIn({ modes: { analytics: 403 } });
    const key = await run(refused, ['--by', 'key']);
    expect(key.code).toBe(3);
    expect(key.stderr).toMatch(/^openrouter-usage: --by key needs the analytics API, which this account does not offer \(\/analytics\/meta: /);

    const noMgmt = await run(absent, ['--days', '60'], { OPENROUTER_API_KEY: API_KEY });
    expect(noMgmt.code).toBe(2);
    expect(noMgmt.stderr).toBe(
      'openrouter-usage: --days 60 (/activity holds the last 30 completed days) needs the analytics API, which needs a management key: set OPENROUTER_MGMT_KEY\n',
    );
  });

  test('--max-forecast without analytics: the exit code of the reason, never a silent pass', async ({ standIn }) => {
    const s = await standIn({ modes: { analytics: 404 } });
    const res = await run(s, ['--max-forecast', '1']);
    expect(res.code).toBe(5);
    expect(res.stderr).toBe(
      'openrouter-usage: --max-forecast needs the month-end projection, which is unavailable: the analytics API (/analytics/meta: not found (HTTP 404: Not Found); check --base-url)\n',
    );
  });

  test('--since within the 30 days of /activity: served from /activity, its completed days up to yesterday, the asterisk back', async ({ standIn }) => {
    const s = await standIn({ modes: { analytics: 404 } });
    const d = doc(await run(s, ['--json', '--since', '2026-03-02']));
    // 03-02: 1.00 sonnet; 03-05: 4.50 gpt-4.1; 03-09: 0.50 sonnet; 03-10: 2.00 gpt-4.1 (today's 2.00 is not in /activity).
    expect(d.models).toMatchObject({ days: 9, from: '2026-03-02', to: '2026-03-10', source: 'activity' });
    expect(d.models!.items.map((m) => [m.model, m.usage, m.requests])).toEqual([
      ['openai/gpt-4.1', 6.5, 28],
      ['anthropic/claude-sonnet-4', 1.5, 6],
    ]);
    const text = await run(s, ['--since', '2026-03-02']);
    expect(lines(text.stdout)).toContain('Recent Models (9d):');
    expect(lines(text.stdout).at(-1)).toBe(FOOTNOTE);
  });

  test('--by week from /activity: the completed days summed per week (from Monday)', async ({ standIn }) => {
    const s = await standIn({ modes: { analytics: 404 } });
    const d = doc(await run(s, ['--json', '--by', 'week']));
    expect(d.groups!.items.map((g) => [g.name, g.usage])).toEqual([
      ['2026-03-02', 4.5],
      ['2026-03-09', 2.5],
    ]);
  });
});

// Alone, not among concurrent tests: another test's work on this thread must not delay a request.
describe('no round trip more', SLOW, () => {
  test('no round trip more: at 300 ms an answer, discovery, the queries and /activity leave with /key', async ({ standIn }) => {
    const s = await standIn();
    s.latencyMs = 300;
    const res = await run(s, []);
    expect(res.code).toBe(0);
    const firstEnd = Math.min(...s.requests.map((r) => r.endedAt!));
    expect(s.requests.map((r) => r.path).sort()).toEqual(
      ['/activity', '/analytics/meta', '/analytics/query', '/analytics/query', '/analytics/query', '/credits', '/key', '/keys', '/workspaces'].sort(),
    );
    for (const r of s.requests) expect(r.startedAt, `${r.method} ${r.path}`).toBeLessThan(firstEnd);
  });
});
