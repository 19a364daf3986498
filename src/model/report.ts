import type { Outcome, Responses, Warning } from '../api/answers.js';
import type { KeyData, KeyListItem, Workspace } from '../api/schemas.js';
import { addDays, nextUtcMidnight, utcDay } from '../base/time.js';
import { CliError, plainFailure, type Failure } from '../base/errors.js';
import { HALF_CENT, cleanSum, formatUsd, nonFiniteField } from '../base/money.js';
import { accountTotals, byokTotals, type AccountTotals } from './account.js';
import { analyticsAccount, analyticsBreakdown, forecastOf, modelNames, type Forecast } from './analytics.js';
import { activityWindow, type WindowRequest } from './window.js';
import { checkThresholds, type Alert, type Figure, type Thresholds } from './alerts.js';
import { buildBreakdown, monthToDateFromRows, timeGroups, type Breakdown } from './breakdown.js';
import { explainGap, type Discrepancy } from './discrepancy.js';
import { capRunway, creditsRunway, type Runway } from './runway.js';
import { sanitize } from '../safety/sanitize.js';
import type { Scope } from '../base/options.js';
import {
  aggregateWorkspaces,
  refOf,
  workspaceTotals,
  type WorkspaceItem,
  type WorkspaceRef,
  type WorkspacesAnswer,
  type WorkspaceTotals,
} from './workspaces.js';

export { aggregateModels, type ModelItem } from './breakdown.js';
export type { Outcome, Responses, Warning } from '../api/answers.js';
export type { Scope } from '../base/options.js';

export interface Totals {
  today: number;
  week: number;
  month: number;
  total: number;
}

/** What the account totals add up: every workspace's keys, the default workspace's only, or one chosen workspace's. */
export type Coverage = 'account' | 'default-workspace' | 'workspace';

export interface AccountSection extends AccountTotals {
  coverage: Coverage;
  /** The HTTP status /workspaces refused with, when coverage is `default-workspace`. */
  workspacesStatus: number | null;
  /** The --workspace the totals are limited to. */
  workspace: WorkspaceRef | null;
  /** Each workspace's share, when /workspaces listed them (and no --workspace narrowed them to one). */
  workspaces: WorkspaceTotals[] | null;
}

export interface Report {
  demo: boolean;
  generatedAt: string;
  /** When the answers were fetched; earlier than generatedAt when they came from the cache. */
  fetchedAt: string;
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
    /** Whether BYOK spend counts against `limit`, as the key is set up. */
    includeByokInLimit: boolean;
    /** When the key stops working (ISO), or null when it never does or /key did not say. */
    expiresAt: string | null;
    /** Today's allowance of requests to free models (UTC day), as /key gives it; null when absent. */
    freeModelRequests: { limit: number; remaining: number } | null;
  };
  account: Outcome<AccountSection>;
  credits: Outcome<Credits>;
  breakdown: Outcome<ReportBreakdown>;
  runway: Runway | null;
  discrepancy: Discrepancy | null;
  /** The month-end projection: analytics only (the month so far and its 7-day average), else null. */
  forecast: Forecast | null;
  /**
   * Whether the analytics API served this report: `used`; `unavailable` (403/404: the account has
   * none, no warning); `failed` (warned, /activity used); `needs-management-key`; `not-asked`
   * (--scope key, the demo, answers cached before analytics).
   */
  analytics: { status: 'used' | 'unavailable' | 'failed' | 'needs-management-key' | 'not-asked'; reason: string | null };
  /** End of the current UTC day, when Today rolls over. */
  utcDayEndsAt: string;
  alerts: Alert[];
  warnings: Warning[];
}

/** The breakdown, with its split per workspace (`--by workspace`) and the --workspace it is limited to. */
export type ReportBreakdown = Breakdown & { workspaces?: WorkspaceItem[]; workspace?: WorkspaceRef };

export interface Credits {
  total: number;
  used: number;
  remaining: number;
}

