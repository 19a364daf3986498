import type { KeysReport } from '../model/keys-report.js';
import type { Report } from '../model/report.js';
import { alertSentence, crossCheckSentence, gapSentence } from './sentences.js';

/**
 * The --json documents: a contract for scripts (README, "JSON output"). These types are the
 * contract, written out on their own, and mapped from the report model, so the model can change
 * without breaking schemaVersion 1. Add fields, never rename or remove one, without raising
 * schemaVersion. Money is USD rounded to 1e-9 (no float noise such as 2.3200000000000003, no real
 * digit lost: the API sends at most a few decimals); ratios (usdPerMillionTokens) to 4 decimals.
 */

/** A dollar amount without binary noise: nine decimals, or 15 significant digits where nine would overflow. */
export function money(value: number): number {
  if (Math.abs(value) >= 1e6) return Number(value.toPrecision(15));
  return Math.round(value * 1e9) / 1e9 || 0;
}

const moneyOrNull = (value: number | null): number | null => (value === null ? null : money(value));

/** A ratio such as dollars per million tokens: four decimals are more than anyone prices by. */
export function ratio(value: number): number {
  if (Math.abs(value) >= 1e10) return Number(value.toPrecision(15));
  return Math.round(value * 1e4) / 1e4 || 0;
}

export interface JsonPeriods {
  today: number;
  week: number;
  month: number;
}

export interface JsonTotals extends JsonPeriods {
  total: number;
}

export interface JsonKey {
  label: string | null;
  isManagementKey: boolean;
  isFreeTier: boolean;
  usage: JsonTotals | null;
  byokUsage: JsonTotals | null;
  limit: number | null;
  limitRemaining: number | null;
  limitReset: string | null;
  includeByokInLimit: boolean;
  /** When the key stops working (ISO date-time); null when it never does. */
  expiresAt: string | null;
  /** Today's allowance of free-model requests (UTC day); null when /key does not give it. */
  freeModelRequests: { limit: number; remaining: number } | null;
}

export interface JsonGroupTotals {
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  usdPerMillionTokens: number | null;
}

export type JsonRunway =
  | { basis: 'credits'; dailyAverage: number; averageDays: number; days: number; until: string }
  | { basis: 'key-limit'; dailyAverage: number; runsOutOn: string | null; resetsOn: string | null; runsOutBeforeReset: boolean };

export interface JsonWorkspaceRef {
  id: string;
  name: string;
}

export interface JsonWarning {
  source: string;
  message: string;
}

export interface JsonDocument {
  schemaVersion: 1;
  generatedAt: string;
  fetchedAt: string;
  demo: boolean;
  key: JsonKey;
  /**
   * The account's live spend: from the analytics API (`source: "analytics"`: every key of every
   * workspace, deleted ones too), else the sum of every key's live counters (/keys, every workspace);
   * null without a management key or when both failed.
   */
  account: {
    usage: JsonPeriods;
    byokUsage: JsonPeriods;
    keys: number;
    disabledKeys: number;
    /** `account` (every workspace), `default-workspace` (no /workspaces: the default one's keys only) or `workspace` (--workspace). */
    coverage: 'account' | 'default-workspace' | 'workspace';
    /** The --workspace the totals are limited to. */
    workspace: JsonWorkspaceRef | null;
    /** Each workspace's share of the totals; null when /workspaces gave no list or --workspace chose one. */
    workspaces: (JsonWorkspaceRef & { usage: JsonPeriods; byokUsage: JsonPeriods; keys: number; disabledKeys: number })[] | null;
    source: 'analytics' | 'keys';
    /** With analytics: the /keys sum beside it (null otherwise, or when /keys failed). */
    listedKeys: JsonPeriods | null;
    /** With analytics, when the month differs from the /keys sum by more than a cent: by how much and why. */
    crossCheck: { difference: number; message: string } | null;
  } | null;
  credits: { total: number; used: number; remaining: number } | null;
  models: {
    days: number;
    from: string;
    to: string;
    scope: 'account' | 'key';
    /** `analytics`: today included, live; `activity`: completed UTC days only. */
    source: 'analytics' | 'activity';
    /** The --workspace the breakdown is limited to. */
    workspace: JsonWorkspaceRef | null;
    items: ({ model: string } & JsonGroupTotals)[];
  } | null;
  /** Null also when the window reaches past the 31 days analytics keeps providers for. */
  providers: ({ provider: string } & JsonGroupTotals)[] | null;
  /** The window summed per workspace (`--by workspace`); null otherwise or with `models`. */
  workspaces: ({ workspace: JsonWorkspaceRef } & JsonGroupTotals)[] | null;
  /** --by key, workspace, week, month or hour: that grouping (time buckets oldest first); null otherwise. */
  groups: { by: string; items: ({ name: string } & JsonGroupTotals)[] } | null;
  /** The month-end projection (analytics only). */
  forecast: {
    monthToDate: number;
    dailyAverage: number;
    projectedMonth: number;
    basis: { source: 'analytics'; averageDays: number; daysLeft: number };
  } | null;
  /** Whether the analytics API served the report, and why not. */
  analytics: { status: 'used' | 'unavailable' | 'failed' | 'needs-management-key' | 'not-asked'; reason: string | null };
  daily: { date: string; usage: number; requests: number }[] | null;
  trend: { min: number; max: number; average: number } | null;
  runway: JsonRunway | null;
  discrepancy: {
    month: number;
    monthScope: 'key' | 'account';
    breakdownMonth: number;
    /** The days breakdownMonth covers: this month's completed UTC days in /activity, whatever --days is; `to` null on the 1st. */
    from: string;
    to: string | null;
    breakdownScope: 'key' | 'account';
    gap: number;
    today: number;
    otherKeys: number | null;
    unexplained: number;
    /** With --workspace: the workspace both sides are limited to. */
    workspace?: string;
    message: string;
  } | null;
  utcDayEndsAt: string;
  alerts: { threshold: string; limit: number; actual: number; by: number; message: string }[];
  warnings: JsonWarning[];
}

