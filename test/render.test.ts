import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import type { ActivityRow, KeyData, KeyListItem } from '../src/api/schemas.js';
import { demoResponses } from '../src/sources/demo.js';
import { CliError } from '../src/base/errors.js';
import { toJsonDocument } from '../src/render/json-contract.js';
import { fitLines } from '../src/render/table.js';
import { renderText, type TextOptions } from '../src/render/text.js';
import { buildReport, type Outcome, type ReportOptions, type Responses } from '../src/model/report.js';

const plain = new Chalk({ level: 0 });
const now = new Date('2026-03-10T15:00:00Z');
const FOOTNOTE = '* indicates live totals that may not yet appear in model breakdowns.';

const key: KeyData = {
  label: 'sk-or-v1-abc...xyz',
  usage: 20,
  usage_daily: 1.234,
  usage_weekly: 4.56,
  usage_monthly: 7.891,
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
  limit: null,
  limit_remaining: null,
  limit_reset: null,
};

function row(date: string, model: string, usage: number, requests: number, extra: Partial<ActivityRow> = {}): ActivityRow {
  return {
    date,
    model,
    usage,
    requests,
    provider_name: 'P',
    prompt_tokens: 1000,
    completion_tokens: 500,
    reasoning_tokens: 100,
    byok_usage_inference: 0,
    ...extra,
  };
}

const rows = [row('2026-03-09', 'openai/gpt-4.1', 1.1, 42), row('2026-03-08', 'anthropic/claude-sonnet-4', 0.9, 7), row('2026-03-05', 'x/cheap', 0.001, 1234)];

function responses(overrides: Partial<Responses> = {}): Responses {
  return {
    key,
    credits: { status: 'ok', value: { total_credits: 10, total_usage: 2.32 } },
    activity: { status: 'ok', value: rows },
    keys: { status: 'needs-management-key' },
    ...overrides,
  };
}

function text(r: Responses, textOptions: Partial<TextOptions> = {}, reportOptions: Partial<ReportOptions> = {}): string {
  const report = buildReport(r, { days: 7, now, demo: false, configWarnings: [], ...reportOptions });
  return renderText(report, { top: 8, chalk: plain, utcOffset: () => 0, ...textOptions });
}

