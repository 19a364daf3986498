// What /key says that matters now, one line each: a key expiring within a week, and a free-tier key's
// allowance of free-model requests today.
import { afterEach, beforeAll, afterAll, describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn, type StandIn } from './server.js';

const NOW = '2026-03-11T12:00:00Z';
let s: StandIn;
let base: StandIn['data']['apiKeyInfo'];
beforeAll(async () => {
  s = await startStandIn({ now: new Date(NOW) });
  base = s.data.apiKeyInfo;
});
afterAll(() => s.close());
afterEach(() => s.setData({ apiKeyInfo: base }));

const env = () => ({ OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW });
const out = async (args: string[]) => {
  const res = await runCli(args, { env: env() });
  expect(res.code).toBe(0);
  expect(res.stderr).toBe('');
  return res.stdout;
};

describe('key expiry', () => {
  test('within 7 days: one line under the balance, in text and markdown, and the date in JSON', async () => {
    s.setData({ apiKeyInfo: { ...base, expires_at: '2026-03-14T18:30:00.000Z' } });
    const text = (await out([])).split('\n');
    // 2026-03-11 12:00 to 2026-03-14 18:30 is 3 days 6 h 30 min.
    expect(text[text.findIndex((l) => l.startsWith('Balance: ')) + 1]).toBe('Key expires 2026-03-14 18:30 UTC (in 3 days)');
    expect(await out(['--format', 'markdown'])).toContain('\n**Key expires 2026-03-14 18:30 UTC (in 3 days)**\n');
    expect((JSON.parse(await out(['--json'])) as { key: { expiresAt: string } }).key.expiresAt).toBe('2026-03-14T18:30:00.000Z');
  });

  test('within two days: in hours', async () => {
    s.setData({ apiKeyInfo: { ...base, expires_at: '2026-03-12T09:00:00Z' } });
    expect(await out([])).toContain('\nKey expires 2026-03-12 09:00 UTC (in 21 h)\n');
  });

  test('further away, or never: nothing', async () => {
    s.setData({ apiKeyInfo: { ...base, expires_at: '2026-03-18T12:00:01Z' } });
    expect(await out([])).not.toContain('Key expires');
    s.setData({ apiKeyInfo: { ...base, expires_at: null } });
    expect(await out([])).not.toContain('Key expires');
    expect((JSON.parse(await out(['--json'])) as { key: { expiresAt: unknown } }).key.expiresAt).toBeNull();
  });

  test('a value that is no date is read as none, and the report goes on', async () => {
    s.setData({ apiKeyInfo: { ...base, expires_at: 'soon' } });
    expect((JSON.parse(await out(['--json'])) as { key: { expiresAt: unknown } }).key.expiresAt).toBeNull();
  });
});

describe('free-model daily requests', () => {
  test('a free-tier key: one line with what is left today', async () => {
    s.setData({ apiKeyInfo: { ...base, is_free_tier: true, free_model_daily_requests: { limit: 1000, remaining: 997, used: 3 } } });
    const text = await out([]);
    expect(text.split('\n').filter((l) => l.startsWith('Free models: '))).toEqual(['Free models: 997 of 1,000 requests left today (UTC)']);
    expect(await out(['--format', 'markdown'])).toContain('\n**Free models: 997 of 1,000 requests left today (UTC)**\n');
    expect((JSON.parse(await out(['--json'])) as { key: { freeModelRequests: unknown } }).key.freeModelRequests).toEqual({ limit: 1000, remaining: 997 });
  });

  test('a paid key: no line (the allowance does not limit it), the figures still in JSON', async () => {
    s.setData({ apiKeyInfo: { ...base, is_free_tier: false, free_model_daily_requests: { limit: 1000, remaining: 997, used: 3 } } });
    expect(await out([])).not.toContain('Free models');
    expect((JSON.parse(await out(['--json'])) as { key: { freeModelRequests: unknown } }).key.freeModelRequests).toEqual({ limit: 1000, remaining: 997 });
  });

  test('an odd shape is read as absent, and the report goes on', async () => {
    s.setData({
      apiKeyInfo: { ...base, is_free_tier: true, free_model_daily_requests: 'plenty' as unknown as { limit: number; remaining: number; used: number } },
    });
    expect(await out([])).not.toContain('Free models');
  });
});
