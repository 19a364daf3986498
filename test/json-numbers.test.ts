// JSON carries figures, not float noise: money to 1e-9, ratios to four decimals.
import { describe, expect, test } from 'vitest';
import type { ActivityRow, KeyData } from '../src/api/schemas.js';
import { money, ratio, toJsonDocument } from '../src/render/json-contract.js';
import { buildReport } from '../src/model/report.js';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn } from './server.js';

const now = new Date('2026-03-10T15:00:00Z');

const key: KeyData = {
  label: 'sk-or-v1-abc...xyz',
  usage: 20.300000000000004,
  usage_daily: 2.3200000000000003,
  usage_weekly: 0.30000000000000004,
  usage_monthly: 7.891,
  limit: 10,
  limit_remaining: 2.1099999999999994,
  limit_reset: 'monthly',
};

const row = (date: string, usage: number, promptTokens: number, completionTokens: number): ActivityRow => ({
  date,
  model: 'openai/gpt-4.1',
  usage,
  requests: 3,
  provider_name: 'OpenAI',
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  reasoning_tokens: 0,
  byok_usage_inference: 0,
});

/** Every number of a JSON value, with where it is. */
function numbers(value: unknown, path = '$'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

const decimals = (n: number): number => (String(n).split('.')[1] ?? '').length;

describe('money and ratio', () => {
  test('drop the noise and keep the digits', () => {
    expect(money(2.3200000000000003)).toBe(2.32);
    expect(money(0.1 + 0.2)).toBe(0.3);
    expect(money(1.23456789)).toBe(1.23456789);
    expect(money(0.0000000004)).toBe(0);
    expect(money(-1.1000000000000001)).toBe(-1.1);
    expect(money(12345678.900000002)).toBe(12345678.9);
    expect(ratio(733.3333333333334)).toBe(733.3333);
    expect(ratio(0.00004)).toBe(0);
  });
});

describe('the JSON document', () => {
  test('rounds what the API sent and what the report added up', () => {
    const report = buildReport(
      {
        key,
        credits: { status: 'ok', value: { total_credits: 10.1, total_usage: 7.78 } },
        // 1.1 over 1,500 tokens is $733.333… per million tokens.
        activity: { status: 'ok', value: [row('2026-03-09', 0.7, 700, 300), row('2026-03-08', 0.4, 400, 100)] },
        keys: { status: 'needs-management-key' },
      },
      { days: 7, now, demo: false, configWarnings: [] },
    );
    const doc = toJsonDocument(report);
    expect(doc.key.usage).toEqual({ today: 2.32, week: 0.3, month: 7.891, total: 20.3 });
    expect(doc.key.limitRemaining).toBe(2.11);
    expect(doc.credits).toEqual({ total: 10.1, used: 7.78, remaining: 2.32 });
    expect(doc.models!.items[0]!.usage).toBe(1.1);
    expect(doc.models!.items[0]!.usdPerMillionTokens).toBe(733.3333);
    expect(doc.trend!.average).toBe(0.157142857);
  });

  test('a whole live document has no number with more than nine decimals', async () => {
    const s = await startStandIn({ now });
    try {
      const res = await runCli(['--json'], {
        env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: now.toISOString() },
      });
      expect(res.code).toBe(0);
      const doc = JSON.parse(res.stdout) as { models: { items: { usdPerMillionTokens: number | null }[] } };
      const noisy = numbers(doc).filter(([, n]) => decimals(n) > 9);
      expect(noisy).toEqual([]);
      for (const item of doc.models.items) expect(decimals(item.usdPerMillionTokens ?? 0)).toBeLessThanOrEqual(4);
    } finally {
      await s.close();
    }
  });
});
