import { describe, expect, test } from 'vitest';
import type { ActivityRow, KeyData } from '../src/api/schemas.js';
import { CliError } from '../src/base/errors.js';
import { aggregateModels, buildReport, displayNames, type Responses } from '../src/model/report.js';

function row(date: string, model: string, usage: number, extra: Partial<ActivityRow> = {}): ActivityRow {
  return { date, model, usage, requests: 1, byok_usage_inference: 0, prompt_tokens: 10, completion_tokens: 5, reasoning_tokens: 2, ...extra };
}

const key: KeyData = {
  label: 'sk-or-v1-abc...xyz',
  usage: 20,
  usage_daily: 1.5,
  usage_weekly: 4,
  usage_monthly: 9,
  byok_usage: 0.5,
  byok_usage_daily: 0,
  byok_usage_weekly: 0.1,
  byok_usage_monthly: 0.5,
  limit: null,
  limit_remaining: null,
  limit_reset: null,
};

const now = new Date('2026-03-10T15:00:00Z');

describe('aggregateModels', () => {
  test('sums one model across providers and days', () => {
    const items = aggregateModels(
      [
        row('2026-03-08', 'openai/gpt-4.1', 0.1, { provider_name: 'OpenAI', requests: 3 }),
        row('2026-03-08', 'openai/gpt-4.1', 0.2, { provider_name: 'Azure', requests: 4 }),
        row('2026-03-09', 'openai/gpt-4.1', 0.3, { requests: 5, byok_usage_inference: 0.7 }),
      ],
      '2026-03-03',
      '2026-03-09',
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.usage).toBe(0.6);
    expect(items[0]).toMatchObject({ model: 'openai/gpt-4.1', requests: 12, byokUsage: 0.7, promptTokens: 30, completionTokens: 15, reasoningTokens: 6 });
  });

  test('keeps BYOK spend apart from credit spend', () => {
    const [item] = aggregateModels([row('2026-03-09', 'a/b', 0.1, { byok_usage_inference: 5 })], '2026-03-09', '2026-03-09');
    expect(item!.usage).toBe(0.1);
    expect(item!.byokUsage).toBe(5);
  });

  test('window edges are inclusive, days outside are dropped (today included)', () => {
    const rows = [row('2026-03-02', 'x/early', 1), row('2026-03-03', 'x/first', 1), row('2026-03-09', 'x/last', 1), row('2026-03-10', 'x/today', 1)];
    expect(
      aggregateModels(rows, '2026-03-03', '2026-03-09')
        .map((i) => i.model)
        .sort(),
    ).toEqual(['x/first', 'x/last']);
  });

  test('reads the day from dates that carry a time', () => {
    expect(aggregateModels([row('2026-03-09 00:00:00', 'x/y', 1)], '2026-03-09', '2026-03-09')).toHaveLength(1);
  });

  test('highest spend first, then requests, then name', () => {
    const items = aggregateModels(
      [
        row('2026-03-09', 'b/two', 1, { requests: 1 }),
        row('2026-03-09', 'a/one', 1, { requests: 1 }),
        row('2026-03-09', 'c/big', 2),
        row('2026-03-09', 'd/busy', 1, { requests: 9 }),
      ],
      '2026-03-09',
      '2026-03-09',
    );
    expect(items.map((i) => i.model)).toEqual(['c/big', 'd/busy', 'a/one', 'b/two']);
  });

  test('no rows, no items', () => {
    expect(aggregateModels([], '2026-03-03', '2026-03-09')).toEqual([]);
  });

  test('missing token counts count as none, not as a failure', () => {
    const [item] = aggregateModels([{ date: '2026-03-09', model: 'a/b', usage: 1, requests: 2 }], '2026-03-09', '2026-03-09');
    expect(item).toMatchObject({ promptTokens: 0, completionTokens: 0, reasoningTokens: 0, byokUsage: 0 });
  });
});

describe('displayNames', () => {
  test('short names unless two models would look alike', () => {
    const names = displayNames(['openai/gpt-4.1', 'openai/gpt-oss-120b', 'groq/gpt-oss-120b', 'plain']);
    expect(names.get('openai/gpt-4.1')).toBe('gpt-4.1');
    expect(names.get('openai/gpt-oss-120b')).toBe('openai/gpt-oss-120b');
    expect(names.get('groq/gpt-oss-120b')).toBe('groq/gpt-oss-120b');
    expect(names.get('plain')).toBe('plain');
  });
});

describe('buildReport', () => {
  const ok: Responses = {
    key,
    credits: { status: 'ok', value: { total_credits: 10, total_usage: 2.32 } },
    activity: { status: 'ok', value: [row('2026-03-09', 'openai/gpt-4.1', 1)] },
    keys: { status: 'needs-management-key' },
  };

  test('maps key, credits and the model window', () => {
    const report = buildReport(ok, { days: 7, now, demo: false, configWarnings: [] });
    expect(report.key.usage).toEqual({ today: 1.5, week: 4, month: 9, total: 20 });
    expect(report.key.byokUsage).toEqual({ today: 0, week: 0.1, month: 0.5, total: 0.5 });
    expect(report.credits).toEqual({ status: 'ok', value: { total: 10, used: 2.32, remaining: 7.68 } });
    expect(report.breakdown).toMatchObject({ status: 'ok', value: { days: 7, from: '2026-03-03', to: '2026-03-09' } });
    expect(report.warnings).toEqual([]);
    expect(report.generatedAt).toBe('2026-03-10T15:00:00.000Z');
  });

  test('a management key has no spend of its own to show', () => {
    const report = buildReport({ ...ok, key: { ...key, is_management_key: true } }, { days: 7, now, demo: false, configWarnings: [] });
    expect(report.key.isManagementKey).toBe(true);
    expect(report.key.usage).toBeNull();
    expect(report.key.byokUsage).toBeNull();
    const legacy = buildReport({ ...ok, key: { ...key, is_provisioning_key: true } }, { days: 7, now, demo: false, configWarnings: [] });
    expect(legacy.key.usage).toBeNull();
  });

  test('BYOK totals are null, not zero, when the API leaves them out', () => {
    const { byok_usage: _a, byok_usage_daily: _b, ...bare } = key;
    expect(buildReport({ ...ok, key: bare }, { days: 7, now, demo: false, configWarnings: [] }).key.byokUsage).toBeNull();
  });

  test('failed parts become warnings, absent parts do not', () => {
    const report = buildReport(
      {
        key,
        credits: { status: 'failed', error: new CliError('http-status', '/credits: server error (HTTP 500) after 4 attempts') },
        activity: { status: 'needs-management-key' },
        keys: { status: 'needs-management-key' },
      },
      { days: 7, now, demo: false, configWarnings: [{ source: 'config', message: 'file mode' }] },
    );
    expect(report.credits.status).toBe('failed');
    expect(report.breakdown.status).toBe('needs-management-key');
    expect(report.warnings).toEqual([
      { source: 'config', message: 'file mode' },
      { source: 'credits', message: '/credits: server error (HTTP 500) after 4 attempts' },
    ]);
  });
});