const totals = (t: JsonTotals): JsonTotals => ({ today: money(t.today), week: money(t.week), month: money(t.month), total: money(t.total) });
const periods = (t: JsonPeriods): JsonPeriods => ({ today: money(t.today), week: money(t.week), month: money(t.month) });
const ref = (w: JsonWorkspaceRef): JsonWorkspaceRef => ({ id: w.id, name: w.name });

function groupTotals(t: JsonGroupTotals): JsonGroupTotals {
  return {
    usage: money(t.usage),
    byokUsage: money(t.byokUsage),
    requests: t.requests,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    reasoningTokens: t.reasoningTokens,
    usdPerMillionTokens: t.usdPerMillionTokens === null ? null : ratio(t.usdPerMillionTokens),
  };
}

function runwayOf(runway: Report['runway']): JsonRunway | null {
  if (!runway) return null;
  return { ...runway, dailyAverage: money(runway.dailyAverage) };
}

export function toJsonDocument(report: Report): JsonDocument {
  const breakdown = report.breakdown.status === 'ok' ? report.breakdown.value : null;
  const { key, account, credits, discrepancy } = report;
  return {
    schemaVersion: 1,
    generatedAt: report.generatedAt,
    fetchedAt: report.fetchedAt,
    demo: report.demo,
    key: {
      label: key.label,
      isManagementKey: key.isManagementKey,
      isFreeTier: key.isFreeTier,
      usage: key.usage && totals(key.usage),
      byokUsage: key.byokUsage && totals(key.byokUsage),
      limit: moneyOrNull(key.limit),
      limitRemaining: moneyOrNull(key.limitRemaining),
      limitReset: key.limitReset,
      includeByokInLimit: key.includeByokInLimit,
      expiresAt: key.expiresAt,
      freeModelRequests: key.freeModelRequests && { limit: key.freeModelRequests.limit, remaining: key.freeModelRequests.remaining },
    },
    account:
      account.status === 'ok'
        ? {
            usage: periods(account.value.usage),
            byokUsage: periods(account.value.byokUsage),
            keys: account.value.keys,
            disabledKeys: account.value.disabledKeys,
            coverage: account.value.coverage,
            workspace: account.value.workspace && ref(account.value.workspace),
            workspaces:
              account.value.workspaces &&
              account.value.workspaces.map((w) => ({
                ...ref(w),
                usage: periods(w.usage),
                byokUsage: periods(w.byokUsage),
                keys: w.keys,
                disabledKeys: w.disabledKeys,
              })),
            source: account.value.source ?? 'keys',
            listedKeys: account.value.listedKeys ? periods(account.value.listedKeys) : null,
            crossCheck: crossCheckOf(account.value),
          }
        : null,
    credits: credits.status === 'ok' ? { total: money(credits.value.total), used: money(credits.value.used), remaining: money(credits.value.remaining) } : null,
    models: breakdown && {
      days: breakdown.days,
      from: breakdown.from,
      to: breakdown.to,
      scope: breakdown.scope,
      source: breakdown.source ?? 'activity',
      workspace: breakdown.workspace ? ref(breakdown.workspace) : null,
      items: breakdown.models.map((m) => ({ model: m.model, ...groupTotals(m) })),
    },
    providers: breakdown && breakdown.providersKnown !== false ? breakdown.providers.map((p) => ({ provider: p.provider, ...groupTotals(p) })) : null,
    workspaces: breakdown?.workspaces ? breakdown.workspaces.map((w) => ({ workspace: ref(w.workspace), ...groupTotals(w) })) : null,
    groups: breakdown?.groups ? { by: breakdown.groups.by, items: breakdown.groups.items.map((g) => ({ name: g.name, ...groupTotals(g) })) } : null,
    forecast: report.forecast && {
      ...report.forecast,
      monthToDate: money(report.forecast.monthToDate),
      dailyAverage: money(report.forecast.dailyAverage),
      projectedMonth: money(report.forecast.projectedMonth),
      basis: { ...report.forecast.basis },
    },
    analytics: { ...report.analytics },
    daily: breakdown && breakdown.daily.map((d) => ({ date: d.date, usage: money(d.usage), requests: d.requests })),
    trend: breakdown && { min: money(breakdown.trend.min), max: money(breakdown.trend.max), average: money(breakdown.trend.average) },
    runway: runwayOf(report.runway),
    discrepancy: discrepancy && {
      ...discrepancy,
      month: money(discrepancy.month),
      breakdownMonth: money(discrepancy.breakdownMonth),
      gap: money(discrepancy.gap),
      today: money(discrepancy.today),
      otherKeys: moneyOrNull(discrepancy.otherKeys),
      unexplained: money(discrepancy.unexplained),
      message: gapSentence(discrepancy),
    },
    utcDayEndsAt: report.utcDayEndsAt,
    alerts: report.alerts.map((a) => ({ threshold: a.threshold, limit: money(a.limit), actual: money(a.actual), by: money(a.by), message: alertSentence(a) })),
    warnings: report.warnings.map((w) => ({ source: w.source, message: w.message })),
  };
}

