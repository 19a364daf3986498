import { activitySchema, creditsSchema, keyListSchema, keySchema } from '../api/schemas.js';
import { parseBody } from '../api/parse-body.js';
import { addDays, daysBetween, utcDay } from '../base/time.js';
import type { Responses } from '../model/report.js';
import { SAMPLE_TODAY, sampleActivity, sampleCredits, sampleKey, sampleKeyList } from './demo-sample.js';

/** How the demo account's completed-day spend is split between its two active keys. */
const LAPTOP_SHARE = 0.6;

/**
 * The demo's answers, as text through the same parser as live bodies. Activity dates move to the
 * real today, and the keys' week and month counters are derived from those days (plus today's
 * live spend), so the demo's figures agree with each other on any date, as real ones do.
 */
export function demoResponses(now: Date): Responses {
  const today = utcDay(now);
  const shift = daysBetween(SAMPLE_TODAY, today);
  const rows = sampleActivity.data.map((row) => ({ ...row, date: addDays(row.date, shift) }));

  const monday = addDays(today, -((now.getUTCDay() + 6) % 7));
  const spentSince = (from: string) => rows.filter((r) => r.date >= from && r.date < today).reduce((sum, r) => sum + r.usage, 0);
  const week = spentSince(monday);
  const month = spentSince(`${today.slice(0, 7)}-01`);

  const [laptop, ci, old] = sampleKeyList.data;
  const counters = (share: number, daily: number) => ({
    usage_daily: daily,
    usage_weekly: round(week * share + daily),
    usage_monthly: round(month * share + daily),
  });
  const laptopCounters = counters(LAPTOP_SHARE, laptop!.usage_daily);
  const keyList = { data: [{ ...laptop, ...laptopCounters }, { ...ci, ...counters(1 - LAPTOP_SHARE, ci!.usage_daily) }, old] };
  const key = { data: { ...sampleKey.data, ...laptopCounters } };

  return {
    key: parse('/key', key, keySchema).data,
    credits: { status: 'ok', value: parse('/credits', sampleCredits, creditsSchema).data },
    activity: { status: 'ok', value: parse('/activity', { data: rows }, activitySchema).data },
    keys: { status: 'ok', value: parse('/keys', keyList, keyListSchema).data },
  };
}

function parse<T>(endpoint: string, body: unknown, schema: Parameters<typeof parseBody<T>>[3]): T {
  return parseBody(endpoint, JSON.stringify(body), 'application/json', schema);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