export interface ReportOptions {
  days: number;
  now: Date;
  demo: boolean;
  configWarnings: readonly Warning[];
  scope?: Scope;
  thresholds?: Thresholds;
  /** When the report is made, if not `now` (a report from cached answers is made later). */
  generatedAt?: Date;
  /** `--by workspace`: the /activity rows carry their workspace, and the breakdown sums them per workspace. */
  byWorkspace?: boolean | undefined;
  /** --days, --since, --until and --by: the breakdown's window. Absent: the last `days` completed days, by model. */
  window?: WindowRequest;
}

export function isManagementKey(key: KeyData): boolean {
  return key.is_management_key === true || key.is_provisioning_key === true;
}

export function buildReport(responses: Responses, options: ReportOptions): Report {
  return buildCheckedReport(responses, options).report;
}

/**
 * The report, and the failure to exit with when a threshold could not be checked for want of its
 * figure (a cron job must not read "no alert" when it could not look).
 */
export function buildCheckedReport(responses: Responses, options: ReportOptions): { report: Report; thresholdFailure: CliError | undefined } {
  const { key } = responses;
  const { now } = options;
  const management = isManagementKey(key);
  const warnings: Warning[] = [...options.configWarnings];

  const request: WindowRequest = options.window ?? { days: options.days, by: 'model' };
  const analytics = responses.analytics;
  const answers = analytics?.status === 'ok' ? analytics.value : undefined;
  const keyUsage: Totals | null = management ? null : { today: key.usage_daily, week: key.usage_weekly, month: key.usage_monthly, total: key.usage };
  const workspaces = responses.workspaces?.status === 'ok' ? responses.workspaces.value : undefined;
  let account = consistentAccount(
    section(responses.keys, 'keys', warnings, (keys) => accountSection(keys, workspaces, responses.workspace)),
    keyUsage,
    warnings,
  );
  if (responses.credits.status === 'needs-management-key' && responses.credits.note) warnings.push({ source: 'credits', message: responses.credits.note });
  const credits = section(responses.credits, 'credits', warnings, (data) => ({
    total: data.total_credits,
    used: data.total_usage,
    remaining: cleanSum(data.total_credits - data.total_usage),
  }));
  const scope = options.scope ?? 'account';
  let breakdown: Outcome<ReportBreakdown>;
  let forecast: Forecast | null = null;
  if (answers) {
    const names = modelNames(responses.activity.status === 'ok' ? responses.activity.value : []);
    breakdown = { status: 'ok', value: analyticsBreakdown(answers, request.by, names) };
    account = { status: 'ok', value: withAnalyticsTotals(answers, account) };
    forecast = forecastOf(answers, account.value.usage.month);
  } else {
    const window = activityWindow(now, request);
    if ('needs' in window) throw analyticsNeeded(window.needs, analytics, responses.workspace ? 'workspace' : scope);
    if (analytics?.status === 'failed') warnings.push({ source: 'analytics', message: `${analytics.error.message}; using /activity` });
    breakdown = section(responses.activity, 'activity', warnings, (rows) => {
      const b: ReportBreakdown = {
        ...buildBreakdown(rows, window, scope),
        ...(options.byWorkspace ? { workspaces: aggregateWorkspaces(rows, window.from, window.to, workspaces?.workspaces ?? []) } : {}),
        ...(responses.workspace ? { workspace: refOf(responses.workspace) } : {}),
      };
      if (request.by === 'week' || request.by === 'month') b.groups = { by: request.by, items: timeGroups(rows, request.by, window.from, window.to) };
      return b;
    });
  }
  const report: Report = {
    demo: options.demo,
    generatedAt: (options.generatedAt ?? now).toISOString(),
    fetchedAt: now.toISOString(),
    key: {
      label: key.label ?? null,
      isManagementKey: management,
      isFreeTier: key.is_free_tier === true,
      usage: keyUsage,
      byokUsage: management ? null : byokTotals(key),
      limit: key.limit ?? null,
      limitRemaining: key.limit_remaining ?? null,
      limitReset: key.limit_reset ?? null,
      includeByokInLimit: key.include_byok_in_limit === true,
      expiresAt: isoOrNull(key.expires_at),
      freeModelRequests: allowanceOf(key.free_model_daily_requests),
    },
    account,
    credits,
    breakdown,
    runway: null,
    discrepancy: null,
    forecast,
    analytics: analyticsStatus(analytics),
    utcDayEndsAt: nextUtcMidnight(now).toISOString(),
    alerts: [],
    warnings,
  };
  report.runway = runwayOf(report, now) ?? null;
  // With analytics the breakdown holds today and the account totals hold deleted keys: nothing to explain.
  if (!answers && responses.activity.status === 'ok' && breakdown.status === 'ok') {
    report.discrepancy = discrepancyOf(report, monthToDateFromRows(responses.activity.value, utcDay(now)), breakdown.value.scope, utcDay(now)) ?? null;
  }
  // Each part's sums were checked in `section`; what is left are figures made across parts.
  const overflow = nonFiniteField({
    key: report.key,
    runway: report.runway,
    discrepancy: report.discrepancy,
    // Analytics' sums are made here, not in a `section`.
    ...(answers ? { account: report.account.status === 'ok' ? report.account.value.usage : null, forecast: report.forecast } : {}),
  });
  if (overflow) {
    throw new CliError('invalid-response', `invalid response: ${overflow} is not a finite number (the amounts sent are too large to work with)`);
  }
  let thresholdFailure: CliError | undefined;
  try {
    report.alerts = checkThresholds(options.thresholds ?? {}, thresholdFigures(report, responses));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    thresholdFailure = error;
  }
  return { report, thresholdFailure };
}

