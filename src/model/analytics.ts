import type { AnalyticsAnswers, AnalyticsRow } from '../api/analytics.js';
import { addDays, DAY_MS, daysBetween, utcDay } from '../base/time.js';
import { cleanSum } from '../base/money.js';
import {
  bucketsOf,
  empty,
  finish,
  sumGroups,
  monthOf,
  trendOf,
  weekOf,
  type Accumulator,
  type Breakdown,
  type DailyItem,
  type GroupItem,
  type Totals,
} from './breakdown.js';

/*
 * The analytics answers turned into the report's figures: the breakdown (today included, live),
 * the account's Today / Week / Month (every key, deleted ones too), and the month's pace.
 */

const ENDPOINT = '/analytics/query';
const UNKNOWN = 'unknown';

/** What an analytics row adds to its group. */
const analyticsAmounts = (row: AnalyticsRow): Accumulator => ({
  usage: row.credits,
  byokUsage: row.byok,
  requests: row.requests,
  promptTokens: row.promptTokens,
  completionTokens: row.completionTokens,
  reasoningTokens: row.reasoningTokens,
});

/** Rows summed per name (see sumGroups: the same rule as /activity's groups). */
function groupBy(rows: readonly AnalyticsRow[], nameOf: (row: AnalyticsRow) => string): [string, Totals][] {
  return sumGroups(rows, nameOf, analyticsAmounts, ENDPOINT);
}

const dim = (row: AnalyticsRow, name: string): string => row.dims[name] ?? UNKNOWN;

/** The UTC day of a bucket's start. */
const dayOf = (row: AnalyticsRow): string => (row.time ?? '').slice(0, 10);

/**
 * The analytics API names a model by its versioned slug (`openai/gpt-4.1-2025-04-14`); /activity's
 * rows carry both, so the slugs it knows are named as /activity names them (`openai/gpt-4.1`), and a
 * model reads the same whichever source a report used. Slugs older than /activity's 30 days stay.
 */
export function modelNames(rows: readonly { model: string; model_permaslug?: string | null | undefined }[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const row of rows) if (row.model_permaslug) names.set(row.model_permaslug, row.model);
  return names;
}

export function analyticsBreakdown(answers: AnalyticsAnswers, by: string, names: ReadonlyMap<string, string> = new Map()): Breakdown {
  const { plan } = answers;
  const modelOf = (row: AnalyticsRow): string => {
    const slug = dim(row, 'model');
    return names.get(slug) ?? slug;
  };
  const days = daysBetween(plan.from, plan.to) + 1;
  const perDay = new Map(groupBy(answers.series, dayOf));
  const daily: DailyItem[] = [];
  for (let day = plan.from; day <= plan.to; day = addDays(day, 1)) {
    const totals = perDay.get(day);
    daily.push({ date: day, usage: totals?.usage ?? 0, requests: totals?.requests ?? 0 });
  }
  const breakdown: Breakdown = {
    days,
    from: plan.from,
    to: plan.to,
    scope: 'account',
    models: groupBy(answers.models, modelOf).map(([model, totals]) => ({ model, ...totals })),
    providers: plan.providers ? groupBy(answers.models, (row) => dim(row, 'provider')).map(([provider, totals]) => ({ provider, ...totals })) : [],
    daily,
    trend: trendOf(daily),
    source: 'analytics',
    providersKnown: plan.providers,
  };
  if ((by === 'key' || by === 'workspace') && answers.groups) {
    const field = plan.group ?? 'api_key_id';
    breakdown.groups = { by, items: groupBy(answers.groups, (row) => dim(row, field)).map(([name, totals]) => ({ name, ...totals })) };
  } else if (by === 'week' || by === 'month') {
    const keyOf = by === 'week' ? weekOf : monthOf;
    const sums = new Map(groupBy(answers.series, (row) => keyOf(dayOf(row))));
    breakdown.groups = { by, items: bucketsOf(by, plan.from, plan.to).map((name) => ({ name, ...(sums.get(name) ?? finish(name, empty(), ENDPOINT)) })) };
  } else if (by === 'hour') {
    breakdown.groups = { by, items: hourItems(answers) };
  }
  return breakdown;
}