function crossCheckOf(account: Parameters<typeof crossCheckSentence>[0]): { difference: number; message: string } | null {
  const message = crossCheckSentence(account);
  if (!message || !account.listedKeys) return null;
  return { difference: Math.round((account.usage.month - account.listedKeys.month) * 1e9) / 1e9, message };
}

/** What `--json` prints instead of a report when the run fails; the exit code is the same. */
export interface JsonErrorDocument {
  schemaVersion: 1;
  error: {
    message: string;
    exitCode: number;
    /** `key`, `keys`, `credits` or `activity` when an endpoint failed; else `usage`, `config`, `api`, `network`, `interrupted` or `internal`. */
    source: string;
    /** The HTTP status, when the server answered. */
    status?: number;
  };
}

export interface JsonKeysDocument {
  schemaVersion: 1;
  generatedAt: string;
  demo: boolean;
  includeDisabled: boolean;
  keys: {
    hash: string;
    name: string | null;
    label: string | null;
    disabled: boolean;
    usage: JsonTotals;
    byokUsage: JsonTotals | null;
    limit: number | null;
    limitRemaining: number | null;
    limitReset: string | null;
    /** Where the key lives; null when the account has no /workspaces. */
    workspace: JsonWorkspaceRef | null;
  }[];
  totals: { keys: number; usage: JsonTotals };
  /** The --workspace the listing is limited to. */
  workspace: JsonWorkspaceRef | null;
  /** The listed keys summed per workspace; null when the account has no /workspaces. */
  workspaces: (JsonWorkspaceRef & { keys: number; usage: JsonTotals })[] | null;
  warnings: JsonWarning[];
}

export function toJsonKeysDocument(report: KeysReport): JsonKeysDocument {
  return {
    schemaVersion: 1,
    generatedAt: report.generatedAt,
    demo: report.demo,
    includeDisabled: report.includeDisabled,
    keys: report.keys.map((k) => ({
      hash: k.hash,
      name: k.name,
      label: k.label,
      disabled: k.disabled,
      usage: totals(k.usage),
      byokUsage: k.byokUsage && totals(k.byokUsage),
      limit: moneyOrNull(k.limit),
      limitRemaining: moneyOrNull(k.limitRemaining),
      limitReset: k.limitReset,
      workspace: k.workspace && ref(k.workspace),
    })),
    totals: { keys: report.totals.keys, usage: totals(report.totals.usage) },
    workspace: report.workspace && ref(report.workspace),
    workspaces: report.workspaces && report.workspaces.map((w) => ({ ...ref(w), keys: w.keys, usage: totals(w.usage) })),
    warnings: report.warnings.map((w) => ({ source: w.source, message: w.message })),
  };
}