function accountSection(keys: readonly KeyListItem[], answer: WorkspacesAnswer | undefined, selected: Workspace | undefined): AccountSection {
  const totals = accountTotals(keys);
  if (selected) return { ...totals, coverage: 'workspace', workspacesStatus: null, workspace: refOf(selected), workspaces: null };
  if (answer && !answer.supported)
    return { ...totals, coverage: 'default-workspace', workspacesStatus: answer.status ?? null, workspace: null, workspaces: null };
  return { ...totals, coverage: 'account', workspacesStatus: null, workspace: null, workspaces: answer ? workspaceTotals(keys, answer.workspaces) : null };
}

/** A date-time /key sent, or null for anything that is not one (the field is not checked by the schema). */
function isoOrNull(value: unknown): string | null {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `free_model_daily_requests` as two whole numbers, or null for anything else. */
function allowanceOf(value: unknown): { limit: number; remaining: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { limit, remaining } = value as { limit?: unknown; remaining?: unknown };
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  return count(limit) && count(remaining) ? { limit, remaining } : null;
}

/** The live totals the report leads with: the account's when /keys gave them, else this key's. */
export function primaryTotals(report: Report): { today: number; week: number; month: number; scope: Scope } | undefined {
  if (report.account.status === 'ok') return { ...report.account.value.usage, scope: 'account' };
  if (report.key.usage) return { ...report.key.usage, scope: 'key' };
  return undefined;
}

function runwayOf(report: Report, now: Date): Runway | undefined {
  const { breakdown, credits, key } = report;
  // The balance is the account's, so only an account-wide spend rate can project it.
  if (credits.status === 'ok' && report.forecast) {
    // The pace's completed days: the window's own average would count today's unfinished hours as a day.
    return creditsRunway(credits.value.remaining, report.forecast.dailyAverage, report.forecast.basis.averageDays, now);
  }
  // The balance is the whole account's: one workspace's spend rate would stretch it too far.
  if (credits.status === 'ok' && breakdown.status === 'ok' && breakdown.value.scope === 'account' && !breakdown.value.workspace) {
    return creditsRunway(credits.value.remaining, breakdown.value.trend.average, breakdown.value.days, now);
  }
  if (credits.status !== 'ok' && key.limit !== null && key.limitRemaining !== null && key.usage) {
    // A cap that counts BYOK spend is spent at the pace of both.
    const month = key.usage.month + (key.includeByokInLimit ? (key.byokUsage?.month ?? 0) : 0);
    return capRunway(key.limitRemaining, key.limitReset, month, now);
  }
  return undefined;
}

function discrepancyOf(report: Report, breakdownMonth: number, breakdownScope: Scope, today: string): Discrepancy | undefined {
  // Compare like with like where possible: a key's breakdown with the key's totals, and the live month
  // with the same month's completed days in /activity, whatever window the breakdown shows.
  const totals = breakdownScope === 'key' && report.key.usage ? { ...report.key.usage, scope: 'key' as const } : primaryTotals(report);
  if (!totals) return undefined;
  // Totals of the default workspace only against the whole account's /activity compare unlike things:
  // the difference would be called unexplained when it is mostly the other workspaces.
  if (totals.scope === 'account' && report.account.status === 'ok' && report.account.value.coverage === 'default-workspace') return undefined;
  const from = `${today.slice(0, 7)}-01`;
  const to = today > from ? addDays(today, -1) : null;
  const gap = explainGap({ month: totals.month, today: totals.today, monthScope: totals.scope, breakdownMonth, breakdownScope, from, to });
  // With --workspace both sides are that workspace's; the sentence names it.
  const workspace = report.account.status === 'ok' ? report.account.value.workspace : null;
  return gap && workspace && totals.scope === 'account' ? { ...gap, workspace: workspace.name } : gap;
}

function thresholdFigures(report: Report, responses: Responses): { balance: Figure; today: Figure; month: Figure; forecast: Figure } {
  const needsManagement = (what: string) => new CliError('config', `${what} needs a management key: set OPENROUTER_MGMT_KEY`);
  const failure = (outcome: Outcome<unknown>, what: string): Failure => (outcome.status === 'failed' ? outcome.error : needsManagement(what));

  const balance: Figure =
    report.credits.status === 'ok' ? { value: report.credits.value.remaining, scope: 'account' } : { missing: failure(responses.credits, 'the balance') };
  // A management key that was configured but whose account totals failed (rejected, /keys or
  // /workspaces down) fails the threshold: falling back to one key's figures would narrow it silently.
  const totals = report.account.status === 'failed' ? undefined : primaryTotals(report);
  const missingTotals = (): Figure => ({
    missing: report.account.status === 'failed' ? report.account.error : failure(responses.keys, 'the live totals of a management key'),
  });
  const scope = totals?.scope === 'account' ? accountScope(report) : 'this key';
  return {
    balance,
    today: totals ? { value: totals.today, scope } : missingTotals(),
    month: totals ? { value: totals.month, scope } : missingTotals(),
    forecast: report.forecast ? { value: report.forecast.projectedMonth, scope: 'account' } : { missing: forecastMissing(responses.analytics) },
  };
}

function forecastMissing(analytics: Responses['analytics']): Failure {
  const why =
    analytics?.status === 'failed' || analytics?.status === 'unavailable'
      ? analytics.error
      : analytics?.status === 'needs-management-key'
        ? new CliError('config', 'the analytics API needs a management key: set OPENROUTER_MGMT_KEY')
        : new CliError('usage', 'the analytics API, which this run did not ask (--scope key, the demo, or answers cached by an older version)');
  return why.message.startsWith('the analytics API') ? why : { ...plainFailure(why), message: `the analytics API (${why.message})` };
}

/** The account's totals from analytics (every key, deleted ones too), the /keys sum kept beside them as a cross-check. */
function withAnalyticsTotals(answers: Parameters<typeof analyticsAccount>[0], listed: Outcome<AccountSection>): AccountSection {
  const totals = analyticsAccount(answers);
  const keys = listed.status === 'ok' ? listed.value : undefined;
  return {
    // Every workspace's spend: analytics is not asked with --workspace. The /keys split per workspace stays.
    coverage: 'account',
    workspacesStatus: null,
    workspace: null,
    workspaces: keys?.workspaces ?? null,
    usage: totals.usage,
    byokUsage: totals.byokUsage,
    keys: keys?.keys ?? 0,
    disabledKeys: keys?.disabledKeys ?? 0,
    source: 'analytics',
    listedKeys: keys ? keys.usage : null,
  };
}

function analyticsStatus(analytics: Responses['analytics']): Report['analytics'] {
  switch (analytics?.status) {
    case undefined:
      return { status: 'not-asked', reason: null };
    case 'ok':
      return { status: 'used', reason: null };
    case 'needs-management-key':
      return { status: 'needs-management-key', reason: 'the analytics API needs a management key (OPENROUTER_MGMT_KEY)' };
    case 'unavailable':
    case 'failed':
      return { status: analytics.status, reason: analytics.error.message };
  }
}

/** A window only analytics can serve, without analytics: an error with the failure's exit code, never a shorter window. */
function analyticsNeeded(what: string, analytics: Responses['analytics'], scope: Scope | 'workspace'): CliError {
  const fail = (kind: Failure['kind'], why: string, details: { endpoint?: string | undefined; status?: number | undefined } = {}) =>
    new CliError(kind, `${what} needs the analytics API, ${why}`, {
      ...(details.endpoint === undefined ? {} : { endpoint: details.endpoint }),
      ...(details.status === undefined ? {} : { status: details.status }),
    });
  switch (analytics?.status) {
    case 'unavailable':
      return fail(analytics.error.kind, `which this account does not offer (${analytics.error.message})`, analytics.error);
    case 'failed':
      return fail(analytics.error.kind, `which failed: ${analytics.error.message}`, analytics.error);
    case 'needs-management-key':
      return fail('config', 'which needs a management key: set OPENROUTER_MGMT_KEY');
    default:
      return fail(
        'usage',
        scope === 'key'
          ? 'which --scope key does not use'
          : scope === 'workspace'
            ? 'which --workspace does not use'
            : 'which this run did not ask (the demo holds no analytics)',
      );
  }
}

/** Whose figure an alert names: the account, its default workspace, or the --workspace one. */
function accountScope(report: Report): string {
  if (report.account.status !== 'ok') return 'account';
  const { coverage, workspace } = report.account.value;
  if (coverage === 'workspace' && workspace) return `workspace ${sanitize(workspace.name, 80)}`;
  return coverage === 'default-workspace' ? 'default workspace' : 'account';
}

function section<T, U>(outcome: Outcome<T>, source: Warning['source'], warnings: Warning[], map: (value: T) => U): Outcome<U> {
  if (outcome.status === 'needs-management-key') return outcome;
  let error: Failure;
  if (outcome.status === 'ok') {
    try {
      const value = map(outcome.value);
      const overflow = nonFiniteField(value);
      if (overflow) {
        throw new CliError('invalid-response', `/${source}: invalid response: ${overflow} is not a finite number (the amounts sent are too large to add up)`, {
          endpoint: `/${source}`,
        });
      }
      return { status: 'ok', value };
    } catch (thrown) {
      if (!(thrown instanceof CliError)) throw thrown;
      error = thrown;
    }
  } else {
    error = outcome.error;
  }
  warnings.push({ source, message: error.message });
  return { status: 'failed', error };
}

/**
 * The account's live totals add up every key /keys lists, this key among them, so they can never
 * be below this key's own: when they are (an empty or partial list), they are not the account's,
 * and are said to be unavailable rather than shown.
 */
function consistentAccount(account: Outcome<AccountSection>, keyUsage: Totals | null, warnings: Warning[]): Outcome<AccountSection> {
  // Only totals that cover every workspace must hold this key's spend; one workspace's need not.
  if (account.status !== 'ok' || !keyUsage || account.value.coverage !== 'account') return account;
  const period = (['today', 'week', 'month'] as const).find((p) => account.value.usage[p] < keyUsage[p] - HALF_CENT);
  if (!period) return account;
  const error = new CliError(
    'invalid-response',
    `/keys: the account's live ${period} total (${formatUsd(account.value.usage[period])} over ${account.value.keys} listed keys) is below this key's own (${formatUsd(keyUsage[period])}); account totals not shown`,
    { endpoint: '/keys' },
  );
  warnings.push({ source: 'keys', message: error.message });
  return { status: 'failed', error };
}

/** The part after the last `/`, as the original script printed, unless two models would then look alike. */
export function displayNames(models: readonly string[]): Map<string, string> {
  const short = (model: string): string => model.slice(model.lastIndexOf('/') + 1) || model;
  const counts = new Map<string, number>();
  for (const model of models) counts.set(short(model), (counts.get(short(model)) ?? 0) + 1);
  return new Map(models.map((model) => [model, (counts.get(short(model)) ?? 0) > 1 ? model : short(model)]));
}