describe('renderText', () => {
  test('--explain: the original layout, with the scope said in words', () => {
    const lines = text(responses(), { explain: true }).split('\n');
    expect(lines.slice(0, 10)).toEqual([
      '💰 OpenRouter Usage',
      'Today: $1.23* | Week: $4.56 | Month: $7.89 (this key)',
      'Balance: $7.68 / $10.00',
      'Runway: at the 7-day average of $0.29/day, credits last about 26 days (until 2026-04-05)',
      '',
      'Recent Models (7d):',
      '• gpt-4.1: $1.10 (42)',
      '• claude-sonnet-4: $0.90 (7)',
      '• cheap: <$0.01 (1,234)',
      'Trend: ▁▁▂▁▁▇█  min $0.00 · avg $0.29/day · max $1.10',
    ]);
    expect(lines).toContain(
      'Today/Week/Month: this API key (sk-or-v1-abc...xyz), live; balance: whole account; breakdown: whole account, 2026-03-03 to 2026-03-09 (completed days).',
    );
    expect(lines).toContain('All days are UTC; today ends at 00:00 UTC (in 9 h 0 min).');
    expect(lines.at(-2)).toBe(FOOTNOTE);
  });

  test('--top cuts the list and sums the rest in one line', () => {
    const out = text(responses(), { top: 1 });
    expect(out).toContain('• gpt-4.1: $1.10 (42)\n• 2 more models: $0.90 (1,241)\n');
    expect(out).not.toContain('claude');
    expect(text(responses(), { top: 0 })).toContain('• cheap:');
  });

  test('without a management key: the key cap instead of a balance, and a hint instead of models', () => {
    const out = text(
      responses({
        key: { ...key, limit: 5, limit_remaining: 3.2, limit_reset: 'monthly' },
        credits: { status: 'needs-management-key' },
        activity: { status: 'needs-management-key' },
      }),
    );
    expect(out).toContain('Key limit: $3.20 left of $5.00, resets monthly\n');
    expect(out).not.toContain('Balance: $');
    expect(out).toContain('Recent Models: set OPENROUTER_MGMT_KEY');
    expect(out.trimEnd().split('\n').at(-1)).toBe(FOOTNOTE);
  });

  test('without a management key or a cap: says where the balance comes from, prints no amount', () => {
    const out = text(responses({ credits: { status: 'needs-management-key' } }));
    expect(out).toContain('Balance: set OPENROUTER_MGMT_KEY (a management key) to see the account balance');
    expect(out).not.toMatch(/Balance: \$/);
  });

  test('failed parts say so in place', () => {
    const failed: Outcome<never> = { status: 'failed', error: new CliError('http-status', 'boom') };
    const out = text(responses({ credits: failed, activity: failed }));
    expect(out).toContain('Balance: unavailable (/credits failed; see the warning)');
    expect(out).toContain('Recent Models: unavailable (/activity failed; see the warning)');
  });

  test('an empty window is said, not shown as $0.00', () => {
    const out = text(responses({ activity: { status: 'ok', value: [] } }), {}, { days: 3 });
    expect(out).toContain('Recent Models (3d):\nNo activity in the last 3 completed UTC days (2026-03-07 to 2026-03-09).');
    expect(out).not.toContain('Trend');
    expect(out).not.toContain('Runway');
  });

  test('a management key: no fake live totals', () => {
    const out = text(responses({ key: { ...key, is_management_key: true } }));
    expect(out).not.toContain('Today: $');
    expect(out).toContain('Today / Week / Month: not shown: the key in use is a management key, which cannot spend;');
  });

  test('BYOK spend is shown apart, never added in', () => {
    const out = text(
      responses({
        key: { ...key, byok_usage: 3, byok_usage_daily: 0.5, byok_usage_weekly: 1, byok_usage_monthly: 2 },
        activity: { status: 'ok', value: [row('2026-03-09', 'openai/gpt-4.1', 1.1, 42, { byok_usage_inference: 0.25 })] },
      }),
    );
    expect(out).toContain('Today: $1.23* | Week: $4.56 | Month: $7.89 (this key)\nBYOK: Today: $0.50 | Week: $1.00 | Month: $2.00');
    expect(out).toContain('• gpt-4.1: $1.10 (42) + $0.25 BYOK');
  });

  test('demo data is marked', () => {
    expect(text(responses(), {}, { demo: true }).split('\n')[0]).toBe('💰 OpenRouter Usage (demo data)');
  });

  test('colour only when the chalk instance has it', () => {
    expect(text(responses())).not.toContain('\u001b[');
    expect(text(responses(), { chalk: new Chalk({ level: 1 }) })).toContain('\u001b[');
  });

  test('--full-names and name clashes', () => {
    const clash = [row('2026-03-09', 'openai/gpt-oss-120b', 1, 1), row('2026-03-09', 'groq/gpt-oss-120b', 0.5, 1), row('2026-03-09', 'openai/gpt-4.1', 0.2, 1)];
    const out = text(responses({ activity: { status: 'ok', value: clash } }));
    expect(out).toContain('• openai/gpt-oss-120b: $1.00 (1)\n• groq/gpt-oss-120b: $0.50 (1)\n• gpt-4.1: $0.20 (1)');
    expect(text(responses({ activity: { status: 'ok', value: clash } }), { fullNames: true })).toContain('• openai/gpt-4.1: $0.20 (1)');
  });

  test('--by provider and --by day', () => {
    const mixed = [
      row('2026-03-09', 'a/x', 1, 1, { provider_name: 'OpenAI' }),
      row('2026-03-09', 'a/x', 2, 3, { provider_name: 'Azure' }),
      row('2026-03-08', 'b/y', 0.5, 1, { provider_name: 'OpenAI' }),
    ];
    expect(text(responses({ activity: { status: 'ok', value: mixed } }), { by: 'provider' })).toContain(
      'Recent Providers (7d):\n• Azure: $2.00 (3)\n• OpenAI: $1.50 (2)\n',
    );
    const days = text(responses({ activity: { status: 'ok', value: mixed } }), { by: 'day', top: 1 });
    expect(days).toContain('Recent Days (7d):\n• 2026-03-03: $0.00 (0)\n');
    expect(days).toContain('• 2026-03-08: $0.50 (1)\n• 2026-03-09: $3.00 (4)\n');
  });

  test('--details: aligned columns with tokens and $ per million tokens; narrow terminals drop columns', () => {
    const out = text(responses(), { details: true });
    expect(out).toContain('model             spend  requests  $/M tok  prompt  completion  reasoning\n');
    expect(out).toContain('gpt-4.1           $1.10        42  $733.33   1,000         500        100\n');
    expect(out).toContain('cheap            <$0.01     1,234    $0.67   1,000         500        100\n');
    const narrow = text(responses(), { details: true, width: 40 })
      .split('\n')
      .filter((l) => l.includes('gpt-4.1') || l.startsWith('model'));
    for (const line of narrow) expect([...line].length).toBeLessThanOrEqual(40);
    expect(narrow[0]).toContain('spend');
    expect(narrow[0]).not.toContain('reasoning');
  });

  test('--scope key labels the breakdown', () => {
    expect(text(responses(), {}, { scope: 'key' })).toContain('Recent Models (7d, this key):');
  });
});

