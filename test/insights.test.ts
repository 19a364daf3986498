import { afterEach, describe, expect, test } from 'vitest';
import { accountTotals } from '../src/model/account.js';
import { checkThresholds, type Figure } from '../src/model/alerts.js';
import { dailySeries, monthToDateFromRows, trendOf } from '../src/model/breakdown.js';
import { explainGap } from '../src/model/discrepancy.js';
import { alertSentence, gapNote, gapSentence } from '../src/render/sentences.js';
import { capRunway, creditsRunway } from '../src/model/runway.js';
import { describeUtcDayEnd, nextReset, nextUtcMidnight } from '../src/base/time.js';
import { zoneOffset } from './run-cli.js';
import { fitTable, sparkline } from '../src/render/table.js';
import { CliError } from '../src/base/errors.js';

const now = new Date('2026-03-10T15:00:00Z'); // a Tuesday

describe('account totals', () => {
  test('sum every key, disabled ones too, and count them', () => {
    const totals = accountTotals([
      { hash: 'a', usage: 10, usage_daily: 0.1, usage_weekly: 0.2, usage_monthly: 0.3, byok_usage_daily: 1 },
      { hash: 'b', disabled: true, usage: 5, usage_daily: 0.2, usage_weekly: 0.1, usage_monthly: 0.4 },
    ]);
    expect(totals).toEqual({ usage: { today: 0.3, week: 0.3, month: 0.7 }, byokUsage: { today: 1, week: 0, month: 0 }, keys: 2, disabledKeys: 1 });
  });
  test('no keys, no spend', () => {
    expect(accountTotals([]).usage).toEqual({ today: 0, week: 0, month: 0 });
  });
});