/** Every hour of the window up to the current one, oldest first, labelled `YYYY-MM-DD HH:00`. */
function hourItems(answers: AnalyticsAnswers): GroupItem[] {
  const { plan } = answers;
  const label = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
  const sums = new Map(groupBy(answers.series, (row) => label(row.time ?? '')));
  const end = Math.min(Date.parse(`${addDays(plan.to, 1)}T00:00:00Z`), Date.parse(plan.asOf));
  const items: GroupItem[] = [];
  for (let t = Date.parse(`${plan.from}T00:00:00Z`); t < end; t += 3_600_000) {
    const name = label(new Date(t).toISOString());
    items.push({ name, ...(sums.get(name) ?? finish(name, empty(), ENDPOINT)) });
  }
  return items;
}

export interface Periods {
  today: number;
  week: number;
  month: number;
}

/** The account's credit and BYOK spend over the UTC day, week (from Monday) and month so far: every workspace, every key. */
export function analyticsAccount(answers: AnalyticsAnswers): { usage: Periods; byokUsage: Periods } {
  const now = new Date(answers.plan.asOf);
  const today = utcDay(now);
  const week = weekOf(today);
  const month = `${monthOf(today)}-01`;
  const usage = { today: 0, week: 0, month: 0 };
  const byokUsage = { today: 0, week: 0, month: 0 };
  for (const row of answers.account) {
    const day = dayOf(row);
    if (day > today) continue;
    if (day === today) {
      usage.today += row.credits;
      byokUsage.today += row.byok;
    }
    if (day >= week) {
      usage.week += row.credits;
      byokUsage.week += row.byok;
    }
    if (day >= month) {
      usage.month += row.credits;
      byokUsage.month += row.byok;
    }
  }
  const clean = (p: Periods): Periods => ({ today: cleanSum(p.today), week: cleanSum(p.week), month: cleanSum(p.month) });
  return { usage: clean(usage), byokUsage: clean(byokUsage) };
}

/** Completed days the pace averages over. */
export const PACE_DAYS = 7;

export interface Forecast {
  /** Credit spend this UTC month so far, today included. */
  monthToDate: number;
  /** Average credit spend a day over the PACE_DAYS completed UTC days before today. */
  dailyAverage: number;
  /** monthToDate plus dailyAverage for the rest of the month (today's remaining hours included). */
  projectedMonth: number;
  basis: { source: 'analytics'; averageDays: number; daysLeft: number };
}

/** Where the month ends at the recent pace: the month so far plus the 7-day average for the time left. */
export function forecastOf(answers: AnalyticsAnswers, monthToDate: number): Forecast {
  const now = new Date(answers.plan.asOf);
  const today = utcDay(now);
  const first = addDays(today, -PACE_DAYS);
  let sum = 0;
  for (const row of answers.account) {
    const day = dayOf(row);
    if (day >= first && day < today) sum += row.credits;
  }
  const dailyAverage = cleanSum(sum / PACE_DAYS);
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  // To a hundredth of a day (about 15 minutes): the figure the projection uses is the one it shows.
  const daysLeft = Math.round(Math.max(0, (monthEnd - now.getTime()) / DAY_MS) * 100) / 100;
  return {
    monthToDate,
    dailyAverage,
    projectedMonth: cleanSum(monthToDate + dailyAverage * daysLeft),
    basis: { source: 'analytics', averageDays: PACE_DAYS, daysLeft },
  };
}

/** The first UTC day the account query must cover: this month, this week and the pace's days. */
export function accountFrom(now: Date): string {
  const today = utcDay(now);
  return [`${monthOf(today)}-01`, weekOf(today), addDays(today, -PACE_DAYS)].sort()[0]!;
}
