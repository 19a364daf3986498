import type { Scope } from '../base/options.js';
import type { ActivityRow } from '../api/schemas.js';
import { addDays } from '../base/time.js';
import { CliError } from '../base/errors.js';
import { cleanSum } from '../base/money.js';

/** Spend, requests and tokens of one group of /activity rows (a model, a provider or a day). */
export interface Totals {
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  /** Includes reasoningTokens, as in OpenRouter's usage objects: never add the two. */
  completionTokens: number;
  reasoningTokens: number;
  /** Credit spend per million prompt + completion tokens; null when there were no tokens. */
  usdPerMillionTokens: number | null;
}

export type ModelItem = { model: string } & Totals;
export type ProviderItem = { provider: string } & Totals;
export interface DailyItem {
  date: string;
  usage: number;
  requests: number;
}

/** One entry of a grouping by key, workspace or time bucket (`name` is the bucket's label then). */
export type GroupItem = { name: string } & Totals;
export type ExtraGrouping = 'key' | 'workspace' | 'week' | 'month' | 'hour';

export interface Breakdown {
  days: number;
  from: string;
  to: string;
  /** Whose activity: the whole account, or only the API key in use (`--scope key`). */
  scope: Scope;
  models: ModelItem[];
  providers: ProviderItem[];
  daily: DailyItem[];
  trend: { min: number; max: number; average: number };
  /** Where the figures come from: /activity (completed days; the default) or the analytics API (today included, live). */
  source?: 'activity' | 'analytics';
  /** False when the window reaches past the 31 days analytics keeps providers for: `providers` is then unknown, not empty. */
  providersKnown?: boolean;
  /** The grouping --by asked for beyond models, providers and days. Time buckets oldest first, every bucket of the window. */
  groups?: { by: ExtraGrouping; items: GroupItem[] };
}

export type Accumulator = Omit<Totals, 'usdPerMillionTokens'>;

export const empty = (): Accumulator => ({ usage: 0, byokUsage: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 });

/**
 * Rows summed per group: `keyOf` names a row's group (undefined leaves the row out), `amounts` reads
 * what it adds. Highest spend first; ties by requests, then name. One rule for every source's rows.
 */
export function sumGroups<R>(
  rows: readonly R[],
  keyOf: (row: R) => string | undefined,
  amounts: (row: R) => Accumulator,
  endpoint = '/activity',
): [string, Totals][] {
  const groups = new Map<string, Accumulator>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === undefined) continue;
    const group = groups.get(key) ?? empty();
    groups.set(key, group);
    const add = amounts(row);
    group.usage += add.usage;
    group.byokUsage += add.byokUsage;
    group.requests += add.requests;
    group.promptTokens += add.promptTokens;
    group.completionTokens += add.completionTokens;
    group.reasoningTokens += add.reasoningTokens;
  }
  const out: [string, Totals][] = [...groups].map(([key, group]) => [key, finish(key, group, endpoint)]);
  return out.sort(([ka, a], [kb, b]) => b.usage - a.usage || b.requests - a.requests || ka.localeCompare(kb));
}

/** What an /activity row adds to its group. */
const activityAmounts = (row: ActivityRow): Accumulator => ({
  usage: row.usage,
  byokUsage: row.byok_usage_inference ?? 0,
  requests: row.requests,
  promptTokens: row.prompt_tokens ?? 0,
  completionTokens: row.completion_tokens ?? 0,
  reasoningTokens: row.reasoning_tokens ?? 0,
});

/**
 * Sums /activity rows per group over [from, to]. /activity has a row per (day, provider endpoint),
 * so one model appears many times.
 */
export function groupRows(rows: readonly ActivityRow[], from: string, to: string, keyOf: (row: ActivityRow) => string): [string, Totals][] {
  return sumGroups(
    rows,
    (row) => {
      const day = row.date.slice(0, 10);
      return day < from || day > to ? undefined : keyOf(row);
    },
    activityAmounts,
  );
}

export function finish(key: string, group: Accumulator, endpoint = '/activity'): Totals {
  const usage = cleanSum(group.usage);
  const tokens = group.promptTokens + group.completionTokens;
  // Each figure is finite, but enough absurd ones add up to Infinity; that is no answer to print.
  if (![usage, group.byokUsage, group.requests, tokens, group.reasoningTokens].every(Number.isFinite)) {
    throw new CliError('invalid-response', `${endpoint}: invalid response: the amounts for ${key} are too large to add up`, { endpoint });
  }
  return { ...group, usage, byokUsage: cleanSum(group.byokUsage), usdPerMillionTokens: tokens > 0 ? cleanSum((usage / tokens) * 1e6) : null };
}

