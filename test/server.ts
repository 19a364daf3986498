// A local stand-in for the OpenRouter API (see /work/shared/openrouter-api.md for the real shapes),
// with fault injection, so tests never reach the internet.
//
// Everything it answers is derived from ONE list of spend events (`data.events`): the live
// counters of /key and /keys, the /activity rows, /credits' total_usage and every analytics answer.
// So any figure can be checked against any other, and against plain sums over the events
// (`eventsWhere`, `totalsOf`, `periodStarts`). A test may still replace one view with setData
// (e.g. `setData({ activity: rows })`): that view is then served as given, the others stay derived.
import { createHash } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const BASE_PATH = '/api/v1';
const KEY_PREFIX = 'sk-or-v1-';
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Fake keys. Built at run time so no literal full-length key sits in the source (a hook greps
// for /sk-or-v1-[A-Za-z0-9]{40,}/).

/** A fake key of realistic shape: `sk-or-v1-` + 64 hex chars, derived from `seed`. */
export function fakeKey(lead: string, seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return KEY_PREFIX + lead.repeat(8) + hex.slice(0, 56);
}

/** The inference (API) key the stand-in accepts. */
export const API_KEY = fakeKey('a', 'openrouter-usage stand-in inference key');
/** The management key the stand-in accepts. */
export const MGMT_KEY = fakeKey('b', 'openrouter-usage stand-in management key');

/** The part of a key after `sk-or-v1-`: no piece of it may ever be printed. */
export function secretOf(key: string): string {
  return key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : key;
}

/** OpenRouter's masked label for a key, e.g. `sk-or-v1-aaa...3f9`. */
export function maskKey(key: string): string {
  const secret = secretOf(key);
  return `${KEY_PREFIX}${secret.slice(0, 3)}...${secret.slice(-3)}`;
}

/** The 64-hex `hash` /keys gives the key named `name` in the stand-in's data. */
export function keyHashOf(name: string): string {
  return createHash('sha256').update(`key-hash|${name}`).digest('hex');
}

/** API_KEY's hash, as /keys lists it (its key is named `default`). */
export const API_KEY_HASH = keyHashOf('default');

function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The default workspace's id (the first of `data.workspaces`, in every data set). */
export const DEFAULT_WORKSPACE_ID = uuidOf('workspace|default');
/** The other workspaces of the multi-workspace account (`buildData(now, { workspaces: 'multi' })`). */
export const RESEARCH_WORKSPACE_ID = uuidOf('workspace|research');
export const PRODUCTION_WORKSPACE_ID = uuidOf('workspace|production');

// ---------------------------------------------------------------------------------------------
// Wire shapes.

export interface KeyInfo {
  label: string;
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  byok_usage_daily: number;
  byok_usage_weekly: number;
  byok_usage_monthly: number;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: string | null;
  include_byok_in_limit: boolean;
  is_free_tier: boolean;
  is_management_key: boolean;
  is_provisioning_key: boolean;
  expires_at?: string | null;
  creator_user_id: string | null;
  organization_id: string | null;
  workspace_id: string | null;
  rate_limit: { requests: number; interval: string; note: string };
  free_model_daily_requests: { limit: number; remaining: number; used: number };
  allowed_data_regions: string[];
}

export interface Credits {
  total_credits: number;
  total_usage: number;
}

export interface ActivityRow {
  date: string;
  model: string;
  model_permaslug: string;
  endpoint_id: string;
  provider_name: string;
  usage: number;
  byok_usage_inference: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  /** Only with `group_by=workspace`. */
  workspace_id?: string;
}

/**
 * Which key made an /activity row (its `hash` as /keys lists it): stand-in bookkeeping, never
 * sent, since JSON.stringify skips symbol keys (object spread keeps them). It matters only for rows
 * a test put in with `setData({ activity })`: `/activity?api_key_hash=` then answers with the rows
 * attributed to that hash only, and rows without an attribution belong to no single key. (Rows
 * derived from the events are filtered through the events instead.)
 */
export const MADE_BY: unique symbol = Symbol('api_key_hash of the key that made this /activity row');

/** `row`, attributed to the key with this hash (see MADE_BY). */
export function madeBy(row: ActivityRow, hash: string): ActivityRow {
  return { ...row, [MADE_BY]: hash } as ActivityRow;
}

/** The hash `row` is attributed to, if any. */
export function madeByOf(row: ActivityRow): string | undefined {
  return (row as ActivityRow & { [MADE_BY]?: string })[MADE_BY];
}

export interface KeyListItem {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: string | null;
  include_byok_in_limit: boolean;
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  byok_usage: number;
  byok_usage_daily: number;
  byok_usage_weekly: number;
  byok_usage_monthly: number;
  created_at: string;
  updated_at: string | null;
  expires_at?: string | null;
  creator_user_id: string | null;
  external_user: string | null;
  /** null: a key from before workspaces, listed in the default workspace. */
  workspace_id: string | null;
}

/** One `/workspaces` item. */
export interface Workspace {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  created_at: string;
  updated_at: string | null;
  created_by: string;
}

/** One spend: the stand-in's single source of truth. */
export interface SpendEvent {
  /** When: an ISO date-time in UTC (`…Z`). Its first 10 characters are its UTC day. */
  at: string;
  /** The key that spent, as /keys' `hash`; a hash /keys does not list is a deleted key. */
  keyHash: string;
  workspaceId: string;
  /** As /activity's `model`, e.g. `openai/gpt-4.1`. */
  model: string;
  /** Versioned slug: /activity's `model_permaslug`, analytics' `model` dimension. */
  permaslug: string;
  provider: string;
  endpointId: string;
  /** Charged to credits (BYOK platform fees included): /activity's `usage`, analytics' `credits_usage`. */
  usage: number;
  /** Billed by the user's own provider: /activity's `byok_usage_inference`, analytics' `byok_usage`. */
  byokUsage: number;
  requests: number;
  promptTokens: number;
  /** Reasoning tokens included. */
  completionTokens: number;
  reasoningTokens: number;
  /** Analytics' `origin` dimension (null when absent). */
  origin?: string;
  /** Analytics' `app` dimension (null when absent). */
  app?: string;
}

/** A key that no longer exists: /keys does not list it, analytics still names it. */
export interface DeletedKey {
  hash: string;
  name: string;
  workspace_id: string | null;
}

/** Switches for behaviours that differ between accounts, or that tests need to provoke. */
export interface StandInModes {
  /**
   * /activity also sends the rows dated today, which the real API never does (the CLI must ignore
   * them). On in the default data, which has always done so; off in the multi-workspace data.
   */
  activityIncludesToday: boolean;
  /** `/workspaces`: `ok` lists; 404 (older accounts: no such endpoint) or 403 refuse. */
  workspaces: 'ok' | 403 | 404;
  /** The analytics API: `ok`; 404 for both paths (not available to this account); 403 for any key. */
  analytics: 'ok' | 403 | 404;
  /** Analytics values sent as numeric strings: none, the counts (requests, tokens) or every metric. */
  analyticsStrings: 'none' | 'counts' | 'all';
  /** The time bucket's field: `date__<granularity>` (suffixed) or plain `date`. */
  analyticsDateKey: 'suffixed' | 'date';
  /** Metric or dimension names /analytics/meta leaves out; a query naming one gets 400. */
  analyticsMissing: readonly string[];
  /** Every row also carries each dimension it was not grouped by, as null. */
  analyticsNullUnused: boolean;
}

export interface StandInData {
  /** Every spend; everything below (unless replaced by setData) is derived from it. */
  events: SpendEvent[];
  /** `/workspaces`; the first is the default workspace. */
  workspaces: Workspace[];
  /** Keys deleted from the account: their events still count, /keys does not list them. */
  deletedKeys: DeletedKey[];
  /** The hash of the key /key describes when asked with API_KEY. */
  apiKeyHash: string;
  modes: StandInModes;
  /** `/key` answer for API_KEY. */
  apiKeyInfo: KeyInfo;
  /** `/key` answer for MGMT_KEY. */
  mgmtKeyInfo: KeyInfo;
  /** `/credits` answer for MGMT_KEY. */
  credits: Credits;
  /** All `/activity` rows (the `date` query parameter filters them). */
  activity: ActivityRow[];
  /** Every existing key of every workspace (`/keys` lists one workspace's; disabled ones only with `include_disabled=true`). */
  keys: KeyListItem[];
  /** How many keys one `/keys` page holds. */
  keysPageSize: number;
}

// ---------------------------------------------------------------------------------------------
// Plain sums over events: what tests compute their expectations with.

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** `YYYY-MM-DD` of the UTC day `offsetDays` away from `now`'s UTC day (-1 = yesterday). */
export function utcDay(now: Date, offsetDays = 0): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays));
  return d.toISOString().slice(0, 10);
}

