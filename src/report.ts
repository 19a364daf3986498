import type { ActivityRow, CreditsData, KeyData } from './api/schemas.js';
import { completedDaysWindow } from './dates.js';
import { CliError } from './errors.js';
import { cleanSum } from './format.js';

export interface Totals {
  today: number;
  week: number;
  month: number;
  total: number;
}

export interface ModelItem {
  model: string;
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export interface Warning {
  source: 'config' | 'credits' | 'activity';
  message: string;
}

/** A part of the report that may be absent, and why: the text renderer explains each case in place. */
export type Section<T> = { status: 'ok'; value: T } | { status: 'needs-management-key' } | { status: 'failed'; message: string };

/** What came back from the API (or the demo), before any arithmetic. */
export interface Responses {
  key: KeyData;
  credits: Outcome<CreditsData>;
  activity: Outcome<ActivityRow[]>;
}

export type Outcome<T> = { status: 'ok'; value: T } | { status: 'needs-management-key' } | { status: 'failed'; error: CliError };

export interface Report {
  demo: boolean;
  generatedAt: string;
  key: {
    label: string | null;
    isManagementKey: boolean;
    isFreeTier: boolean;
    /** Null for a management key: its own counters are not anybody's spend. */
    usage: Totals | null;
    byokUsage: Totals | null;
    limit: number | null;
    limitRemaining: number | null;
    limitReset: string | null;
  };
  credits: Section<{ total: number; used: number; remaining: number }>;
  models: Section<{ days: number; from: string; to: string; items: ModelItem[] }>;
  warnings: Warning[];
}

export interface ReportOptions {
  days: number;
  now: Date;
  demo: boolean;
  configWarnings: string[];
}

export function isManagementKey(key: KeyData): boolean {
  return key.is_management_key === true || key.is_provisioning_key === true;
}

export function buildReport(responses: Responses, options: ReportOptions): Report {
  const { key } = responses;
  const management = isManagementKey(key);
  const warnings: Warning[] = options.configWarnings.map((message) => ({ source: 'config', message }));

  const credits = section(responses.credits, 'credits', warnings, (data) => ({
    total: data.total_credits,
    used: data.total_usage,
    remaining: cleanSum(data.total_credits - data.total_usage),
  }));
  const window = completedDaysWindow(options.now, options.days);
  const models = section(responses.activity, 'activity', warnings, (rows) => ({
    days: options.days,
    ...window,
    items: aggregateModels(rows, window.from, window.to),
  }));

  return {
    demo: options.demo,
    generatedAt: options.now.toISOString(),
    key: {
      label: key.label ?? null,
      isManagementKey: management,
      isFreeTier: key.is_free_tier === true,
      usage: management ? null : { today: key.usage_daily, week: key.usage_weekly, month: key.usage_monthly, total: key.usage },
      byokUsage: management ? null : byokTotals(key),
      limit: key.limit ?? null,
      limitRemaining: key.limit_remaining ?? null,
      limitReset: key.limit_reset ?? null,
    },
    credits,
    models,
    warnings,
  };
}

/** BYOK counters are optional in the API; without all four there is no honest total to give. */
function byokTotals(key: KeyData): Totals | null {
  const { byok_usage: total, byok_usage_daily: today, byok_usage_weekly: week, byok_usage_monthly: month } = key;
  if (total == null || today == null || week == null || month == null) return null;
  return { today, week, month, total };
}

function section<T, U>(outcome: Outcome<T>, source: Warning['source'], warnings: Warning[], map: (value: T) => U): Section<U> {
  if (outcome.status === 'needs-management-key') return outcome;
  let error: CliError;
  if (outcome.status === 'ok') {
    try {
      return { status: 'ok', value: map(outcome.value) };
    } catch (thrown) {
      if (!(thrown instanceof CliError)) throw thrown;
      error = thrown;
    }
  } else {
    error = outcome.error;
  }
  warnings.push({ source, message: error.message });
  return { status: 'failed', message: error.message };
}

/**
 * One item per model over [from, to]: /activity has a row per (day, provider endpoint), so the
 * same model appears many times. Highest spend first; ties by requests, then name, for a stable order.
 */
export function aggregateModels(rows: readonly ActivityRow[], from: string, to: string): ModelItem[] {
  const byModel = new Map<string, ModelItem>();
  for (const row of rows) {
    const day = row.date.slice(0, 10);
    if (day < from || day > to) continue;
    let item = byModel.get(row.model);
    if (!item) {
      item = { model: row.model, usage: 0, byokUsage: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
      byModel.set(row.model, item);
    }
    item.usage += row.usage;
    item.byokUsage += row.byok_usage_inference ?? 0;
    item.requests += row.requests;
    item.promptTokens += row.prompt_tokens ?? 0;
    // Reasoning tokens are already part of completion tokens; they are reported, never added twice.
    item.completionTokens += row.completion_tokens ?? 0;
    item.reasoningTokens += row.reasoning_tokens ?? 0;
  }
  for (const item of byModel.values()) {
    item.usage = cleanSum(item.usage);
    item.byokUsage = cleanSum(item.byokUsage);
    // Each figure is finite, but enough absurd ones add up to Infinity; that is no answer to print.
    if (![item.usage, item.byokUsage, item.requests, item.promptTokens, item.completionTokens].every(Number.isFinite)) {
      throw new CliError('invalid-response', `/activity: invalid response: the amounts for ${item.model} are too large to add up`, { endpoint: '/activity' });
    }
  }
  return [...byModel.values()].sort((a, b) => b.usage - a.usage || b.requests - a.requests || a.model.localeCompare(b.model));
}

/** The part after the last `/`, as the original script printed, unless two models would then look alike. */
export function displayNames(models: readonly string[]): Map<string, string> {
  const short = (model: string): string => model.slice(model.lastIndexOf('/') + 1) || model;
  const counts = new Map<string, number>();
  for (const model of models) counts.set(short(model), (counts.get(short(model)) ?? 0) + 1);
  return new Map(models.map((model) => [model, (counts.get(short(model)) ?? 0) > 1 ? model : short(model)]));
}