/** Weeks start on Monday (UTC), as OpenRouter's weekly counters do. */
export function weekOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** Every week (Monday) or month (YYYY-MM) a window touches, oldest first. */
export function bucketsOf(by: 'week' | 'month', from: string, to: string): string[] {
  const out: string[] = [];
  if (by === 'week') {
    for (let week = weekOf(from); week <= to; week = addDays(week, 7)) out.push(week);
  } else {
    for (let month = monthOf(from); month <= monthOf(to); month = monthOf(addDays(`${month}-28`, 5))) out.push(month);
  }
  return out;
}

/** /activity rows summed per week or month of the window, every bucket listed (a bucket without rows spent nothing). */
export function timeGroups(rows: readonly ActivityRow[], by: 'week' | 'month', from: string, to: string): GroupItem[] {
  const keyOf = by === 'week' ? weekOf : monthOf;
  const sums = new Map(groupRows(rows, from, to, (row) => keyOf(row.date.slice(0, 10))));
  return bucketsOf(by, from, to).map((name) => ({ name, ...(sums.get(name) ?? finish(name, empty())) }));
}

export function aggregateModels(rows: readonly ActivityRow[], from: string, to: string): ModelItem[] {
  return groupRows(rows, from, to, (row) => row.model).map(([model, totals]) => ({ model, ...totals }));
}

export function aggregateProviders(rows: readonly ActivityRow[], from: string, to: string): ProviderItem[] {
  return groupRows(rows, from, to, (row) => row.provider_name?.trim() || 'unknown').map(([provider, totals]) => ({ provider, ...totals }));
}

/** One entry per day of the window, oldest first; a day without rows spent nothing. */
export function dailySeries(rows: readonly ActivityRow[], from: string, to: string): DailyItem[] {
  const byDay = new Map(groupRows(rows, from, to, (row) => row.date.slice(0, 10)));
  const out: DailyItem[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const totals = byDay.get(day);
    out.push({ date: day, usage: totals?.usage ?? 0, requests: totals?.requests ?? 0 });
  }
  return out;
}

export function trendOf(daily: readonly DailyItem[]): Breakdown['trend'] {
  const usages = daily.map((d) => d.usage);
  if (usages.length === 0) return { min: 0, max: 0, average: 0 };
  return { min: Math.min(...usages), max: Math.max(...usages), average: cleanSum(usages.reduce((a, b) => a + b, 0) / usages.length) };
}

export function buildBreakdown(rows: readonly ActivityRow[], window: { days: number; from: string; to: string }, scope: Breakdown['scope']): Breakdown {
  const daily = dailySeries(rows, window.from, window.to);
  return {
    ...window,
    scope,
    models: aggregateModels(rows, window.from, window.to),
    providers: aggregateProviders(rows, window.from, window.to),
    daily,
    trend: trendOf(daily),
  };
}

/** Credit spend of the completed UTC days of `today`'s month, from all rows /activity returned. */
export function monthToDateFromRows(rows: readonly ActivityRow[], today: string): number {
  const monthStart = `${today.slice(0, 7)}-01`;
  let sum = 0;
  for (const row of rows) {
    const day = row.date.slice(0, 10);
    if (day >= monthStart && day < today) sum += row.usage;
  }
  return cleanSum(sum);
}

/** What --top left out, summed: the one row every format shows for it (`12 more models`). */
export interface RestRow {
  count: number;
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  usdPerMillionTokens: number | null;
}

type Summable = {
  usage: number;
  requests: number;
  byokUsage?: number | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  reasoningTokens?: number | undefined;
};

/** The first `top` rows (all with 0), and the rest summed into one row; undefined when nothing is left out. */
export function topAndRest<T extends Summable>(rows: readonly T[], top: number): { shown: T[]; rest: RestRow | undefined } {
  const shown = top === 0 ? [...rows] : rows.slice(0, top);
  const left = rows.slice(shown.length);
  if (left.length === 0) return { shown, rest: undefined };
  const sum = (pick: (row: T) => number | undefined) => cleanSum(left.reduce((total, row) => total + (pick(row) ?? 0), 0));
  const usage = sum((r) => r.usage);
  const tokens = sum((r) => r.promptTokens) + sum((r) => r.completionTokens);
  return {
    shown,
    rest: {
      count: left.length,
      usage,
      byokUsage: sum((r) => r.byokUsage),
      requests: sum((r) => r.requests),
      promptTokens: sum((r) => r.promptTokens),
      completionTokens: sum((r) => r.completionTokens),
      reasoningTokens: sum((r) => r.reasoningTokens),
      usdPerMillionTokens: tokens > 0 ? cleanSum((usage / tokens) * 1e6) : null,
    },
  };
}