/** The UTC day (`YYYY-MM-DD`) of an event. */
export function dayOf(e: Pick<SpendEvent, 'at'>): string {
  return e.at.slice(0, 10);
}

/** The first UTC day of today, of this week (Monday) and of this month (the 1st). */
export function periodStarts(now: Date): { today: string; week: string; month: string } {
  return { today: utcDay(now, 0), week: utcDay(now, -((now.getUTCDay() + 6) % 7)), month: utcDay(now, 1 - now.getUTCDate()) };
}

export interface EventFilter {
  /** First UTC day (`YYYY-MM-DD`), inclusive. */
  fromDay?: string;
  /** Last UTC day, inclusive. */
  toDay?: string;
  /** First instant (ISO), inclusive. */
  since?: string;
  /** The instant (ISO) the events must come before. */
  before?: string;
  keyHash?: string | readonly string[];
  workspaceId?: string | readonly string[];
  permaslug?: string;
  provider?: string;
}

const oneOf = (want: string | readonly string[] | undefined, value: string): boolean =>
  want === undefined || (typeof want === 'string' ? want === value : want.includes(value));

/** The events that pass every condition given. */
export function eventsWhere(events: readonly SpendEvent[], f: EventFilter): SpendEvent[] {
  const since = f.since === undefined ? -Infinity : Date.parse(f.since);
  const before = f.before === undefined ? Infinity : Date.parse(f.before);
  return events.filter((e) => {
    const day = dayOf(e);
    const t = Date.parse(e.at);
    return (
      (f.fromDay === undefined || day >= f.fromDay) &&
      (f.toDay === undefined || day <= f.toDay) &&
      t >= since &&
      t < before &&
      oneOf(f.keyHash, e.keyHash) &&
      oneOf(f.workspaceId, e.workspaceId) &&
      (f.permaslug === undefined || e.permaslug === f.permaslug) &&
      (f.provider === undefined || e.provider === f.provider)
    );
  });
}

export interface SpendTotals {
  usage: number;
  byokUsage: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/** Sums of `events`' money and counts (unrounded). */
export function totalsOf(events: readonly SpendEvent[]): SpendTotals {
  const t: SpendTotals = { usage: 0, byokUsage: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
  for (const e of events) {
    t.usage += e.usage;
    t.byokUsage += e.byokUsage;
    t.requests += e.requests;
    t.promptTokens += e.promptTokens;
    t.completionTokens += e.completionTokens;
    t.reasoningTokens += e.reasoningTokens;
  }
  return t;
}

/** The start of the time bucket holding `at`, as an ISO string (weeks start on Monday, UTC). */
export function bucketStart(at: string | Date, granularity: Granularity): string {
  const d = new Date(at);
  const [y, m, day, h, min] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  switch (granularity) {
    case 'minute':
      return new Date(Date.UTC(y, m, day, h, min)).toISOString();
    case 'hour':
      return new Date(Date.UTC(y, m, day, h)).toISOString();
    case 'day':
      return new Date(Date.UTC(y, m, day)).toISOString();
    case 'week':
      return new Date(Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7))).toISOString();
    case 'month':
      return new Date(Date.UTC(y, m, 1)).toISOString();
  }
}

// ---------------------------------------------------------------------------------------------
// Views derived from the events.

/** What a key spent: the live counters `/key` and `/keys` report. */
type Counters = Pick<
  KeyInfo,
  'usage' | 'usage_daily' | 'usage_weekly' | 'usage_monthly' | 'byok_usage' | 'byok_usage_daily' | 'byok_usage_weekly' | 'byok_usage_monthly'
>;

const ZERO_COUNTERS: Counters = {
  usage: 0,
  usage_daily: 0,
  usage_weekly: 0,
  usage_monthly: 0,
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
};

/** A key's live counters: sums over its events (today, this week from Monday, this month, ever), to the micro-dollar. */
function countersOf(events: readonly SpendEvent[], hash: string, now: Date): Counters {
  const { today, week, month } = periodStarts(now);
  const c = { ...ZERO_COUNTERS };
  for (const e of events) {
    if (e.keyHash !== hash) continue;
    const day = dayOf(e);
    c.usage += e.usage;
    c.byok_usage += e.byokUsage;
    if (day === today) {
      c.usage_daily += e.usage;
      c.byok_usage_daily += e.byokUsage;
    }
    if (day >= week) {
      c.usage_weekly += e.usage;
      c.byok_usage_weekly += e.byokUsage;
    }
    if (day >= month) {
      c.usage_monthly += e.usage;
      c.byok_usage_monthly += e.byokUsage;
    }
  }
  for (const k of Object.keys(c) as Array<keyof Counters>) c[k] = round6(c[k]);
  return c;
}

/** What is left under a key's cap in its reset period (ever, when it never resets). */
function remainingOf(k: Pick<KeyInfo, 'limit' | 'limit_reset' | 'include_byok_in_limit'>, c: Counters): number | null {
  if (k.limit === null) return null;
  const [spent, byok] =
    k.limit_reset === 'daily'
      ? [c.usage_daily, c.byok_usage_daily]
      : k.limit_reset === 'weekly'
        ? [c.usage_weekly, c.byok_usage_weekly]
        : k.limit_reset === 'monthly'
          ? [c.usage_monthly, c.byok_usage_monthly]
          : [c.usage, c.byok_usage];
  return Math.max(0, round6(k.limit - spent - (k.include_byok_in_limit ? byok : 0)));
}

interface ActivityOptions {
  includeToday: boolean;
  byWorkspace?: boolean;
  keyHash?: string;
  workspaceId?: string;
}

/**
 * /activity from the events: one row per (UTC day, endpoint) (and workspace, with byWorkspace)
 * for the 30 completed days before `now`, plus today with includeToday; newest day first.
 */
