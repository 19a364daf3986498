// The default report is read in five seconds: at most 14 lines in the common case (both keys, 7
// days), no line wider than the terminal (80 when unknown, COLUMNS when given), the fine print
// behind --explain, and the same labels in every format.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { visibleWidth } from '../src/render/text.js';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn, WITHOUT_ANALYTICS, type StandIn } from './server.js';

const NOW = '2026-03-11T12:00:00Z';
let s: StandIn;
beforeAll(async () => {
  // The report most accounts get today: /activity's completed days (analytics has its own case below).
  s = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
});
afterAll(() => s.close());

const BOTH = () => ({ OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW });
const usd = (x: number) => `$${(Math.round(x * 100) / 100).toFixed(2)}`;
const FOOTNOTE = '* indicates live totals that may not yet appear in model breakdowns.';

function outLines(stdout: string): string[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout.slice(0, -1).split('\n');
}

describe('the default report', () => {
  test('both keys, 7 days, piped: 14 lines at most, none wider than 80, in this order', async () => {
    const res = await runCli([], { env: BOTH() });
    expect(res.code).toBe(0);
    const out = outLines(res.stdout);
    expect(out.length).toBeLessThanOrEqual(14);
    for (const line of out) expect(visibleWidth(line), line).toBeLessThanOrEqual(80);
    const shape = out.map((line) => /^(💰 OpenRouter Usage|Today: |Account: Today: |BYOK: |Balance: |Recent Models \(7d\):|• |Trend: |\* |)/.exec(line)![1]);
    expect(shape).toEqual([
      '💰 OpenRouter Usage',
      'Today: ',
      'Account: Today: ',
      'BYOK: ',
      'Balance: ',
      '',
      'Recent Models (7d):',
      '• ',
      '• ',
      '• ',
      '• ',
      '• ',
      'Trend: ',
      '* ',
    ]);
    expect(out.at(-1)).toBe(FOOTNOTE);
    // The default --top is 4: four models and one row for the rest.
    expect(out[11]).toMatch(/^• 2 more models: \$\d+\.\d\d \(\d+\)$/);
    expect(out[4]).toMatch(/^Balance: \$\d+\.\d\d \/ \$\d+\.\d\d · runway about \d+ days \(until 2026-\d\d-\d\d\)$/);
  });

  test('the fine print is not in it', async () => {
    const res = await runCli([], { env: BOTH() });
    for (const words of ['All days are UTC', 'Month $', 'Account totals add up', 'Today/Week/Month: this API key', 'Runway: at the']) {
      expect(res.stdout).not.toContain(words);
    }
  });

  test.each([
    ['COLUMNS=60, piped', undefined, { COLUMNS: '60' }, 60],
    ['a terminal 50 wide', 50, {}, 50],
    ['a terminal 50 wide, with COLUMNS=120 in the environment', 50, { COLUMNS: '120' }, 50],
  ])('%s: no line is wider', async (_name, columns, env, width) => {
    const res = await runCli(['--explain', '--details'], { ...(columns ? { terminal: { columns } } : {}), env: { ...BOTH(), ...env } });
    expect(res.code).toBe(0);
    const out = outLines(res.stdout);
    for (const line of out) expect(visibleWidth(line), line).toBeLessThanOrEqual(width);
    expect(out.at(-2)! + ' ' + out.at(-1)!).toContain('* indicates live totals');
  });

  test('--explain shows everything that was there before', async () => {
    const res = await runCli(['--explain'], { env: { ...BOTH(), COLUMNS: '1000' } });
    const out = outLines(res.stdout);
    expect(out.find((l) => l.startsWith('Runway: at the 7-day average of $'))).toBeDefined();
    expect(out.find((l) => l.startsWith('Month $29.34 (account, live) vs $'))).toMatch(
      / in \/activity for 2026-03-01 to 2026-03-10 \(this month's completed UTC days\): today's \$10\.56 reaches \/activity after UTC midnight\.$/,
    );
    expect(out).toContain(
      'Account totals add up the live counters of the 3 keys /keys lists, 1 of them disabled; keys deleted this period are no longer counted.',
    );
    expect(out.find((l) => l.startsWith('Today/Week/Month: this API key ('))).toMatch(
      /breakdown: whole account, 2026-03-04 to 2026-03-10 \(completed days\)\.$/,
    );
    expect(out.find((l) => l.startsWith('All days are UTC; today ends at '))).toBeDefined();
    expect(out.find((l) => l.startsWith('BYOK: '))).toMatch(/\(this key, billed by your own provider keys\)$/);
    expect(out.at(-1)).toBe(FOOTNOTE);
  });

  test('an unexplained month gap above a cent stays, as one line', async () => {
    const t = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
    try {
      // Nothing live this month, while /activity holds this month's days (03-01 … 03-10: $18.78185): the
      // gap has no known cause. A management key alone, so no key of its own bounds the account's figures.
      t.setData({ keys: t.data.keys.map((k) => ({ ...k, usage_daily: 0, usage_weekly: 0, usage_monthly: 0 })) });
      const res = await runCli([], { env: { OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: t.url, FAKE_CLOCK_NOW: NOW } });
      expect(res.code).toBe(0);
      const notes = outLines(res.stdout).filter((l) => l.startsWith('Note: '));
      expect(notes).toEqual(['Note: /activity has $18.78 more this month than the live total (--explain)']);
    } finally {
      await t.close();
    }
  });

  test('no live totals, no asterisk, and no note about it', async () => {
    const t = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
    try {
      t.setFault('/keys', { status: 400 });
      const res = await runCli([], { env: { OPENROUTER_API_KEY: MGMT_KEY, OPENROUTER_BASE_URL: t.url, FAKE_CLOCK_NOW: NOW } });
      expect(res.code).toBe(0);
      expect(res.stdout).not.toContain('*');
    } finally {
      await t.close();
    }
  });
});

describe('the same label in every format', () => {
  test("oneline says when today is the account's", async () => {
    const today = s.data.keys.reduce((sum, k) => sum + k.usage_daily, 0);
    const left = s.data.credits.total_credits - s.data.credits.total_usage;
    const res = await runCli(['--format', 'oneline'], { env: BOTH() });
    expect(res.stdout).toBe(`OR acct ${usd(today)} today · ${usd(left)} left\n`);
  });

  test("and when it is this key's", async () => {
    const res = await runCli(['--format', 'oneline'], { env: { ...BOTH(), OPENROUTER_MGMT_KEY: '' } });
    const k = s.data.apiKeyInfo;
    expect(res.stdout).toBe(`OR key ${usd(k.usage_daily)} today · ${usd(k.usage_monthly)} this month\n`);
  });
});

describe('the default report with the analytics API', () => {
  test('both keys, 7 days through today, piped: 14 lines at most, none wider than 80, no asterisk', async () => {
    const t = await startStandIn({ now: new Date(NOW) });
    try {
      const res = await runCli([], { env: { ...BOTH(), OPENROUTER_BASE_URL: t.url } });
      expect(res.code).toBe(0);
      const out = outLines(res.stdout);
      expect(out.length).toBeLessThanOrEqual(14);
      for (const line of out) expect(visibleWidth(line), line).toBeLessThanOrEqual(80);
      // The account's month: 10.55545 today + 18.78185 of March's completed days = 29.3373.
      expect(out.slice(0, 3)).toEqual([
        '💰 OpenRouter Usage',
        'Today: $6.33 | Week: $8.72 | Month: $17.60 (this key)',
        'Account: Today: $10.56 | Week: $14.54 | Month: $29.34 (all keys, deleted too)',
      ]);
      expect(out).toContain('Models (last 7 days including today, live):');
      expect(res.stdout).not.toContain('*');
    } finally {
      await t.close();
    }
  });
});
