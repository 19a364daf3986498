// A local stand-in for the OpenRouter API (see /work/shared/openrouter-api.md for the real shapes),
// with fault injection, so tests never reach the internet.
import { createHash } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const BASE_PATH = '/api/v1';
const KEY_PREFIX = 'sk-or-v1-';

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
}

/**
 * Which key made an /activity row (its `hash` as /keys lists it): stand-in bookkeeping, never
 * sent, since JSON.stringify skips symbol keys (object spread keeps them). `/activity?api_key_hash=`
 * answers with the rows attributed to that hash only; rows without an attribution (the default
 * data, whose every row is shared 60/40 by two keys) belong to no single key and never match.
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
  workspace_id: string | null;
}

export interface StandInData {
  /** `/key` answer for API_KEY. */
  apiKeyInfo: KeyInfo;
  /** `/key` answer for MGMT_KEY. */
  mgmtKeyInfo: KeyInfo;
  /** `/credits` answer for MGMT_KEY. */
  credits: Credits;
  /** All `/activity` rows (the `date` query parameter filters them). */
  activity: ActivityRow[];
  /** All keys `/keys` lists (disabled ones only with `include_disabled=true`). */
  keys: KeyListItem[];
  /** How many keys one `/keys` page holds. */
  keysPageSize: number;
}

// ---------------------------------------------------------------------------------------------
// Default data. Tests compute their expectations from these builders, never from copies.

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** `YYYY-MM-DD` of the UTC day `offsetDays` away from `now`'s UTC day (-1 = yesterday). */
export function utcDay(now: Date, offsetDays = 0): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays));
  return d.toISOString().slice(0, 10);
}

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

// The account has two live keys sharing every activity row 60/40, and a key disabled before the
// 30 days /activity covers. The rows dated today are today's live spend. So by default the keys'
// counters, the activity and the credits agree, as on a real account whose keys were never deleted.
const API_KEY_SHARE = 0.6;
const CI_KEY_SHARE = 0.4;

/** Counters of a key that made `share` of every activity row, plus spend older than 30 days. */
function countersFor(now: Date, share: number, older: { usage: number; byok: number }): Counters {
  const today = utcDay(now, 0);
  const weekStart = utcDay(now, -((now.getUTCDay() + 6) % 7));
  const monthStart = utcDay(now, -(now.getUTCDate() - 1));
  const c = { ...ZERO_COUNTERS };
  for (const r of defaultActivityRows(now)) {
    const u = r.usage * share;
    const b = r.byok_usage_inference * share;
    c.usage += u;
    c.byok_usage += b;
    if (r.date === today) {
      c.usage_daily += u;
      c.byok_usage_daily += b;
    }
    if (r.date >= weekStart) {
      c.usage_weekly += u;
      c.byok_usage_weekly += b;
    }
    if (r.date >= monthStart) {
      c.usage_monthly += u;
      c.byok_usage_monthly += b;
    }
  }
  c.usage += older.usage;
  c.byok_usage += older.byok;
  for (const k of Object.keys(c) as Array<keyof Counters>) c[k] = round6(c[k]);
  return c;
}

/** `/key` for API_KEY: 60 % of the activity, live (today included), no cap. */
export function defaultApiKeyInfo(now: Date = new Date()): KeyInfo {
  return {
    label: maskKey(API_KEY),
    ...countersFor(now, API_KEY_SHARE, { usage: 3.2109, byok: 0.4321 }),
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    is_free_tier: false,
    is_management_key: false,
    is_provisioning_key: false,
    expires_at: null,
    creator_user_id: 'user_2standinCreator',
    organization_id: null,
    workspace_id: null,
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    free_model_daily_requests: { limit: 1000, remaining: 997, used: 3 },
    allowed_data_regions: ['global'],
  };
}

/** `/key` for MGMT_KEY: a management key cannot spend, so its own counters are zero. */
export function defaultMgmtKeyInfo(): KeyInfo {
  return {
    ...defaultApiKeyInfo(),
    ...ZERO_COUNTERS,
    label: maskKey(MGMT_KEY),
    is_management_key: true,
    is_provisioning_key: true,
    free_model_daily_requests: { limit: 1000, remaining: 1000, used: 0 },
  };
}

/** Credits bought, and used: what the keys spent plus $2.50 by keys deleted long ago. */
export function defaultCredits(now: Date = new Date()): Credits {
  const used = defaultKeys(now).reduce((sum, k) => sum + k.usage, 0) + 2.5;
  return { total_credits: 100, total_usage: round6(used) };
}

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
  /** Which completed days (1 = yesterday … 30) have traffic. */
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

/**
 * Today's spend so far: in the keys' live counters, but never in the real /activity (it has no
 * "today"). The stand-in sends these rows anyway; the CLI must ignore them.
 */
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