describe('account totals', () => {
  const keyList: KeyListItem[] = [
    { hash: 'h1', name: 'a', label: key.label, usage: 20, usage_daily: 1.234, usage_weekly: 4.56, usage_monthly: 7.891 },
    { hash: 'h2', name: 'b', label: 'other', disabled: true, usage: 5, usage_daily: 0, usage_weekly: 1, usage_monthly: 2 },
  ];

  test('shown beside the key totals, each labelled', () => {
    const out = text(responses({ keys: { status: 'ok', value: keyList } }), { explain: true });
    expect(out).toContain('Today: $1.23* | Week: $4.56 | Month: $7.89 (this key)\nAccount: Today: $1.23* | Week: $5.56 | Month: $9.89 (2 keys)\n');
    expect(out).toContain(
      'Account totals add up the live counters of the 2 keys /keys lists, 1 of them disabled; keys deleted this period are no longer counted.',
    );
  });

  test("stand in for a management key's empty counters", () => {
    const out = text(responses({ key: { ...key, is_management_key: true }, keys: { status: 'ok', value: keyList } }));
    expect(out).toContain('Account: Today: $1.23* | Week: $5.56 | Month: $9.89 (2 keys)');
    expect(out).not.toContain('is a management key, which cannot spend');
  });
});

describe('JSON document', () => {
  test('absent parts are null and failures are warnings', () => {
    const report = buildReport(
      responses({ credits: { status: 'needs-management-key' }, activity: { status: 'failed', error: new CliError('http-status', 'y') } }),
      { days: 7, now, demo: false, configWarnings: [] },
    );
    const doc = toJsonDocument(report);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.credits).toBeNull();
    expect(doc.models).toBeNull();
    expect(doc.daily).toBeNull();
    expect(doc.account).toBeNull();
    expect(doc.workspaces).toBeNull();
    expect(doc.warnings).toEqual([{ source: 'activity', message: 'y' }]);
    expect(Object.keys(doc)).toEqual([
      'schemaVersion',
      'generatedAt',
      'fetchedAt',
      'demo',
      'key',
      'account',
      'credits',
      'models',
      'providers',
      'workspaces',
      'groups',
      'forecast',
      'analytics',
      'daily',
      'trend',
      'runway',
      'discrepancy',
      'utcDayEndsAt',
      'alerts',
      'warnings',
    ]);
  });
});

describe('demo', () => {
  test('runs the sample through validation and aggregation, with a full window, and agrees with itself', () => {
    const built = buildReport(demoResponses(now), { days: 7, now, demo: true, configWarnings: [] });
    expect(built.breakdown).toMatchObject({ status: 'ok', value: { from: '2026-03-03', to: '2026-03-09' } });
    const breakdown = built.breakdown as Extract<typeof built.breakdown, { status: 'ok' }>;
    expect(breakdown.value.models.map((m) => m.model)).toEqual([
      'openai/gpt-4.1',
      'anthropic/claude-sonnet-4',
      'google/gemini-2.5-pro',
      'deepseek/deepseek-chat-v3.1',
      'meta-llama/llama-3.3-70b-instruct:free',
    ]);
    expect(built.credits).toMatchObject({ status: 'ok', value: { total: 50 } });
    expect(built.key.usage?.today).toBe(1.23412);
    // The demo's live month minus today equals its completed days: the gap is today alone
    // (account: 5.15947 this month - 1.27532 today = 3.88415 in the breakdown's March days).
    expect(built.discrepancy).toMatchObject({ month: 5.15947, today: 1.27532 });
    expect(built.discrepancy!.breakdownMonth).toBeCloseTo(3.88415, 9);
    expect(built.discrepancy!.unexplained).toBeCloseTo(0, 9);
  });

  test('works on any date', () => {
    for (const day of ['2030-01-01T00:00:00Z', '2026-02-28T23:59:59Z', '2026-03-02T12:00:00Z']) {
      expect(() => demoResponses(new Date(day))).not.toThrow();
    }
  });
});

describe('notes on a narrow terminal', () => {
  test('break between words, within the width', () => {
    const out = text(responses(), { width: 60, explain: true });
    const notes = out.trimEnd().split('\n\n').at(-1)!.split('\n');
    // Month 7.891 vs 1.1 + 0.9 + 0.001 = 2.001 of March's completed days; 7.891 - 1.234 - 2.001 = 4.656 unexplained.
    expect(notes).toEqual([
      'Month $7.89 (this key, live) vs $2.00 in /activity for',
      "2026-03-01 to 2026-03-09 (this month's completed UTC days):",
      "today's $1.23 reaches /activity after UTC midnight; $4.66 of",
      'the live month is not in /activity (unexplained).',
      'Today/Week/Month: this API key (sk-or-v1-abc...xyz), live;',
      'balance: whole account; breakdown: whole account, 2026-03-03',
      'to 2026-03-09 (completed days).',
      'All days are UTC; today ends at 00:00 UTC (in 9 h 0 min).',
      '* indicates live totals that may not yet appear in model',
      'breakdowns.',
    ]);
    for (const line of notes) expect([...line].length).toBeLessThanOrEqual(60);
  });
  test('piped output (no width) keeps each note on one line', () => {
    expect(fitLines(['a b c'], undefined)).toEqual(['a b c']);
    expect(fitLines(['alpha beta gamma delta epsilon zeta eta theta'], 20)).toEqual(['alpha beta gamma', 'delta epsilon zeta', 'eta theta']);
  });
});