describe('daily series and trend', () => {
  const rows = [
    { date: '2026-03-08', model: 'a', usage: 1, requests: 2 },
    { date: '2026-03-08', model: 'b', usage: 0.5, requests: 1 },
    { date: '2026-03-06', model: 'a', usage: 3, requests: 4 },
    { date: '2026-02-27', model: 'a', usage: 7, requests: 1 },
  ];
  test('one entry per day; days without rows are zero', () => {
    expect(dailySeries(rows, '2026-03-06', '2026-03-09')).toEqual([
      { date: '2026-03-06', usage: 3, requests: 4 },
      { date: '2026-03-07', usage: 0, requests: 0 },
      { date: '2026-03-08', usage: 1.5, requests: 3 },
      { date: '2026-03-09', usage: 0, requests: 0 },
    ]);
  });
  test('a window across a month boundary', () => {
    expect(dailySeries(rows, '2026-02-27', '2026-03-02').map((d) => d.date)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });
  test('min, max and average count the empty days', () => {
    expect(trendOf(dailySeries(rows, '2026-03-06', '2026-03-09'))).toEqual({ min: 0, max: 3, average: 1.125 });
    expect(trendOf([])).toEqual({ min: 0, max: 0, average: 0 });
  });
  test("month to date takes this month's completed days only", () => {
    expect(monthToDateFromRows([...rows, { date: '2026-03-10', model: 'a', usage: 100, requests: 1 }], '2026-03-10')).toBe(4.5);
    expect(monthToDateFromRows(rows, '2026-03-01')).toBe(0);
  });
});

describe('runway', () => {
  test('credits at the recent average', () => {
    expect(creditsRunway(10, 0.75, 7, now)).toEqual({ basis: 'credits', dailyAverage: 0.75, averageDays: 7, days: 13, until: '2026-03-23' });
  });
  test('says nothing without spend, without credits, or beyond any sensible horizon', () => {
    expect(creditsRunway(10, 0, 7, now)).toBeUndefined();
    expect(creditsRunway(0, 1, 7, now)).toBeUndefined();
    expect(creditsRunway(-3, 1, 7, now)).toBeUndefined();
    expect(creditsRunway(1e300, 1e-300, 7, now)).toBeUndefined();
  });
  test('a monthly cap that runs out before it resets', () => {
    // 9.625 days into March; $9.625 spent: $1/day; $5 left lasts to the 15th, before April 1st.
    expect(capRunway(5, 'monthly', 9.625, now)).toEqual({
      basis: 'key-limit',
      dailyAverage: 1,
      runsOutOn: '2026-03-15',
      resetsOn: '2026-04-01',
      runsOutBeforeReset: true,
    });
  });
  test('a cap that lasts until it resets', () => {
    expect(capRunway(100, 'weekly', 9.625, now)).toMatchObject({ resetsOn: '2026-03-16', runsOutBeforeReset: false });
  });
  test('a cap that never resets', () => {
    expect(capRunway(2, null, 9.625, now)).toMatchObject({ resetsOn: null, runsOutOn: '2026-03-12', runsOutBeforeReset: true });
  });
  test('no spend this month: nothing to project', () => {
    expect(capRunway(5, 'monthly', 0, now)).toBeUndefined();
  });
});

describe('UTC clock', () => {
  test('resets', () => {
    expect(nextReset('daily', now)?.toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(nextReset('weekly', now)?.toISOString()).toBe('2026-03-16T00:00:00.000Z');
    expect(nextReset('weekly', new Date('2026-03-16T00:00:00Z'))?.toISOString()).toBe('2026-03-23T00:00:00.000Z');
    expect(nextReset('monthly', new Date('2026-12-31T23:00:00Z'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextReset(null, now)).toBeUndefined();
    expect(nextReset('fortnightly', now)).toBeUndefined();
  });
  test("end of the UTC day in the reader's zone", () => {
    expect(nextUtcMidnight(now).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(describeUtcDayEnd(now, zoneOffset('UTC'))).toBe('00:00 UTC (in 9 h 0 min)');
    expect(describeUtcDayEnd(now, zoneOffset('Europe/Berlin'))).toBe('01:00 UTC+1 (in 9 h 0 min)');
    expect(describeUtcDayEnd(new Date('2026-03-10T23:59:30Z'), zoneOffset('America/New_York'))).toBe('20:00 UTC-4 (in 1 min)');
  });
});

describe('gap between the live month and the same month in /activity', () => {
  const days = { from: '2026-03-01', to: '2026-03-09' };
  test('same scope: today explains it', () => {
    const gap = explainGap({ month: 10, today: 1.5, monthScope: 'account', breakdownMonth: 8.5, breakdownScope: 'account', ...days });
    expect(gap && gapSentence(gap)).toBe(
      "Month $10.00 (account, live) vs $8.50 in /activity for 2026-03-01 to 2026-03-09 (this month's completed UTC days): today's $1.50 reaches /activity after UTC midnight.",
    );
    expect(gap?.unexplained).toBe(0);
    expect(gapNote(gap!)).toBeUndefined();
  });
  test("one key's month against an account-wide /activity: other keys", () => {
    const gap = explainGap({ month: 5, today: 1, monthScope: 'key', breakdownMonth: 7, breakdownScope: 'account', ...days });
    expect(gap).toMatchObject({ gap: -2, otherKeys: 3, unexplained: 0 });
    // 7 - (5 - 1) = 3 of /activity is not this key's.
    expect(gap && gapSentence(gap)).toBe(
      "Month $5.00 (this key, live) vs $7.00 in /activity for 2026-03-01 to 2026-03-09 (this month's completed UTC days): today's $1.00 reaches /activity after UTC midnight; $3.00 in /activity is other keys' spend.",
    );
  });
  test('/activity holds more than the live total: unexplained, no cause guessed, and a one-line note', () => {
    const gap = explainGap({ month: 5, today: 0, monthScope: 'account', breakdownMonth: 6, breakdownScope: 'account', ...days })!;
    expect(gapSentence(gap)).toBe(
      "Month $5.00 (account, live) vs $6.00 in /activity for 2026-03-01 to 2026-03-09 (this month's completed UTC days): $1.00 in /activity is not in the live month (unexplained).",
    );
    expect(gapNote(gap)).toBe('Note: /activity has $1.00 more this month than the live total (--explain)');
  });
  test('the live month above /activity and today: the rest is unexplained', () => {
    const gap = explainGap({ month: 10, today: 1, monthScope: 'account', breakdownMonth: 8.5, breakdownScope: 'account', ...days })!;
    expect(gapSentence(gap)).toContain("today's $1.00 reaches /activity after UTC midnight; $0.50 of the live month is not in /activity (unexplained).");
    expect(gapNote(gap)).toBe('Note: the live month is $0.50 above /activity, unexplained (--explain)');
  });
  test('no gap, no line; the first of the month is today alone', () => {
    const first = { from: '2026-03-01', to: null };
    expect(explainGap({ month: 5, today: 0, monthScope: 'account', breakdownMonth: 5.004, breakdownScope: 'account', ...days })).toBeUndefined();
    const gap = explainGap({ month: 2, today: 2, monthScope: 'key', breakdownMonth: 0, breakdownScope: 'account', ...first })!;
    expect(gap).toMatchObject({ otherKeys: 0, unexplained: 0 });
    expect(gapSentence(gap)).toBe(
      "Month $2.00 (this key, live) vs no completed UTC day of this month in /activity yet: today's $2.00 reaches /activity after UTC midnight.",
    );
  });
});

describe('thresholds', () => {
  const figures = (balance: number, today: number, month: number) => ({
    balance: { value: balance, scope: 'account' },
    today: { value: today, scope: 'this key' },
    month: { value: month, scope: 'this key' },
  });
  test('crossed thresholds say which and by how much', () => {
    const alerts = checkThresholds({ minBalance: 5, maxToday: 1, maxMonth: 100 }, figures(3.2, 1.5, 20));
    expect(alerts.map(alertSentence)).toEqual([
      'alert: the balance (account) $3.20 is below --min-balance $5.00 by $1.80',
      "alert: today's spend (this key) $1.50 is above --max-today $1.00 by $0.50",
    ]);
  });
  test('equal is not crossed; unset thresholds are not checked', () => {
    expect(checkThresholds({ minBalance: 5, maxToday: 1 }, figures(5, 1, 0))).toEqual([]);
    expect(
      checkThresholds(
        {},
        { balance: { missing: new CliError('config', 'x') }, today: { missing: new CliError('config', 'x') }, month: { missing: new CliError('config', 'x') } },
      ),
    ).toEqual([]);
  });
  test("a threshold without its figure is an error with that failure's exit code", () => {
    const missing: Figure = { missing: new CliError('http-status', '/credits: server error (HTTP 503) after 4 attempts', { endpoint: '/credits' }) };
    expect(() => checkThresholds({ minBalance: 5 }, { ...figures(0, 0, 0), balance: missing })).toThrow(
      '--min-balance needs the balance, which is unavailable: /credits: server error (HTTP 503) after 4 attempts',
    );
    let thrown: unknown;
    try {
      checkThresholds({ minBalance: 5 }, { ...figures(0, 0, 0), balance: missing });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(5);
  });
});

describe('table and sparkline', () => {
  test('aligns, and drops the least important columns to fit', () => {
    const columns = [
      { header: 'name', cells: ['alpha', 'b'], align: 'left' as const, priority: 99 },
      { header: 'spend', cells: ['$1.00', '$10.00'], align: 'right' as const, priority: 90 },
      { header: 'extra-wide-column', cells: ['x', 'y'], align: 'right' as const, priority: 1 },
    ];
    expect(fitTable(columns).lines).toEqual(['name    spend  extra-wide-column', 'alpha   $1.00                  x', 'b      $10.00                  y']);
    expect(fitTable(columns, 20).lines).toEqual(['name    spend', 'alpha   $1.00', 'b      $10.00']);
    expect(
      fitTable(
        [
          { ...columns[0]!, cells: ['a-very-long-model-name'] },
          { ...columns[1]!, cells: ['$1.00'] },
        ],
        20,
      ).lines[1],
    ).toBe('a-very-long-…  $1.00');
  });
  test('sparkline: zero days are the lowest bar, any spend shows', () => {
    expect(sparkline([0, 1, 8, 0.001])).toBe('▁▂█▂');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });
});

describe("end of the UTC day on the process's own clock (the entry's io.utcOffset, no Intl)", () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  test.each([
    ['UTC', '00:00 UTC (in 9 h 0 min)'],
    ['Europe/Berlin', '01:00 UTC+1 (in 9 h 0 min)'],
    ['Asia/Kolkata', '05:30 UTC+5:30 (in 9 h 0 min)'],
    ['America/Los_Angeles', '17:00 UTC-7 (in 9 h 0 min)'],
  ])('TZ=%s', (zone, expected) => {
    process.env.TZ = zone;
    expect(describeUtcDayEnd(now, (at) => -at.getTimezoneOffset())).toBe(expected);
  });
});