function activityOf(events: readonly SpendEvent[], now: Date, o: ActivityOptions): ActivityRow[] {
  const oldest = utcDay(now, -30);
  const today = utcDay(now, 0);
  const groups = new Map<string, { e: SpendEvent; day: string; sums: SpendTotals }>();
  for (const e of events) {
    const day = dayOf(e);
    if (day < oldest || day > today || (day === today && !o.includeToday)) continue;
    if (o.keyHash !== undefined && e.keyHash !== o.keyHash) continue;
    if (o.workspaceId !== undefined && e.workspaceId !== o.workspaceId) continue;
    const id = `${day}|${e.endpointId}|${o.byWorkspace ? e.workspaceId : ''}`;
    let g = groups.get(id);
    if (!g) {
      g = { e, day, sums: totalsOf([]) };
      groups.set(id, g);
    }
    g.sums.usage += e.usage;
    g.sums.byokUsage += e.byokUsage;
    g.sums.requests += e.requests;
    g.sums.promptTokens += e.promptTokens;
    g.sums.completionTokens += e.completionTokens;
    g.sums.reasoningTokens += e.reasoningTokens;
  }
  const rows = [...groups.values()].map(({ e, day, sums }): ActivityRow => ({
    date: day,
    model: e.model,
    model_permaslug: e.permaslug,
    endpoint_id: e.endpointId,
    provider_name: e.provider,
    usage: round6(sums.usage),
    byok_usage_inference: round6(sums.byokUsage),
    requests: sums.requests,
    prompt_tokens: sums.promptTokens,
    completion_tokens: sums.completionTokens,
    reasoning_tokens: sums.reasoningTokens,
    ...(o.byWorkspace ? { workspace_id: e.workspaceId } : {}),
  }));
  return rows.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/** Activity arrays derived from an events list, and which list: such a view is filtered through its events. */
const DERIVED_FROM = new WeakMap<readonly ActivityRow[], readonly SpendEvent[]>();

function derivedActivity(data: Pick<StandInData, 'events' | 'modes'>, now: Date): ActivityRow[] {
  const rows = activityOf(data.events, now, { includeToday: data.modes.activityIncludesToday });
  DERIVED_FROM.set(rows, data.events);
  return rows;
}

/** True while `data.activity` is the view derived from `data.events` (not replaced by a test). */
function activityIsDerived(data: StandInData): boolean {
  return DERIVED_FROM.get(data.activity) === data.events;
}

/**
 * The views derived from `data.events`: /key's and /keys' counters (each key's definition kept),
 * /activity, and /credits' total_usage (the keys' usage, then the deleted keys', so events of
 * keys no longer listed still count).
 */
function recount(data: StandInData, now: Date): Pick<StandInData, 'apiKeyInfo' | 'keys' | 'activity' | 'credits'> {
  const keys = data.keys.map((k) => {
    const c = countersOf(data.events, k.hash, now);
    return { ...k, ...c, limit_remaining: remainingOf(k, c) };
  });
  const apiCounters = countersOf(data.events, data.apiKeyHash, now);
  const apiKeyInfo = { ...data.apiKeyInfo, ...apiCounters, limit_remaining: remainingOf(data.apiKeyInfo, apiCounters) };
  const listed = new Set(keys.map((k) => k.hash));
  const others = [...new Set(data.events.map((e) => e.keyHash).filter((h) => !listed.has(h)))];
  const used = [...keys.map((k) => k.usage), ...others.map((h) => countersOf(data.events, h, now).usage)].reduce((sum, u) => sum + u, 0);
  return {
    apiKeyInfo,
    keys,
    activity: derivedActivity(data, now),
    credits: { total_credits: data.credits.total_credits, total_usage: round6(used) },
  };
}

// ---------------------------------------------------------------------------------------------
// The data sets. Tests compute their expectations from these builders or from `data.events`,
// never from copies.

interface EndpointSpec {
  model: string;
  permaslug: string;
  provider: string;
  /** Credit spend on a typical day. */
  usage: number;
  /** BYOK spend on a typical day. */
  byok: number;
  requests: number;
  reasoning: boolean;
  /** Which days (0 = today, 1 = yesterday … 30) have traffic. */
  active: (daysAgo: number) => boolean;
}

const everyDay = (): boolean => true;

// Several providers per model (rows must be summed), two models sharing the short name
// `gpt-oss-120b`, a BYOK-only endpoint, a model too cheap to reach a cent, one that only ran on
// even days and one that only ran more than a week ago.
const ENDPOINTS: EndpointSpec[] = [
  {
    model: 'openai/gpt-4.1',
    permaslug: 'openai/gpt-4.1-2025-04-14',
    provider: 'OpenAI',
    usage: 0.4123,
    byok: 0,
    requests: 9,
    reasoning: false,
    active: everyDay,
  },
  {
    model: 'openai/gpt-4.1',
    permaslug: 'openai/gpt-4.1-2025-04-14',
    provider: 'Azure',
    usage: 0.1877,
    byok: 0,
    requests: 4,
    reasoning: false,
    active: everyDay,
  },
  {
    model: 'anthropic/claude-sonnet-4',
    permaslug: 'anthropic/claude-4-sonnet-20250522',
    provider: 'Anthropic',
    usage: 0.6311,
    byok: 0,
    requests: 3,
    reasoning: true,
    active: everyDay,
  },
  {
    model: 'anthropic/claude-sonnet-4',
    permaslug: 'anthropic/claude-4-sonnet-20250522',
    provider: 'Amazon Bedrock',
    usage: 0,
    byok: 0.2219,
    requests: 2,
    reasoning: true,
    active: everyDay,
  },
  {
    model: 'google/gemini-2.5-pro',
    permaslug: 'google/gemini-2.5-pro',
    provider: 'Google Vertex',
    usage: 0.2742,
    byok: 0,
    requests: 5,
    reasoning: true,
    active: (d) => d % 2 === 0,
  },
  {
    model: 'openai/gpt-oss-120b',
    permaslug: 'openai/gpt-oss-120b',
    provider: 'Cerebras',
    usage: 0.0213,
    byok: 0,
    requests: 11,
    reasoning: true,
    active: everyDay,
  },
  { model: 'groq/gpt-oss-120b', permaslug: 'groq/gpt-oss-120b', provider: 'Groq', usage: 0.0347, byok: 0, requests: 6, reasoning: true, active: everyDay },
  {
    model: 'meta-llama/llama-3.3-70b-instruct',
    permaslug: 'meta-llama/llama-3.3-70b-instruct',
    provider: 'DeepInfra',
    usage: 0.0003,
    byok: 0,
    requests: 1,
    reasoning: false,
    active: everyDay,
  },
  {
    model: 'deepseek/deepseek-r1',
    permaslug: 'deepseek/deepseek-r1',
    provider: 'DeepSeek',
    usage: 0.0931,
    byok: 0,
    requests: 7,
    reasoning: true,
    active: (d) => d > 10,
  },
];

/** Today's spend so far in the default data: in the keys' live counters and in analytics, never in the real /activity. */
const TODAY_ENDPOINTS: EndpointSpec[] = [
  {
    model: 'openai/gpt-4.1',
    permaslug: 'openai/gpt-4.1-2025-04-14',
    provider: 'OpenAI',
    usage: 5.5555,
    byok: 0,
    requests: 50,
    reasoning: false,
    active: everyDay,
  },
  { model: 'x-ai/grok-4', permaslug: 'x-ai/grok-4-07-09', provider: 'xAI', usage: 3.3333, byok: 0, requests: 20, reasoning: true, active: everyDay },
];

function endpointId(spec: Pick<EndpointSpec, 'model' | 'provider'>): string {
  return uuidOf(`${spec.model}|${spec.provider}`);
}

/** One endpoint's figures on one day (before any split between keys). */
function row(spec: EndpointSpec, index: number, date: string, daysAgo: number): ActivityRow {
  const factor = 1 + ((daysAgo * 3 + index * 5) % 7) / 10;
  const requests = spec.requests + ((daysAgo + index) % 4);
  const completion = requests * 350 + index * 7 + daysAgo;
  return {
    date,
    model: spec.model,
    model_permaslug: spec.permaslug,
    endpoint_id: endpointId(spec),
    provider_name: spec.provider,
    usage: round6(spec.usage * factor),
    byok_usage_inference: round6(spec.byok * factor),
    requests,
    prompt_tokens: requests * 1200 + daysAgo * 13,
    completion_tokens: completion,
    reasoning_tokens: spec.reasoning ? Math.floor(completion / 4) : 0,
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A time on the day `daysAgo` before `now`'s: spread over the hours by `slot`; today's fall
 * between midnight and `now` (strictly before it, unless `now` is midnight itself).
 */
function atOn(now: Date, daysAgo: number, slot: number): string {
  if (daysAgo === 0) {
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return new Date(start + Math.floor(((now.getTime() - start) * ((slot % 9) + 1)) / 10)).toISOString();
  }
  return `${utcDay(now, -daysAgo)}T${pad2((slot * 5 + daysAgo * 3) % 24)}:${pad2((slot * 7 + 11) % 60)}:${pad2((slot * 13) % 60)}.000Z`;
}

interface Spender {
  keyHash: string;
  workspaceId: string;
  app?: string;
  origin?: string;
}

/** The events that make up row `r`, shared by `shares` (fractions adding up to 1; counts split in whole numbers). */
function eventsOf(r: ActivityRow, at: (i: number) => string, shares: Array<{ by: Spender; share: number }>): SpendEvent[] {
  const left = { requests: r.requests, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, reasoningTokens: r.reasoning_tokens };
  return shares.map(({ by, share }, i) => {
    const last = i === shares.length - 1;
    const take = (field: keyof typeof left, total: number): number => {
      const n = last ? left[field] : Math.min(left[field], Math.round(total * share));
      left[field] -= n;
      return n;
    };
    return {
      at: at(i),
      keyHash: by.keyHash,
      workspaceId: by.workspaceId,
      model: r.model,
      permaslug: r.model_permaslug,
      provider: r.provider_name,
      endpointId: r.endpoint_id,
      usage: r.usage * share,
      byokUsage: r.byok_usage_inference * share,
      requests: take('requests', r.requests),
      promptTokens: take('promptTokens', r.prompt_tokens),
      completionTokens: take('completionTokens', r.completion_tokens),
      reasoningTokens: take('reasoningTokens', r.reasoning_tokens),
      ...(by.app === undefined ? {} : { app: by.app }),
      ...(by.origin === undefined ? {} : { origin: by.origin }),
    };
  });
}

/** One event of `usage` (and `byok`) by `by`, `daysAgo` days ago, on gpt-4.1 at OpenAI: spend older than /activity's 30 days. */
function oldEvent(now: Date, by: Spender, daysAgo: number, usage: number, byok = 0): SpendEvent {
  const requests = Math.round(usage * 100) + 1;
  return {
    at: atOn(now, daysAgo, 3),
    keyHash: by.keyHash,
    workspaceId: by.workspaceId,
    model: 'openai/gpt-4.1',
    permaslug: 'openai/gpt-4.1-2025-04-14',
    provider: 'OpenAI',
    endpointId: endpointId({ model: 'openai/gpt-4.1', provider: 'OpenAI' }),
    usage,
    byokUsage: byok,
    requests,
    promptTokens: requests * 1200,
    completionTokens: requests * 350,
    reasoningTokens: 0,
  };
}

// The default account has two live keys sharing every day's spend 60/40 (API_KEY's `default` and
// a capped `ci` key), a key disabled before the 30 days /activity covers, and a key deleted long
// ago. Spend older than 30 days is in the counters' `usage`, in /credits and in analytics.
const API_KEY_SHARE = 0.6;
const CI_KEY_SHARE = 0.4;

/** Hash of the key deleted long ago (its $2.50 is in /credits and in analytics' year). */
export const RETIRED_KEY_HASH = keyHashOf('retired');
/** Hash of the key `deletedKeyThisMonth` adds: it spent every day this month, then was deleted. */
export const DELETED_THIS_MONTH_KEY_HASH = keyHashOf('temp agent');

const KEY_BASE = {
  include_byok_in_limit: false,
  created_at: '2025-01-15T10:00:00.000Z',
  updated_at: null,
  expires_at: null,
  creator_user_id: 'user_2standinCreator',
  external_user: null,
  workspace_id: null,
  ...ZERO_COUNTERS,
} satisfies Partial<KeyListItem>;

function keyDef(k: Pick<KeyListItem, 'hash' | 'name' | 'label'> & Partial<KeyListItem>): KeyListItem {
  return { ...KEY_BASE, disabled: false, limit: null, limit_remaining: null, limit_reset: null, ...k };
}

/** Options of `buildData` (and of `startStandIn`). */
export interface DataOptions {
  /**
   * `single` (default): one workspace, whose keys carry no `workspace_id` (an account from before
   * workspaces). `multi`: three workspaces (Default, Research, Production), keys in each, every key
   * with its workspace's id; /keys without `workspace_id` then lists only the Default one's.
   */
  workspaces?: 'single' | 'multi';
  /** A key that spent every day this month and was then deleted: in /activity, analytics and /credits, not in /keys. */
  deletedKeyThisMonth?: boolean;
}

/** The modes of the default data (the multi-workspace data differs in activityIncludesToday: false). */
export const DEFAULT_MODES: Readonly<StandInModes> = Object.freeze({
  activityIncludesToday: true,
  workspaces: 'ok',
  analytics: 'ok',
  analyticsStrings: 'none',
  analyticsDateKey: 'suffixed',
  analyticsMissing: [],
  analyticsNullUnused: false,
});

/**
 * An account without the analytics API (both paths answer 404): the report is what it was before
 * analytics, breakdown from /activity's completed days. The tests written for that report use it.
 */
export const WITHOUT_ANALYTICS: Readonly<Partial<StandInModes>> = Object.freeze({ analytics: 404 });

const CREATOR = 'user_2standinCreator';

function workspacesFor(multi: boolean): Workspace[] {
  const ws = (id: string, name: string, slug: string, description: string | null, created_at: string, updated_at: string | null): Workspace => ({
    id,
    name,
    slug,
    description,
    created_at,
    updated_at,
    created_by: CREATOR,
  });
  const all = [ws(DEFAULT_WORKSPACE_ID, 'Default Workspace', 'default', null, '2025-01-15T10:00:00.000Z', null)];
  if (multi) {
    all.push(
      ws(RESEARCH_WORKSPACE_ID, 'Research', 'research', 'Notebooks and model evaluations', '2025-09-02T14:20:00.000Z', '2025-10-01T09:00:00.000Z'),
      ws(PRODUCTION_WORKSPACE_ID, 'Production', 'production', 'Customer-facing traffic', '2025-09-03T08:05:00.000Z', null),
    );
  }
  return all;
}

interface MultiSpend {
  key: string;
  workspaceId: string;
  spec: EndpointSpec;
  app?: string;
  origin?: string;
}

const sonnet = { model: 'anthropic/claude-sonnet-4', permaslug: 'anthropic/claude-4-sonnet-20250522' };
const gpt41 = { model: 'openai/gpt-4.1', permaslug: 'openai/gpt-4.1-2025-04-14' };

// The other workspaces' traffic in the multi-workspace account, each line one key on one endpoint.
const MULTI_SPEND: MultiSpend[] = [
  {
    key: 'notebook',
    workspaceId: RESEARCH_WORKSPACE_ID,
    app: 'Jupyter',
    spec: { ...sonnet, provider: 'Anthropic', usage: 0.35, byok: 0, requests: 2, reasoning: true, active: everyDay },
  },
  {
    key: 'notebook',
    workspaceId: RESEARCH_WORKSPACE_ID,
    app: 'Jupyter',
    spec: {
      model: 'deepseek/deepseek-r1',
      permaslug: 'deepseek/deepseek-r1',
      provider: 'DeepSeek',
      usage: 0.05,
      byok: 0,
      requests: 3,
      reasoning: true,
      active: (d) => d % 3 !== 0,
    },
  },
  {
    key: 'eval harness',
    workspaceId: RESEARCH_WORKSPACE_ID,
    origin: 'https://eval.example',
    spec: {
      model: 'google/gemini-2.5-pro',
      permaslug: 'google/gemini-2.5-pro',
      provider: 'Google Vertex',
      usage: 0.2,
      byok: 0,
      requests: 4,
      reasoning: true,
      active: (d) => d % 2 === 1,
    },
  },
  {
    key: 'backend',
    workspaceId: PRODUCTION_WORKSPACE_ID,
    app: 'Acme Backend',
    origin: 'https://acme.example',
    spec: { ...gpt41, provider: 'OpenAI', usage: 0.8, byok: 0, requests: 20, reasoning: false, active: everyDay },
  },
  {
    key: 'backend',
    workspaceId: PRODUCTION_WORKSPACE_ID,
    app: 'Acme Backend',
    spec: { ...gpt41, provider: 'Azure', usage: 0.3, byok: 0, requests: 8, reasoning: false, active: everyDay },
  },
  {
    // BYOK: the provider bills the inference; credits carry OpenRouter's 5 % fee.
    key: 'backend',
    workspaceId: PRODUCTION_WORKSPACE_ID,
    spec: { ...sonnet, provider: 'Amazon Bedrock', usage: 0.0075, byok: 0.15, requests: 2, reasoning: true, active: everyDay },
  },
  {
    key: 'batch',
    workspaceId: PRODUCTION_WORKSPACE_ID,
    spec: {
      model: 'openai/gpt-4.1-mini',
      permaslug: 'openai/gpt-4.1-mini-2025-04-14',
      provider: 'OpenAI',
      usage: 0.02,
      byok: 0,
      requests: 30,
      reasoning: false,
      active: (d) => d <= 10,
    },
  },
];

/**
 * A whole account, every view derived from its events. `buildData(now)` is the default data
 * (`defaultData`); see DataOptions for the multi-workspace account and the deleted key.
 */
export function buildData(now: Date, opts: DataOptions = {}): StandInData {
  const multi = opts.workspaces === 'multi';
  const inDefault = multi ? DEFAULT_WORKSPACE_ID : null;
  const spender = (name: string, workspaceId: string = DEFAULT_WORKSPACE_ID, extra: Partial<Spender> = {}): Spender => ({
    keyHash: keyHashOf(name),
    workspaceId,
    ...extra,
  });
  const api = spender('default');
  const ci = spender('ci');
  const shares = [
    { by: api, share: API_KEY_SHARE },
    { by: ci, share: CI_KEY_SHARE },
  ];

  // The default workspace's last 30 days and today, in the order of the rows /activity lists.
  const events: SpendEvent[] = [];
  TODAY_ENDPOINTS.forEach((spec, i) => events.push(...eventsOf(row(spec, i, utcDay(now, 0), 0), (k) => atOn(now, 0, i * 2 + k), shares)));
  for (let daysAgo = 1; daysAgo <= 30; daysAgo++) {
    ENDPOINTS.forEach((spec, i) => {
      if (spec.active(daysAgo)) events.push(...eventsOf(row(spec, i, utcDay(now, -daysAgo), daysAgo), (k) => atOn(now, daysAgo, i + k), shares));
    });
  }

  const keys: KeyListItem[] = [
    keyDef({ hash: api.keyHash, name: 'default', label: maskKey(API_KEY), workspace_id: inDefault }),
    keyDef({
      hash: ci.keyHash,
      name: 'ci',
      label: maskKey(fakeKey('c', 'ci key')),
      limit: 50,
      limit_reset: 'monthly',
      updated_at: '2025-06-01T08:30:00.000Z',
      workspace_id: inDefault,
    }),
    keyDef({ hash: keyHashOf('old'), name: 'old laptop', label: maskKey(fakeKey('d', 'old key')), disabled: true, workspace_id: inDefault }),
  ];
  const deletedKeys: DeletedKey[] = [{ hash: RETIRED_KEY_HASH, name: 'retired', workspace_id: inDefault }];

  if (multi) {
    MULTI_SPEND.forEach(({ key, workspaceId, spec, app, origin }, i) => {
      const by = spender(key, workspaceId, { ...(app === undefined ? {} : { app }), ...(origin === undefined ? {} : { origin }) });
      for (let daysAgo = 0; daysAgo <= 30; daysAgo++) {
        if (spec.active(daysAgo))
          events.push(...eventsOf(row(spec, 10 + i, utcDay(now, -daysAgo), daysAgo), () => atOn(now, daysAgo, 10 + i), [{ by, share: 1 }]));
      }
    });
    const w = { created_at: '2025-09-10T12:00:00.000Z' };
    keys.push(
      keyDef({
        ...w,
        hash: keyHashOf('notebook'),
        name: 'notebook',
        label: maskKey(fakeKey('e', 'notebook key')),
        limit: 20,
        limit_reset: 'weekly',
        include_byok_in_limit: true,
        workspace_id: RESEARCH_WORKSPACE_ID,
      }),
      keyDef({
        ...w,
        hash: keyHashOf('eval harness'),
        name: 'eval harness',
        label: maskKey(fakeKey('e', 'eval key')),
        expires_at: `${utcDay(now, 30)}T00:00:00.000Z`,
        workspace_id: RESEARCH_WORKSPACE_ID,
      }),
      keyDef({ ...w, hash: keyHashOf('backend'), name: 'backend', label: maskKey(fakeKey('f', 'backend key')), workspace_id: PRODUCTION_WORKSPACE_ID }),
      keyDef({
        ...w,
        hash: keyHashOf('batch'),
        name: 'batch',
        label: maskKey(fakeKey('f', 'batch key')),
        limit: 5,
        limit_reset: 'daily',
        workspace_id: PRODUCTION_WORKSPACE_ID,
      }),
      keyDef({
        ...w,
        hash: keyHashOf('archive'),
        name: 'archive',
        label: maskKey(fakeKey('f', 'archive key')),
        disabled: true,
        workspace_id: PRODUCTION_WORKSPACE_ID,
      }),
    );
  }

  if (opts.deletedKeyThisMonth) {
    const workspaceId = multi ? RESEARCH_WORKSPACE_ID : DEFAULT_WORKSPACE_ID;
    const by = spender('temp agent', workspaceId);
    const spec: EndpointSpec = { ...sonnet, provider: 'Anthropic', usage: 0.5, byok: 0, requests: 5, reasoning: true, active: everyDay };
    for (let daysAgo = now.getUTCDate() - 1; daysAgo >= 0; daysAgo--) {
      events.push(...eventsOf(row(spec, 20, utcDay(now, -daysAgo), daysAgo), () => atOn(now, daysAgo, 7), [{ by, share: 1 }]));
    }
    deletedKeys.push({ hash: DELETED_THIS_MONTH_KEY_HASH, name: 'temp agent', workspace_id: multi ? RESEARCH_WORKSPACE_ID : null });
  }

  // Spend older than 30 days.
  events.push(
    oldEvent(now, api, 60, 3.2109, 0.4321),
    oldEvent(now, ci, 75, 1.75),
    oldEvent(now, spender('old'), 100, 1.5),
    oldEvent(now, spender('retired'), 200, 2.5),
  );
  if (multi) {
    events.push(
      oldEvent(now, spender('notebook', RESEARCH_WORKSPACE_ID), 40, 4),
      oldEvent(now, spender('backend', PRODUCTION_WORKSPACE_ID), 90, 12.5, 1.2),
      oldEvent(now, spender('archive', PRODUCTION_WORKSPACE_ID), 150, 2),
    );
  }

  const apiKeyInfo: KeyInfo = {
    label: maskKey(API_KEY),
    ...ZERO_COUNTERS,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    is_free_tier: false,
    is_management_key: false,
    is_provisioning_key: false,
    expires_at: null,
    creator_user_id: CREATOR,
    organization_id: null,
    workspace_id: inDefault,
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    free_model_daily_requests: { limit: 1000, remaining: 997, used: 3 },
    allowed_data_regions: ['global'],
  };
  const skeleton: StandInData = {
    events,
    workspaces: workspacesFor(multi),
    deletedKeys,
    apiKeyHash: api.keyHash,
    modes: { ...DEFAULT_MODES, analyticsMissing: [], activityIncludesToday: !multi },
    apiKeyInfo,
    mgmtKeyInfo: managementKeyInfo(apiKeyInfo),
    credits: { total_credits: multi ? 250 : 100, total_usage: 0 },
    activity: [],
    keys,
    // As documented for the real /keys: "the most recent 100 API keys", paged by offset.
    keysPageSize: 100,
  };
  return { ...skeleton, ...recount(skeleton, now) };
}

function managementKeyInfo(api: KeyInfo): KeyInfo {
  return {
    ...api,
    ...ZERO_COUNTERS,
    label: maskKey(MGMT_KEY),
    is_management_key: true,
    is_provisioning_key: true,
    free_model_daily_requests: { limit: 1000, remaining: 1000, used: 0 },
  };
}

/** The default data: one workspace, two live keys, a disabled one, one deleted long ago. */
export function defaultData(now: Date): StandInData {
  return buildData(now);
}

/** The default data's spend events. */
export function defaultEvents(now: Date): SpendEvent[] {
  return buildData(now).events;
}

/** `/key` for API_KEY: its 60 % of the default workspace's spend, live (today included), no cap. */
export function defaultApiKeyInfo(now: Date = new Date()): KeyInfo {
  return buildData(now).apiKeyInfo;
}

/** `/key` for MGMT_KEY: a management key cannot spend, so its own counters are zero. */
export function defaultMgmtKeyInfo(): KeyInfo {
  return managementKeyInfo(defaultApiKeyInfo());
}

/** Credits bought, and used: what the keys spent plus $2.50 by a key deleted long ago. */
export function defaultCredits(now: Date = new Date()): Credits {
  return buildData(now).credits;
}

/**
 * Rows for the 30 completed UTC days before `now` (newest first), plus two rows dated today
 * that the real API would never send (mode `activityIncludesToday`).
 */
export function defaultActivityRows(now: Date): ActivityRow[] {
  return buildData(now).activity;
}

/** `/keys`: the API key, a capped CI key, and a disabled key with only old spend. */
export function defaultKeys(now: Date = new Date()): KeyListItem[] {
  return buildData(now).keys;
}

/** The multi-workspace account: `buildData(now, { workspaces: 'multi', ...opts })`. */
export function multiWorkspaceData(now: Date, opts: Omit<DataOptions, 'workspaces'> = {}): StandInData {
  return buildData(now, { ...opts, workspaces: 'multi' });
}

// ---------------------------------------------------------------------------------------------
// The analytics API, answered from the events.

export type Granularity = 'minute' | 'hour' | 'day' | 'week' | 'month';

interface MetricSpec {
  name: string;
  display_label: string;
  display_format: 'currency' | 'number';
  /** Requests and tokens: sent as strings in the `counts` mode. */
  count: boolean;
  of: (e: SpendEvent) => number;
}

/** The metrics the stand-in knows (all kept 365 days). */
export const ANALYTICS_METRICS: readonly MetricSpec[] = [
  { name: 'credits_usage', display_label: 'Credits usage', display_format: 'currency', count: false, of: (e) => e.usage },
  { name: 'byok_usage', display_label: 'BYOK usage', display_format: 'currency', count: false, of: (e) => e.byokUsage },
  { name: 'total_usage', display_label: 'Total usage', display_format: 'currency', count: false, of: (e) => e.usage + e.byokUsage },
  { name: 'request_count', display_label: 'Requests', display_format: 'number', count: true, of: (e) => e.requests },
  { name: 'tokens_prompt', display_label: 'Prompt tokens', display_format: 'number', count: true, of: (e) => e.promptTokens },
  { name: 'tokens_completion', display_label: 'Completion tokens', display_format: 'number', count: true, of: (e) => e.completionTokens },
  { name: 'tokens_total', display_label: 'Total tokens', display_format: 'number', count: true, of: (e) => e.promptTokens + e.completionTokens },
  { name: 'reasoning_tokens', display_label: 'Reasoning tokens', display_format: 'number', count: true, of: (e) => e.reasoningTokens },
];

interface DimensionSpec {
  name: string;
  display_label: string;
  /** How far back the dimension reaches. */
  maxDays: number;
  /** What filters compare with (an id where there is one). */
  id: (e: SpendEvent) => string | null;
  /** What rows carry (a name where there is one). */
  label: (e: SpendEvent, names: Names) => string | null;
}

interface Names {
  keys: Map<string, string>;
  workspaces: Map<string, string>;
}

/** The dimensions the stand-in knows: rows name keys and workspaces, filters take their hash / UUID. */
export const ANALYTICS_DIMENSIONS: readonly DimensionSpec[] = [
  { name: 'model', display_label: 'Model', maxDays: 365, id: (e) => e.permaslug, label: (e) => e.permaslug },
  { name: 'provider', display_label: 'Provider', maxDays: 31, id: (e) => e.provider, label: (e) => e.provider },
  { name: 'api_key_id', display_label: 'API key', maxDays: 365, id: (e) => e.keyHash, label: (e, n) => n.keys.get(e.keyHash) ?? null },
  { name: 'workspace', display_label: 'Workspace', maxDays: 365, id: (e) => e.workspaceId, label: (e, n) => n.workspaces.get(e.workspaceId) ?? null },
  { name: 'app', display_label: 'App', maxDays: 365, id: (e) => e.app ?? null, label: (e) => e.app ?? null },
  { name: 'origin', display_label: 'Origin', maxDays: 31, id: (e) => e.origin ?? null, label: (e) => e.origin ?? null },
];

const OPERATORS = [
  { name: 'eq', value_type: 'string' },
  { name: 'neq', value_type: 'string' },
  { name: 'in', value_type: 'array' },
  { name: 'not_in', value_type: 'array' },
] as const;

const GRANULARITIES: ReadonlyArray<{ name: Granularity; display_label: string }> = [
  { name: 'minute', display_label: 'Minute' },
  { name: 'hour', display_label: 'Hour' },
  { name: 'day', display_label: 'Day' },
  { name: 'week', display_label: 'Week' },
  { name: 'month', display_label: 'Month' },
];

/** The default and largest `limit` of /analytics/query. */
export const ANALYTICS_DEFAULT_LIMIT = 1000;
export const ANALYTICS_MAX_LIMIT = 10_000;

function analyticsMeta(data: StandInData): unknown {
  const missing = new Set(data.modes.analyticsMissing);
  return {
    data: {
      metrics: ANALYTICS_METRICS.filter((m) => !missing.has(m.name)).map((m) => ({
        name: m.name,
        display_label: m.display_label,
        is_rate: false,
        display_format: m.display_format,
      })),
      dimensions: ANALYTICS_DIMENSIONS.filter((d) => !missing.has(d.name)).map((d) => ({ name: d.name, display_label: d.display_label })),
      operators: OPERATORS.map((o) => ({ ...o })),
      granularities: GRANULARITIES.map((g) => ({ ...g })),
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function parseInstant(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

type Cell = string | number | null;

/** POST /analytics/query: validate like the real API (400 on what it refuses), then group and sum the events. */
function analyticsQuery(data: StandInData, now: Date, body: unknown): Answer {
  const bad = (message: string): Answer => error(400, message);
  if (!isRecord(body)) return bad('The request body must be a JSON object');
  const missing = new Set(data.modes.analyticsMissing);
  const metricSpecs = new Map(ANALYTICS_METRICS.filter((m) => !missing.has(m.name)).map((m) => [m.name, m]));
  const dimSpecs = new Map(ANALYTICS_DIMENSIONS.filter((d) => !missing.has(d.name)).map((d) => [d.name, d]));

  const { metrics, dimensions = [], filters = [], granularity = null, time_range: range, limit = ANALYTICS_DEFAULT_LIMIT, order_by: orderBy } = body;
  if (!isStringArray(metrics) || metrics.length === 0) return bad('metrics: a non-empty array of metric names is required');
  for (const m of metrics) if (!metricSpecs.has(m)) return bad(`Unknown metric: ${m}`);
  if (new Set(metrics).size !== metrics.length) return bad('metrics: each metric at most once');
  if (!isStringArray(dimensions)) return bad('dimensions: an array of dimension names');
  if (dimensions.length > 2) return bad('dimensions: at most 2');
  for (const d of dimensions) if (!dimSpecs.has(d)) return bad(`Unknown dimension: ${d}`);
  if (new Set(dimensions).size !== dimensions.length) return bad('dimensions: each dimension at most once');

  if (!Array.isArray(filters)) return bad('filters: an array');
  if (filters.length > 20) return bad('filters: at most 20');
  const tests: Array<{ dim: DimensionSpec; pass: (id: string | null) => boolean }> = [];
  for (const f of filters as unknown[]) {
    if (!isRecord(f) || typeof f.field !== 'string' || typeof f.operator !== 'string') return bad('filters: each is { field, operator, value }');
    const dim = dimSpecs.get(f.field);
    if (!dim) return bad(`Unknown filter field: ${f.field}`);
    const { value } = f;
    switch (f.operator) {
      case 'eq':
      case 'neq':
        if (typeof value !== 'string') return bad(`filters: ${f.operator} takes a string value`);
        tests.push({ dim, pass: f.operator === 'eq' ? (id) => id === value : (id) => id !== value });
        break;
      case 'in':
      case 'not_in':
        if (!isStringArray(value) || value.length === 0) return bad(`filters: ${f.operator} takes a non-empty array of strings`);
        tests.push({ dim, pass: f.operator === 'in' ? (id) => id !== null && value.includes(id) : (id) => id === null || !value.includes(id) });
        break;
      default:
        return bad(`Unsupported operator: ${f.operator}`);
    }
  }

  if (granularity !== null && !GRANULARITIES.some((g) => g.name === granularity)) return bad(`Unknown granularity: ${JSON.stringify(granularity)}`);
  const g = granularity as Granularity | null;

  const nowMs = now.getTime();
  let start = nowMs - 7 * DAY_MS;
  let end = nowMs;
  if (range !== undefined && range !== null) {
    if (!isRecord(range)) return bad('time_range: { start, end }');
    if (range.start !== undefined) {
      const t = parseInstant(range.start);
      if (t === undefined) return bad('time_range.start: an ISO date-time');
      start = t;
    }
    if (range.end !== undefined) {
      const t = parseInstant(range.end);
      if (t === undefined) return bad('time_range.end: an ISO date-time');
      end = t;
      if (range.start === undefined) start = end - 7 * DAY_MS;
    }
  }
  if (start >= end) return bad('time_range: start must be before end');
  if (end - start > 365 * DAY_MS) return bad('time_range: at most 365 days');
  if (start < nowMs - 365 * DAY_MS) return bad('time_range: data is kept for 365 days');
  for (const dim of [...dimensions.map((d) => dimSpecs.get(d)!), ...tests.map((t) => t.dim)]) {
    if (start < nowMs - dim.maxDays * DAY_MS) return bad(`${dim.name}: only the last ${dim.maxDays} days are available`);
  }
  if (g === 'minute' && end - start > 3 * 3_600_000) return bad('granularity minute: time_range at most 3 hours');

  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > ANALYTICS_MAX_LIMIT)
    return bad(`limit: an integer from 1 to ${ANALYTICS_MAX_LIMIT}`);
  const dateKey = g === null ? null : data.modes.analyticsDateKey === 'date' ? 'date' : `date__${g}`;
  let order: { field: string; desc: boolean } | undefined;
  if (orderBy !== undefined && orderBy !== null) {
    if (!isRecord(orderBy) || typeof orderBy.field !== 'string') return bad('order_by: { field, direction }');
    const known = [...metrics, ...dimensions, ...(dateKey === null ? [] : [dateKey, 'date'])];
    if (!known.includes(orderBy.field)) return bad(`order_by: unknown field ${orderBy.field}`);
    if (orderBy.direction !== undefined && orderBy.direction !== 'asc' && orderBy.direction !== 'desc') return bad('order_by.direction: asc or desc');
    order = { field: orderBy.field === 'date' && dateKey !== null ? dateKey : orderBy.field, desc: orderBy.direction !== 'asc' };
  }

  const names: Names = {
    keys: new Map([...data.deletedKeys, ...data.keys].map((k) => [k.hash, k.name])),
    workspaces: new Map(data.workspaces.map((w) => [w.id, w.name])),
  };
  const dims = dimensions.map((d) => dimSpecs.get(d)!);
  const mets = metrics.map((m) => metricSpecs.get(m)!);
  const groups = new Map<string, { cells: Record<string, Cell>; sums: number[] }>();
  for (const e of data.events) {
    const t = Date.parse(e.at);
    if (t < start || t >= end) continue;
    if (!tests.every(({ dim, pass }) => pass(dim.id(e)))) continue;
    const bucket = g === null ? '' : bucketStart(e.at, g);
    const id = JSON.stringify([bucket, ...dims.map((d) => d.id(e))]);
    let group = groups.get(id);
    if (!group) {
      const cells: Record<string, Cell> = {};
      if (dateKey !== null) cells[dateKey] = bucket;
      for (const d of dims) cells[d.name] = d.label(e, names);
      group = { cells, sums: mets.map(() => 0) };
      groups.set(id, group);
    }
    mets.forEach((m, i) => (group.sums[i]! += m.of(e)));
  }
  if (groups.size === 0 && dims.length === 0 && g === null) groups.set('', { cells: {}, sums: mets.map(() => 0) });

  const rows = [...groups.values()].map(({ cells, sums }) => {
    const r: Record<string, Cell> = { ...cells };
    if (data.modes.analyticsNullUnused) for (const d of ANALYTICS_DIMENSIONS) if (!(d.name in r)) r[d.name] = null;
    mets.forEach((m, i) => (r[m.name] = sums[i]!));
    return r;
  });
  const compare = (a: Cell | undefined, b: Cell | undefined): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return a < b ? -1 : 1;
  };
  const first = mets[0]!.name;
  rows.sort((a, b) => {
    if (order) {
      const c = compare(a[order.field], b[order.field]);
      if (c !== 0) return order.desc ? -c : c;
    }
    if (dateKey !== null) {
      const c = compare(a[dateKey], b[dateKey]);
      if (c !== 0) return c;
    }
    const c = compare(b[first], a[first]);
    if (c !== 0) return c;
    for (const d of dims) {
      const c2 = compare(a[d.name], b[d.name]);
      if (c2 !== 0) return c2;
    }
    return 0;
  });
  const truncated = rows.length > limit;
  const sent = rows.slice(0, limit);
  const strings = data.modes.analyticsStrings;
  if (strings !== 'none') {
    for (const r of sent) for (const m of mets) if (strings === 'all' || m.count) r[m.name] = String(r[m.name]);
  }
  return json(200, { data: { data: sent, metadata: { query_time_ms: 7, row_count: sent.length, truncated } } });
}

// ---------------------------------------------------------------------------------------------
// The server.

export type FaultPath = '/key' | '/credits' | '/activity' | '/keys' | '/workspaces' | '/analytics/meta' | '/analytics/query';

export interface RecordedRequest {
  method: string;
  /** Path relative to the base URL (`/key`, `/credits`…); the raw path if outside `/api/v1`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** Epoch ms (fractional) when the request arrived. */
  startedAt: number;
  /** Epoch ms when the answer was fully written or the socket destroyed; unset while hanging. */
  endedAt?: number;
  headers: IncomingHttpHeaders;
  /** The request body as sent (only when there was one). */
  rawBody?: string;
  /** The body parsed as JSON (only when there was one and it parsed), e.g. an analytics query. */
  body?: unknown;
}

export type Fault = (
  | { status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' }
  | { kind: 'truncated-json' }
  | { kind: 'html'; status: number }
  | { kind: 'json'; body: unknown; status?: number }
  | { kind: 'slow-drip'; intervalMs: number }
  | { kind: 'redirect'; location: string; status?: number }
) & {
  /** Only the first N matching requests get the fault; later ones are answered normally. */
  times?: number;
};

export interface StandIn {
  /** Base URL for OPENROUTER_BASE_URL, e.g. http://127.0.0.1:PORT/api/v1 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The clock the data was built from (and analytics' "now"). */
  now: Date;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Requests to one path (relative to the base URL). */
  requestsTo(path: string): RecordedRequest[];
  /** The parsed bodies of the analytics queries asked so far, in order. */
  analyticsQueries(): unknown[];
  setFault(path: FaultPath, fault: Fault | undefined): void;
  /**
   * Replace parts of the data. With `events` in the patch, every derived view the patch does not
   * also give (apiKeyInfo's and keys' counters, activity, credits' total_usage) is re-derived from
   * them; a view given is served as is.
   */
  setData(patch: Partial<StandInData>): void;
  /** Change some modes (see StandInModes). */
  setModes(patch: Partial<StandInModes>): void;
  readonly data: StandInData;
  /** Delay added before every answer. */
  latencyMs: number;
  /** Closes the server and destroys open sockets (hanging ones too). */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

const clock = (): number => performance.timeOrigin + performance.now();

function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value), headers: { 'content-type': JSON_TYPE } };
}

/** OpenRouter's error body. */
export function errorBody(code: number, message: string): { error: { code: number; message: string } } {
  return { error: { code, message } };
}

function error(code: number, message: string): Answer {
  return json(code, errorBody(code, message));
}

export function htmlErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return [
    '<html>',
    `<head><title>${title}</title></head>`,
    '<body>',
    `<center><h1>${title}</h1></center>`,
    '<hr><center>cloudflare</center>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n');
}

/** The body the truncated-json fault sends. */
export const TRUNCATED_JSON = '{"data":{"label":';

const FORBIDDEN = 'Only management keys can perform this operation';

const PATHS: readonly FaultPath[] = ['/key', '/credits', '/activity', '/keys', '/workspaces', '/analytics/meta', '/analytics/query'];

function route(path: string): FaultPath | undefined {
  if (path === '/auth/key') return '/key';
  return PATHS.find((p) => p === path);
}

function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/** A non-negative integer query parameter, `fallback` when absent; undefined when malformed. */
function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

interface Asked {
  method: string;
  endpoint: FaultPath | undefined;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
  /** The body was not JSON. */
  badBody: boolean;
}

/** The workspace a key is listed in: its own, or the default one for keys from before workspaces. */
function workspaceOfKey(data: StandInData, k: Pick<KeyListItem, 'workspace_id'>): string | null {
  return k.workspace_id ?? data.workspaces[0]?.id ?? null;
}

function normalAnswer(data: StandInData, now: Date, asked: Asked): Answer {
  const { endpoint, query } = asked;
  if (!endpoint) return error(404, 'Not Found');
  // Accounts without the endpoint: it does not exist for them, whoever asks.
  if (endpoint === '/workspaces' && data.modes.workspaces === 404) return error(404, 'Not Found');
  if (endpoint.startsWith('/analytics/') && data.modes.analytics === 404) return error(404, 'Not Found');
  const method = endpoint === '/analytics/query' ? 'POST' : 'GET';
  if (asked.method !== method) return error(405, 'Method Not Allowed');

  const match = /^Bearer\s+(\S+)\s*$/i.exec(asked.authorization ?? '');
  const token = match?.[1];
  if (!token) return error(401, 'No auth credentials found');
  const isApi = token === API_KEY;
  const isMgmt = token === MGMT_KEY;
  if (!isApi && !isMgmt) return error(401, 'User not found.');

  const knownWorkspace = (id: string): boolean => data.workspaces.some((w) => w.id === id);

  switch (endpoint) {
    case '/key':
      return json(200, { data: isMgmt ? data.mgmtKeyInfo : data.apiKeyInfo });
    case '/credits':
      if (!isMgmt) return error(403, FORBIDDEN);
      return json(200, { data: data.credits });
    case '/activity': {
      if (!isMgmt) return error(403, FORBIDDEN);
      const hash = query.get('api_key_hash');
      const workspaceId = query.get('workspace_id');
      const groupBy = query.get('group_by');
      if (groupBy !== null && groupBy !== 'workspace') return error(400, 'group_by: only workspace is supported');
      if (workspaceId !== null && !knownWorkspace(workspaceId)) return error(404, 'Workspace not found');
      const date = query.get('date');
      if (date !== null && (!isDay(date) || date < utcDay(now, -30) || date > utcDay(now, -1))) {
        return error(400, 'Date must be within the last 30 (completed) UTC days');
      }
      const byWorkspace = groupBy === 'workspace';
      let rows: ActivityRow[];
      if (activityIsDerived(data)) {
        rows = activityOf(data.events, now, {
          includeToday: data.modes.activityIncludesToday,
          byWorkspace,
          ...(hash === null ? {} : { keyHash: hash }),
          ...(workspaceId === null ? {} : { workspaceId }),
        });
      } else {
        // Rows a test put in: attributed to keys by MADE_BY, in the workspace of that key (else the default one).
        const today = utcDay(now, 0);
        const keyWorkspace = new Map(data.keys.map((k) => [k.hash, workspaceOfKey(data, k)]));
        const workspaceOf = (r: ActivityRow): string | null => keyWorkspace.get(madeByOf(r) ?? '') ?? data.workspaces[0]?.id ?? null;
        rows = data.activity.filter(
          (r) =>
            (data.modes.activityIncludesToday || r.date < today) &&
            (hash === null || madeByOf(r) === hash) &&
            (workspaceId === null || workspaceOf(r) === workspaceId),
        );
        if (byWorkspace) rows = rows.map((r) => ({ ...r, workspace_id: workspaceOf(r) ?? '' }));
      }
      return json(200, { data: date === null ? rows : rows.filter((r) => r.date === date) });
    }
    case '/keys': {
      if (!isMgmt) return error(403, FORBIDDEN);
      const offset = intParam(query, 'offset', 0);
      if (offset === undefined) return error(400, 'offset must be a non-negative integer');
      const workspaceId = query.get('workspace_id');
      if (workspaceId !== null && !knownWorkspace(workspaceId)) return error(404, 'Workspace not found');
      // Without workspace_id, the default workspace's keys only, as the real API.
      const target = workspaceId ?? data.workspaces[0]?.id ?? null;
      const includeDisabled = query.get('include_disabled') === 'true';
      const listed = data.keys.filter((k) => (includeDisabled || !k.disabled) && workspaceOfKey(data, k) === target);
      return json(200, { data: listed.slice(offset, offset + data.keysPageSize) });
    }
    case '/workspaces': {
      if (!isMgmt || data.modes.workspaces === 403) return error(403, FORBIDDEN);
      const offset = intParam(query, 'offset', 0);
      const limit = intParam(query, 'limit', 50);
      if (offset === undefined) return error(400, 'offset must be a non-negative integer');
      if (limit === undefined || limit < 1 || limit > 100) return error(400, 'limit must be an integer from 1 to 100');
      return json(200, { data: data.workspaces.slice(offset, offset + limit), total_count: data.workspaces.length });
    }
    case '/analytics/meta':
      if (!isMgmt || data.modes.analytics === 403) return error(403, FORBIDDEN);
      return json(200, analyticsMeta(data));
    case '/analytics/query':
      if (!isMgmt || data.modes.analytics === 403) return error(403, FORBIDDEN);
      if (asked.badBody) return error(400, 'The request body must be JSON');
      return analyticsQuery(data, now, asked.body);
  }
}

/** Options of startStandIn: the clock, a latency, and which account (see DataOptions) in which modes. */
export interface StandInOptions extends DataOptions {
  now?: Date;
  latencyMs?: number;
  modes?: Partial<StandInModes>;
}

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const now = opts.now ?? new Date();
  const built = buildData(now, opts);
  let data = built;
  const faults = new Map<FaultPath, { fault: Fault; hits: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let closed = false;

  const setData = (patch: Partial<StandInData>): void => {
    const next: StandInData = { ...data, ...patch };
    if (patch.events !== undefined) {
      const fresh = recount(next, now);
      if (patch.apiKeyInfo === undefined) next.apiKeyInfo = fresh.apiKeyInfo;
      if (patch.keys === undefined) next.keys = fresh.keys;
      if (patch.activity === undefined) next.activity = fresh.activity;
      if (patch.credits === undefined) next.credits = fresh.credits;
    } else if (patch.modes !== undefined && patch.activity === undefined && activityIsDerived(data)) {
      next.activity = derivedActivity(next, now);
    }
    data = next;
  };
  if (opts.modes) setData({ modes: { ...data.modes, ...opts.modes } });

  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const takeFault = (endpoint: FaultPath | undefined): Fault | undefined => {
    if (!endpoint) return undefined;
    const entry = faults.get(endpoint);
    if (!entry) return undefined;
    if (entry.fault.times !== undefined && entry.hits >= entry.fault.times) return undefined;
    entry.hits++;
    return entry.fault;
  };

  const send = (res: ServerResponse, a: Answer): void => {
    const body = Buffer.from(a.body);
    res.writeHead(a.status, { ...a.headers, 'content-length': String(body.length) });
    res.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length) : url.pathname;
    const method = req.method ?? 'GET';
    const rec: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      authorization: req.headers.authorization,
      startedAt: clock(),
      headers: req.headers,
    };
    requests.push(rec);
    const ended = (): void => {
      rec.endedAt ??= clock();
    };
    res.on('finish', ended);

    const endpoint = url.pathname.startsWith(`${BASE_PATH}/`) ? route(path) : undefined;
    let badBody = false;
    const respond = (): void => {
      if (closed || res.destroyed) return;
      const normal = (): Answer =>
        normalAnswer(data, now, { method, endpoint, query: url.searchParams, authorization: rec.authorization, body: rec.body, badBody });
      const fault = takeFault(endpoint);
      if (!fault) return send(res, normal());
      if ('status' in fault && !('kind' in fault)) {
        const body = fault.body ?? JSON.stringify(errorBody(fault.status, STATUS_CODES[fault.status] ?? 'Error'));
        const type = /^\s*[[{]/.test(body) ? JSON_TYPE : 'text/plain; charset=utf-8';
        return send(res, { status: fault.status, body, headers: { 'content-type': type, ...fault.headers } });
      }
      switch (fault.kind) {
        case 'hang':
          return;
        case 'reset':
          ended();
          req.socket.resetAndDestroy();
          return;
        case 'reset-mid-body': {
          const body = Buffer.from(normal().body);
          res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': String(body.length) });
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
            later(() => {
              ended();
              req.socket.destroy();
            }, 20);
          });
          return;
        }
        case 'truncated-json':
          return send(res, { status: 200, body: TRUNCATED_JSON, headers: { 'content-type': JSON_TYPE } });
        case 'html':
          return send(res, {
            status: fault.status,
            body: htmlErrorPage(fault.status),
            headers: { 'content-type': 'text/html', server: 'cloudflare' },
          });
        case 'json':
          return send(res, json(fault.status ?? 200, fault.body));
        case 'slow-drip': {
          const a = normal();
          const body = Buffer.from(a.body);
          res.writeHead(a.status, { ...a.headers, 'content-length': String(body.length) });
          let i = 0;
          const drip = (): void => {
            if (closed || res.destroyed) return;
            if (i >= body.length) {
              res.end();
              return;
            }
            res.write(body.subarray(i, i + 1));
            i++;
            later(drip, fault.intervalMs);
          };
          drip();
          return;
        }
        case 'redirect':
          return send(res, { status: fault.status ?? 302, body: '', headers: { location: fault.location } });
      }
    };

    // Read the whole body first (recorded, parsed when JSON), then answer.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (chunks.length > 0) {
        rec.rawBody = Buffer.concat(chunks).toString('utf8');
        try {
          rec.body = JSON.parse(rec.rawBody) as unknown;
        } catch {
          badBody = true;
        }
      } else if (method === 'POST') {
        badBody = true;
      }
      const latency = standIn.latencyMs;
      if (latency > 0) later(respond, latency);
      else respond();
    });
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const standIn: StandIn = {
    url: `${origin}${BASE_PATH}`,
    origin,
    now,
    requests,
    latencyMs: opts.latencyMs ?? 0,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    analyticsQueries: () => requests.filter((r) => r.path === '/analytics/query').map((r) => r.body),
    setFault(path, fault) {
      if (fault) faults.set(path, { fault, hits: 0 });
      else faults.delete(path);
    },
    setData,
    setModes(patch) {
      setData({ modes: { ...data.modes, ...patch } });
    },
    get data() {
      return data;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
  };
  return standIn;
}