function endpointId(spec: EndpointSpec): string {
  const h = createHash('sha256').update(`${spec.model}|${spec.provider}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

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

/**
 * Rows for the 30 completed UTC days before `now` (newest first), plus two rows dated today
 * that the real API would never send.
 */
export function defaultActivityRows(now: Date): ActivityRow[] {
  const rows: ActivityRow[] = TODAY_ENDPOINTS.map((spec, i) => row(spec, i, utcDay(now, 0), 0));
  for (let daysAgo = 1; daysAgo <= 30; daysAgo++) {
    const date = utcDay(now, -daysAgo);
    ENDPOINTS.forEach((spec, i) => {
      if (spec.active(daysAgo)) rows.push(row(spec, i, date, daysAgo));
    });
  }
  return rows;
}

function keyHash(name: string): string {
  return createHash('sha256').update(`key-hash|${name}`).digest('hex');
}

/** `/keys`: the API key, a capped CI key, and a disabled key with only old spend. */
export function defaultKeys(now: Date = new Date()): KeyListItem[] {
  const api = defaultApiKeyInfo(now);
  const ci = countersFor(now, CI_KEY_SHARE, { usage: 1.75, byok: 0 });
  const base = {
    include_byok_in_limit: false,
    created_at: '2025-01-15T10:00:00.000Z',
    updated_at: null,
    expires_at: null,
    creator_user_id: 'user_2standinCreator',
    external_user: null,
    workspace_id: null,
  };
  const countersOf = (k: Counters): Counters => ({
    usage: k.usage,
    usage_daily: k.usage_daily,
    usage_weekly: k.usage_weekly,
    usage_monthly: k.usage_monthly,
    byok_usage: k.byok_usage,
    byok_usage_daily: k.byok_usage_daily,
    byok_usage_weekly: k.byok_usage_weekly,
    byok_usage_monthly: k.byok_usage_monthly,
  });
  return [
    {
      ...base,
      hash: keyHash('default'),
      name: 'default',
      label: api.label,
      disabled: false,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      ...countersOf(api),
    },
    {
      ...base,
      hash: keyHash('ci'),
      name: 'ci',
      label: maskKey(fakeKey('c', 'ci key')),
      disabled: false,
      limit: 50,
      limit_remaining: round6(50 - ci.usage_monthly),
      limit_reset: 'monthly',
      ...ci,
      updated_at: '2025-06-01T08:30:00.000Z',
    },
    {
      ...base,
      hash: keyHash('old'),
      name: 'old laptop',
      label: maskKey(fakeKey('d', 'old key')),
      disabled: true,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      ...ZERO_COUNTERS,
      usage: 1.5,
    },
  ];
}

export function defaultData(now: Date): StandInData {
  return {
    apiKeyInfo: defaultApiKeyInfo(now),
    mgmtKeyInfo: defaultMgmtKeyInfo(),
    credits: defaultCredits(now),
    activity: defaultActivityRows(now),
    keys: defaultKeys(now),
    // As documented for the real /keys: "the most recent 100 API keys", paged by offset.
    keysPageSize: 100,
  };
}

// ---------------------------------------------------------------------------------------------
// The server.

export type FaultPath = '/key' | '/credits' | '/activity' | '/keys';

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
  /** The clock the default data was built from. */
  now: Date;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Requests to one path (relative to the base URL). */
  requestsTo(path: string): RecordedRequest[];
  setFault(path: FaultPath, fault: Fault | undefined): void;
  /** Replace parts of the data. */
  setData(patch: Partial<StandInData>): void;
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

function route(path: string): FaultPath | undefined {
  if (path === '/auth/key') return '/key';
  if (path === '/key' || path === '/credits' || path === '/activity' || path === '/keys') return path;
  return undefined;
}

function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

function normalAnswer(
  data: StandInData,
  now: Date,
  method: string,
  endpoint: FaultPath | undefined,
  query: URLSearchParams,
  authorization: string | undefined,
): Answer {
  if (!endpoint) return error(404, 'Not Found');
  if (method !== 'GET') return error(405, 'Method Not Allowed');

  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (!token) return error(401, 'No auth credentials found');
  const isApi = token === API_KEY;
  const isMgmt = token === MGMT_KEY;
  if (!isApi && !isMgmt) return error(401, 'User not found.');

  switch (endpoint) {
    case '/key':
      return json(200, { data: isMgmt ? data.mgmtKeyInfo : data.apiKeyInfo });
    case '/credits':
      if (!isMgmt) return error(403, FORBIDDEN);
      return json(200, { data: data.credits });
    case '/activity': {
      if (!isMgmt) return error(403, FORBIDDEN);
      const hash = query.get('api_key_hash');
      const rows = hash === null ? data.activity : data.activity.filter((r) => madeByOf(r) === hash);
      const date = query.get('date');
      if (date === null) return json(200, { data: rows });
      const oldest = utcDay(now, -30);
      const newest = utcDay(now, -1);
      if (!isDay(date) || date < oldest || date > newest) {
        return error(400, 'Date must be within the last 30 (completed) UTC days');
      }
      return json(200, { data: rows.filter((r) => r.date === date) });
    }
    case '/keys': {
      if (!isMgmt) return error(403, FORBIDDEN);
      const rawOffset = query.get('offset') ?? '0';
      if (!/^\d+$/.test(rawOffset)) return error(400, 'offset must be a non-negative integer');
      const offset = Number(rawOffset);
      const includeDisabled = query.get('include_disabled') === 'true';
      const listed = data.keys.filter((k) => includeDisabled || !k.disabled);
      return json(200, { data: listed.slice(offset, offset + data.keysPageSize) });
    }
  }
}

export async function startStandIn(opts: { now?: Date; latencyMs?: number } = {}): Promise<StandIn> {
  const now = opts.now ?? new Date();
  let data = defaultData(now);
  const faults = new Map<FaultPath, { fault: Fault; hits: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let closed = false;

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
    req.resume();

    const endpoint = url.pathname.startsWith(`${BASE_PATH}/`) ? route(path) : undefined;
    const respond = (): void => {
      if (closed || res.destroyed) return;
      const normal = (): Answer => normalAnswer(data, now, method, endpoint, url.searchParams, rec.authorization);
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

    const latency = standIn.latencyMs;
    if (latency > 0) later(respond, latency);
    else respond();
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
    setFault(path, fault) {
      if (fault) faults.set(path, { fault, hits: 0 });
      else faults.delete(path);
    },
    setData(patch) {
      data = { ...data, ...patch };
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
