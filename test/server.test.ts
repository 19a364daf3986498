// Tests of the OpenRouter stand-in itself: if these fail, e2e results mean nothing.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  API_KEY,
  API_KEY_HASH,
  DEFAULT_WORKSPACE_ID,
  DELETED_THIS_MONTH_KEY_HASH,
  MGMT_KEY,
  PRODUCTION_WORKSPACE_ID,
  RESEARCH_WORKSPACE_ID,
  RETIRED_KEY_HASH,
  TRUNCATED_JSON,
  bucketStart,
  buildData,
  dayOf,
  defaultActivityRows,
  defaultApiKeyInfo,
  defaultCredits,
  defaultEvents,
  defaultKeys,
  defaultMgmtKeyInfo,
  eventsWhere,
  fakeKey,
  madeBy,
  maskKey,
  multiWorkspaceData,
  periodStarts,
  secretOf,
  startStandIn,
  totalsOf,
  utcDay,
  type ActivityRow,
  type DataOptions,
  type KeyListItem,
  type SpendEvent,
  type StandIn,
  type Workspace,
} from './server.js';

const KEY_FIELDS = [
  'label',
  'usage',
  'usage_daily',
  'usage_weekly',
  'usage_monthly',
  'byok_usage',
  'byok_usage_daily',
  'byok_usage_weekly',
  'byok_usage_monthly',
  'limit',
  'limit_remaining',
  'limit_reset',
  'include_byok_in_limit',
  'is_free_tier',
  'is_management_key',
  'is_provisioning_key',
  'creator_user_id',
  'rate_limit',
  'free_model_daily_requests',
  'allowed_data_regions',
];

const ACTIVITY_FIELDS = [
  'date',
  'model',
  'model_permaslug',
  'endpoint_id',
  'provider_name',
  'usage',
  'byok_usage_inference',
  'requests',
  'prompt_tokens',
  'completion_tokens',
  'reasoning_tokens',
].sort();

let s: StandIn;
beforeEach(async () => {
  // A fixed moment (a mid-month Wednesday, noon UTC), so no test depends on the real date or time of day.
  s = await startStandIn({ now: new Date('2026-03-11T12:00:00.000Z') });
});
afterEach(async () => {
  await s.close();
});

/** `key` null: no Authorization header. */
function get(path: string, key: string | null = API_KEY, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${s.url}${path}`, { headers, signal: AbortSignal.timeout(5000), ...init });
}

async function getJson(path: string, key: string | null = API_KEY): Promise<{ status: number; body: any }> {
  const res = await get(path, key);
  return { status: res.status, body: await res.json() };
}

const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((acc, x) => acc + f(x), 0);

describe('fake keys', () => {
  test('look like real keys but are built at run time', () => {
    for (const key of [API_KEY, MGMT_KEY]) {
      expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    }
    expect(API_KEY).not.toBe(MGMT_KEY);
    expect(API_KEY.startsWith('sk-or-v1-aaaaaaaa')).toBe(true);
    expect(fakeKey('c', 'x')).toMatch(/^sk-or-v1-c{8}[0-9a-f]{56}$/);
    expect(secretOf(API_KEY)).toHaveLength(64);
    expect(maskKey(API_KEY)).toBe(`sk-or-v1-${secretOf(API_KEY).slice(0, 3)}...${secretOf(API_KEY).slice(-3)}`);
  });
});

describe('routing and keys', () => {
  test('url is a loopback base URL ending in /api/v1', () => {
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  });

  test('/key with the API key returns every documented field', async () => {
    const { status, body } = await getJson('/key');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['data']);
    for (const f of KEY_FIELDS) expect(body.data).toHaveProperty(f);
    expect(body.data).toEqual(defaultApiKeyInfo(s.now));
    expect(body.data.label).toBe(maskKey(API_KEY));
    expect(body.data.is_management_key).toBe(false);
    expect(body.data.limit).toBeNull();
  });

  test('/auth/key is the legacy alias of /key', async () => {
    const { status, body } = await getJson('/auth/key');
    expect(status).toBe(200);
    expect(body.data).toEqual(defaultApiKeyInfo(s.now));
  });

  test('/key with the management key says so and has zero counters', async () => {
    const { status, body } = await getJson('/key', MGMT_KEY);
    expect(status).toBe(200);
    expect(body.data).toEqual(defaultMgmtKeyInfo());
    expect(body.data.is_management_key).toBe(true);
    expect(body.data.is_provisioning_key).toBe(true);
    expect(body.data.usage_daily).toBe(0);
  });

  test('/credits: management key only', async () => {
    expect(await getJson('/credits', MGMT_KEY)).toEqual({ status: 200, body: { data: defaultCredits(s.now) } });
    const denied = await getJson('/credits', API_KEY);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: { code: 403, message: expect.any(String) } });
  });

  test.each(['/activity', '/keys'])('%s answers 403 to the API key', async (path) => {
    const { status, body } = await getJson(path, API_KEY);
    expect(status).toBe(403);
    expect(body.error.code).toBe(403);
  });

  test.each([
    ['no header', null],
    ['an unknown key', fakeKey('e', 'unknown')],
    ['an empty bearer', ''],
  ])('401 with %s', async (_name, key) => {
    for (const path of ['/key', '/credits', '/activity', '/keys']) {
      const { status, body } = await getJson(path, key);
      expect(status).toBe(401);
      expect(body).toEqual({ error: { code: 401, message: expect.any(String) } });
    }
  });

  test('unknown path → 404, outside /api/v1 too', async () => {
    expect((await get('/nope')).status).toBe(404);
    const res = await fetch(`${s.origin}/key`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(404);
  });

  test('records every request in order with path, query, auth and times', async () => {
    await get('/key');
    await get('/activity?date=2020-01-01', MGMT_KEY);
    await get('/credits', null);
    expect(s.requests.map((r) => r.path)).toEqual(['/key', '/activity', '/credits']);
    expect(s.requests[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(s.requests[1]?.query.get('date')).toBe('2020-01-01');
    expect(s.requests[2]?.authorization).toBeUndefined();
    for (const r of s.requests) {
      expect(r.method).toBe('GET');
      expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
      expect(r.headers.host).toBe(new URL(s.url).host);
    }
    expect(s.requestsTo('/key')).toHaveLength(1);
  });
});

describe('/activity', () => {
  test('30 completed days plus a row dated today, several providers per model', async () => {
    const { status, body } = await getJson('/activity', MGMT_KEY);
    expect(status).toBe(200);
    const rows = body.data as Array<Record<string, unknown>>;
    expect(rows).toEqual(defaultActivityRows(s.now));
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(ACTIVITY_FIELDS);
    const dates = new Set(rows.map((r) => r.date));
    expect(dates.has(utcDay(s.now, 0))).toBe(true);
    expect(dates.has(utcDay(s.now, -1))).toBe(true);
    expect(dates.has(utcDay(s.now, -30))).toBe(true);
    expect(dates.has(utcDay(s.now, -31))).toBe(false);
    const yesterday = rows.filter((r) => r.date === utcDay(s.now, -1) && r.model === 'openai/gpt-4.1');
    expect(yesterday.map((r) => r.provider_name).sort()).toEqual(['Azure', 'OpenAI']);
    const shortNames = new Set(rows.map((r) => String(r.model)).filter((m) => m.endsWith('/gpt-oss-120b')));
    expect(shortNames.size).toBe(2);
  });

  test('default rows are built relative to the given now', async () => {
    const now = new Date('2025-03-01T12:00:00Z');
    const fixed = await startStandIn({ now });
    try {
      const res = await fetch(`${fixed.url}/activity`, { headers: { authorization: `Bearer ${MGMT_KEY}` } });
      const rows = ((await res.json()) as { data: Array<{ date: string }> }).data;
      const dates = [...new Set(rows.map((r) => r.date))].sort();
      expect(dates[0]).toBe('2025-01-30');
      expect(dates.at(-1)).toBe('2025-03-01');
      expect(dates).toContain('2025-02-28');
    } finally {
      await fixed.close();
    }
  });

  test('honours date, and refuses dates outside the last 30 completed days', async () => {
    const day = utcDay(s.now, -3);
    const { status, body } = await getJson(`/activity?date=${day}`, MGMT_KEY);
    expect(status).toBe(200);
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data).toEqual(defaultActivityRows(s.now).filter((r) => r.date === day));
    for (const bad of [utcDay(s.now, 0), utcDay(s.now, -31), 'yesterday']) {
      const res = await getJson(`/activity?date=${bad}`, MGMT_KEY);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
  });
});

describe('/activity by key', () => {
  test('api_key_hash answers with the rows attributed to that key, and the attribution is never sent', async () => {
    const [mine, theirs] = defaultKeys(s.now).map((k) => k.hash);
    const rows = defaultActivityRows(s.now).map((r, i) => madeBy(r, i % 3 === 0 ? mine! : theirs!));
    s.setData({ activity: rows });
    const all = (await getJson('/activity', MGMT_KEY)).body.data as Array<Record<string, unknown>>;
    expect(all).toEqual(defaultActivityRows(s.now));
    for (const r of all) expect(Object.keys(r).sort()).toEqual(ACTIVITY_FIELDS);
    const own = (await getJson(`/activity?api_key_hash=${mine}`, MGMT_KEY)).body.data;
    expect(own).toEqual(defaultActivityRows(s.now).filter((_, i) => i % 3 === 0));
    const day = utcDay(s.now, -2);
    const ownDay = (await getJson(`/activity?api_key_hash=${mine}&date=${day}`, MGMT_KEY)).body.data;
    expect(ownDay).toEqual(own.filter((r: { date: string }) => r.date === day));
    expect((await getJson('/activity?api_key_hash=nobody', MGMT_KEY)).body.data).toEqual([]);
  });

  test('rows put in without an attribution belong to no single key', async () => {
    s.setData({ activity: defaultActivityRows(s.now) });
    const { status, body } = await getJson(`/activity?api_key_hash=${defaultKeys(s.now)[0]!.hash}`, MGMT_KEY);
    expect(status).toBe(200);
    expect(body.data).toEqual([]);
  });

  test('derived rows: api_key_hash answers with that key’s own events, summed per day and endpoint', async () => {
    const hash = defaultKeys(s.now)[1]!.hash;
    const rows = (await getJson(`/activity?api_key_hash=${hash}`, MGMT_KEY)).body.data as ActivityRow[];
    const own = eventsWhere(s.data.events, { keyHash: hash, fromDay: utcDay(s.now, -30) });
    expect(rows.length).toBeGreaterThan(0);
    expect(sum(rows, (r) => r.usage)).toBeCloseTo(totalsOf(own).usage, 4);
    expect(sum(rows, (r) => r.requests)).toBe(totalsOf(own).requests);
    expect(sum(rows, (r) => r.usage)).toBeLessThan(sum(defaultActivityRows(s.now), (r) => r.usage));
  });
});

describe('/keys', () => {
  test('pages with offset until an empty page; disabled keys only on request', async () => {
    const page = async (q: string): Promise<Array<{ hash: string; disabled: boolean }>> => (await getJson(`/keys${q}`, MGMT_KEY)).body.data;
    const enabled = defaultKeys(s.now).filter((k) => !k.disabled);
    expect(await page('')).toEqual(enabled.slice(0, 2));
    expect(await page('?offset=2')).toEqual(enabled.slice(2));
    expect(await page('?offset=2&include_disabled=true')).toEqual(defaultKeys(s.now).slice(2, 4));
    expect(await page('?offset=3&include_disabled=true')).toEqual([]);
    expect((await getJson('/keys?offset=-1', MGMT_KEY)).status).toBe(400);
  });
});

describe('default data is one consistent account', () => {
  test.each([
    ['a Wednesday mid-month', '2025-03-12T15:00:00Z'],
    ['a Monday', '2025-03-10T08:00:00Z'],
    ['the 1st of a month', '2025-03-01T23:59:00Z'],
    ['the 31st of a month', '2025-03-31T00:01:00Z'],
  ])('%s: keys’ counters add up to the activity, credits cover the keys', (_name, iso) => {
    const now = new Date(iso);
    const rows = defaultActivityRows(now);
    const sumRows = (from: string, field: 'usage' | 'byok_usage_inference'): number => rows.filter((r) => r.date >= from).reduce((sum, r) => sum + r[field], 0);
    const dow = (now.getUTCDay() + 6) % 7;
    const windows = {
      daily: utcDay(now, 0),
      weekly: utcDay(now, -dow),
      monthly: utcDay(now, 1 - now.getUTCDate()),
    };
    const keys = defaultKeys(now);
    for (const [period, from] of Object.entries(windows) as Array<[keyof typeof windows, string]>) {
      const total = keys.reduce((sum, k) => sum + k[`usage_${period}`], 0);
      const byok = keys.reduce((sum, k) => sum + k[`byok_usage_${period}`], 0);
      expect(total, period).toBeCloseTo(sumRows(from, 'usage'), 5);
      expect(byok, period).toBeCloseTo(sumRows(from, 'byok_usage_inference'), 5);
    }
    const api = defaultApiKeyInfo(now);
    expect(api.usage_daily).toBeGreaterThan(0);
    expect(api.usage_daily).toBeLessThanOrEqual(api.usage_weekly);
    expect(api.usage_daily).toBeLessThanOrEqual(api.usage_monthly);
    expect(Math.max(api.usage_weekly, api.usage_monthly)).toBeLessThan(api.usage);
    expect(keys[0]).toMatchObject({ label: api.label, usage: api.usage, usage_daily: api.usage_daily });
    const credits = defaultCredits(now);
    expect(credits.total_usage).toBeCloseTo(keys.reduce((sum, k) => sum + k.usage, 0) + 2.5, 5);
    expect(credits.total_credits).toBeGreaterThan(credits.total_usage);
    // The only capped key is ci's $50 a month: what is left is 50 less its month.
    const capped = keys.filter((k) => k.limit !== null);
    expect(capped.map((k) => [k.name, k.limit, k.limit_reset])).toEqual([['ci', 50, 'monthly']]);
    expect(capped[0]!.limit_remaining).toBeCloseTo(50 - capped[0]!.usage_monthly, 5);
  });
});

describe('setData', () => {
  test('replaces parts of the data', async () => {
    s.setData({ apiKeyInfo: { ...defaultApiKeyInfo(s.now), limit: 20, limit_remaining: 12.5, limit_reset: 'monthly' } });
    const { body } = await getJson('/key');
    expect(body.data.limit).toBe(20);
    expect(body.data.limit_remaining).toBe(12.5);
    expect((await getJson('/credits', MGMT_KEY)).body.data).toEqual(defaultCredits(s.now));
  });
});

describe('faults', () => {
  test('status with times: first N requests only, then normal', async () => {
    s.setFault('/key', { status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const first = await get('/key');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toEqual({ error: { code: 429, message: expect.any(String) } });
    expect((await get('/key')).status).toBe(200);
  });

  test('status fault applies before auth checks and to any key', async () => {
    s.setFault('/credits', { status: 500 });
    for (const key of [API_KEY, MGMT_KEY, null]) expect((await get('/credits', key)).status).toBe(500);
    s.setFault('/credits', undefined);
    expect((await get('/credits', MGMT_KEY)).status).toBe(200);
  });

  test('status with a custom body', async () => {
    s.setFault('/key', { status: 503, body: 'upstream overloaded' });
    const res = await get('/key');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('upstream overloaded');
  });

  test('hang: accepted, never answered; close() still finishes', async () => {
    s.setFault('/key', { kind: 'hang' });
    await expect(get('/key', API_KEY, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(s.requestsTo('/key')).toHaveLength(1);
    expect(s.requestsTo('/key')[0]?.endedAt).toBeUndefined();
    // A second, still-pending request must not keep close() waiting.
    const pending = get('/key', API_KEY, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  test('reset: the connection drops without an answer', async () => {
    s.setFault('/key', { kind: 'reset' });
    await expect(get('/key')).rejects.toThrow(/fetch failed/);
  });

  test('reset-mid-body: headers and half the body, then the connection drops', async () => {
    s.setFault('/key', { kind: 'reset-mid-body' });
    const res = await get('/key');
    expect(res.status).toBe(200);
    const full = JSON.stringify({ data: defaultApiKeyInfo(s.now) });
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(full)));
    await expect(res.text()).rejects.toThrow();
  });

  test('truncated-json: a complete 200 whose body is cut JSON', async () => {
    s.setFault('/key', { kind: 'truncated-json' });
    const res = await get('/key');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(TRUNCATED_JSON);
    expect(() => JSON.parse(TRUNCATED_JSON)).toThrow();
  });

  test('html: an edge error page', async () => {
    s.setFault('/key', { kind: 'html', status: 502 });
    const res = await get('/key');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    const text = await res.text();
    expect(text).toContain('<title>502 Bad Gateway</title>');
  });

  test('json: any body and status', async () => {
    s.setFault('/key', { kind: 'json', body: { data: [] } });
    expect(await getJson('/key')).toEqual({ status: 200, body: { data: [] } });
    s.setFault('/key', { kind: 'json', body: 'x', status: 418 });
    expect(await getJson('/key')).toEqual({ status: 418, body: 'x' });
  });

  test('slow-drip: the normal body, one byte per interval', async () => {
    s.setFault('/credits', { kind: 'slow-drip', intervalMs: 5 });
    const t0 = Date.now();
    const res = await get('/credits', MGMT_KEY);
    expect(res.status).toBe(200);
    const text = await res.text();
    const ms = Date.now() - t0;
    expect(JSON.parse(text)).toEqual({ data: defaultCredits(s.now) });
    expect(ms).toBeGreaterThanOrEqual((text.length - 1) * 5 * 0.8);
  });

  test('redirect: status and location, not followed by the stand-in', async () => {
    s.setFault('/key', { kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere' });
    const res = await get('/key', API_KEY, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    s.setFault('/key', { kind: 'redirect', location: '/api/v1/credits', status: 307 });
    expect((await get('/key', API_KEY, { redirect: 'manual' })).status).toBe(307);
  });

  test('times works for non-status faults too', async () => {
    s.setFault('/key', { kind: 'reset', times: 1 });
    await expect(get('/key')).rejects.toThrow();
    expect((await get('/key')).status).toBe(200);
  });

  test('faults on one path leave the others alone', async () => {
    s.setFault('/credits', { kind: 'hang' });
    expect((await get('/key')).status).toBe(200);
  });
});

describe('latency', () => {
  test('delays every answer; settable at start and later', async () => {
    const slow = await startStandIn({ latencyMs: 150, now: s.now });
    try {
      const t0 = Date.now();
      const res = await fetch(`${slow.url}/key`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      slow.latencyMs = 0;
      const t1 = Date.now();
      await (await fetch(`${slow.url}/key`, { headers: { authorization: `Bearer ${API_KEY}` } })).text();
      expect(Date.now() - t1).toBeLessThan(140);
    } finally {
      await slow.close();
    }
  });

  test('concurrent requests overlap in the record', async () => {
    s.latencyMs = 200;
    await Promise.all([get('/key'), get('/credits', MGMT_KEY), get('/activity', MGMT_KEY)]);
    const [a, b, c] = s.requests;
    for (const [x, y] of [
      [a, b],
      [a, c],
      [b, c],
    ] as const) {
      expect(x!.startedAt).toBeLessThan(y!.endedAt!);
      expect(y!.startedAt).toBeLessThan(x!.endedAt!);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Workspaces, analytics, and one list of spend events behind every answer.

/** Mid-month Wednesday afternoon: today, this week and this month are three different windows. */
const NOW = new Date('2025-03-12T15:00:00Z');
const opened: StandIn[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function open(opts: Parameters<typeof startStandIn>[0] = {}): Promise<StandIn> {
  const x = await startStandIn({ now: NOW, ...opts });
  opened.push(x);
  return x;
}

async function call(x: StandIn, path: string, key: string | null = MGMT_KEY): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${x.url}${path}`, { headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

async function query(x: StandIn, body: unknown, key: string | null = MGMT_KEY): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${x.url}/analytics/query`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.json() };
}

type Row = Record<string, string | number | null>;

/** The rows of a successful analytics query. */
async function rowsOf(x: StandIn, body: unknown): Promise<Row[]> {
  const res = await query(x, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.data.metadata.truncated).toBe(false);
  return res.body.data.data;
}

/** Every key of every workspace, all pages, disabled ones too. */
async function allKeys(x: StandIn): Promise<KeyListItem[]> {
  const workspaces = (await call(x, '/workspaces')).body.data as Workspace[];
  const keys: KeyListItem[] = [];
  for (const w of workspaces) {
    for (let offset = 0; ; offset += x.data.keysPageSize) {
      const page = (await call(x, `/keys?workspace_id=${w.id}&include_disabled=true&offset=${offset}`)).body.data as KeyListItem[];
      keys.push(...page);
      if (page.length < x.data.keysPageSize) break;
    }
  }
  return keys;
}

const iso = (day: string): string => `${day}T00:00:00.000Z`;

describe('spend events', () => {
  test('default data: every event is well formed, and the default builders are sums over them', () => {
    const events = defaultEvents(NOW);
    const keys = defaultKeys(NOW);
    for (const e of events) {
      expect(Date.parse(e.at)).toBeLessThanOrEqual(NOW.getTime());
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(e.workspaceId).toBe(DEFAULT_WORKSPACE_ID);
      expect(e.usage + e.byokUsage).toBeGreaterThanOrEqual(0);
      expect(e.reasoningTokens).toBeLessThanOrEqual(e.completionTokens);
      for (const n of [e.requests, e.promptTokens, e.completionTokens, e.reasoningTokens]) expect(Number.isInteger(n)).toBe(true);
    }
    const { today, week, month } = periodStarts(NOW);
    expect({ today, week, month }).toEqual({ today: '2025-03-12', week: '2025-03-10', month: '2025-03-01' });
    for (const k of keys) {
      const own = (fromDay?: string) => totalsOf(eventsWhere(events, { keyHash: k.hash, ...(fromDay ? { fromDay } : {}) }));
      expect(k.usage, k.name).toBeCloseTo(own().usage, 6);
      expect(k.usage_daily, k.name).toBeCloseTo(own(today).usage, 6);
      expect(k.usage_weekly, k.name).toBeCloseTo(own(week).usage, 6);
      expect(k.usage_monthly, k.name).toBeCloseTo(own(month).usage, 6);
      expect(k.byok_usage_monthly, k.name).toBeCloseTo(own(month).byokUsage, 6);
    }
    expect(keys[0]!.hash).toBe(API_KEY_HASH);
    expect(defaultCredits(NOW).total_usage).toBeCloseTo(totalsOf(events).usage, 6);
    // The deleted key's $2.50: in the credits, not in any listed key.
    expect(totalsOf(eventsWhere(events, { keyHash: RETIRED_KEY_HASH })).usage).toBeCloseTo(2.5, 9);
    expect(keys.map((k) => k.hash)).not.toContain(RETIRED_KEY_HASH);
    // /activity: one row per (day, endpoint), each the sum of that day's events on that endpoint.
    const rows = defaultActivityRows(NOW);
    for (const r of rows) {
      const those = events.filter((e) => dayOf(e) === r.date && e.endpointId === r.endpoint_id);
      expect(r.usage).toBeCloseTo(totalsOf(those).usage, 6);
      expect(r.requests).toBe(totalsOf(those).requests);
      expect(r.prompt_tokens).toBe(totalsOf(those).promptTokens);
    }
    expect(new Set(rows.map((r) => `${r.date}|${r.endpoint_id}`)).size).toBe(rows.length);
  });

  test('setData({ events }) re-derives /key, /keys, /activity and /credits; a view given with them is kept', async () => {
    const x = await open();
    const extra: SpendEvent = { ...x.data.events.find((e) => e.keyHash === API_KEY_HASH && dayOf(e) === '2025-03-11')!, usage: 1, byokUsage: 0.5, requests: 2 };
    const before = { key: x.data.apiKeyInfo, credits: x.data.credits, rows: x.data.activity };
    x.setData({ events: [...x.data.events, extra] });
    const key = (await call(x, '/key', API_KEY)).body.data;
    expect(key.usage_weekly).toBeCloseTo(before.key.usage_weekly + 1, 6);
    expect(key.byok_usage_monthly).toBeCloseTo(before.key.byok_usage_monthly + 0.5, 6);
    expect(key.usage_daily).toBe(before.key.usage_daily);
    expect((await call(x, '/credits')).body.data.total_usage).toBeCloseTo(before.credits.total_usage + 1, 6);
    const rows = (await call(x, '/activity?date=2025-03-11')).body.data as ActivityRow[];
    expect(sum(rows, (r) => r.usage)).toBeCloseTo(
      sum(
        before.rows.filter((r) => r.date === '2025-03-11'),
        (r) => r.usage,
      ) + 1,
      6,
    );
    expect((await call(x, '/keys')).body.data[0].usage_weekly).toBe(key.usage_weekly);

    const pinned = { ...x.data.credits, total_usage: 1 };
    x.setData({ events: x.data.events.slice(0, -1), credits: pinned });
    expect((await call(x, '/credits')).body.data).toEqual(pinned);
    expect((await call(x, '/key', API_KEY)).body.data.usage_weekly).toBe(before.key.usage_weekly);
  });
});

describe('/activity modes and filters', () => {
  test('activityIncludesToday off: today is never sent, as the real API; data.activity follows', async () => {
    const x = await open({ modes: { activityIncludesToday: false } });
    const rows = (await call(x, '/activity')).body.data as ActivityRow[];
    expect(rows).toEqual(defaultActivityRows(NOW).filter((r) => r.date !== '2025-03-12'));
    expect(x.data.activity).toEqual(rows);
    x.setModes({ activityIncludesToday: true });
    expect((await call(x, '/activity')).body.data).toEqual(defaultActivityRows(NOW));
    expect(x.data.activity).toEqual(defaultActivityRows(NOW));
  });

  test('multi: account-wide by default, workspace_id scopes, group_by=workspace adds workspace_id', async () => {
    const x = await open({ workspaces: 'multi' });
    expect(x.data.modes.activityIncludesToday).toBe(false);
    const all = (await call(x, '/activity')).body.data as ActivityRow[];
    expect(all.some((r) => r.date === '2025-03-12')).toBe(false);
    const completed = eventsWhere(x.data.events, { fromDay: '2025-02-10', toDay: '2025-03-11' });
    expect(sum(all, (r) => r.usage)).toBeCloseTo(totalsOf(completed).usage, 4);
    for (const r of all) expect(r).not.toHaveProperty('workspace_id');

    const grouped = (await call(x, '/activity?group_by=workspace')).body.data as ActivityRow[];
    expect(new Set(grouped.map((r) => r.workspace_id))).toEqual(new Set([DEFAULT_WORKSPACE_ID, RESEARCH_WORKSPACE_ID, PRODUCTION_WORKSPACE_ID]));
    expect(sum(grouped, (r) => r.usage)).toBeCloseTo(
      sum(all, (r) => r.usage),
      6,
    );
    for (const id of [DEFAULT_WORKSPACE_ID, RESEARCH_WORKSPACE_ID, PRODUCTION_WORKSPACE_ID]) {
      const scoped = (await call(x, `/activity?workspace_id=${id}`)).body.data as ActivityRow[];
      expect(sum(scoped, (r) => r.usage)).toBeCloseTo(totalsOf(eventsWhere(completed, { workspaceId: id })).usage, 4);
      expect(sum(scoped, (r) => r.usage)).toBeCloseTo(
        sum(
          grouped.filter((r) => r.workspace_id === id),
          (r) => r.usage,
        ),
        6,
      );
    }
    const day = (await call(x, `/activity?workspace_id=${PRODUCTION_WORKSPACE_ID}&date=2025-03-01`)).body.data as ActivityRow[];
    expect(day.length).toBeGreaterThan(0);
    for (const r of day) expect(r.date).toBe('2025-03-01');
    expect((await call(x, '/activity?workspace_id=00000000-0000-4000-a000-000000000000')).status).toBe(404);
    expect((await call(x, '/activity?group_by=model')).status).toBe(400);
  });
});

describe('/workspaces', () => {
  test('default account: one workspace, management key only', async () => {
    const { status, body } = await getJson('/workspaces', MGMT_KEY);
    expect(status).toBe(200);
    expect(body.total_count).toBe(1);
    expect(body.data).toEqual([
      {
        id: DEFAULT_WORKSPACE_ID,
        name: 'Default Workspace',
        slug: 'default',
        description: null,
        created_at: expect.any(String),
        updated_at: null,
        created_by: expect.any(String),
      },
    ]);
    expect((await getJson('/workspaces', API_KEY)).status).toBe(403);
    expect((await getJson('/workspaces', null)).status).toBe(401);
  });

  test('multi: three workspaces, paged by offset and limit (default 50, at most 100)', async () => {
    const x = await open({ workspaces: 'multi' });
    const { body } = await call(x, '/workspaces');
    expect(body.total_count).toBe(3);
    expect(body.data.map((w: Workspace) => w.name)).toEqual(['Default Workspace', 'Research', 'Production']);
    expect(body.data.map((w: Workspace) => w.id)).toEqual([DEFAULT_WORKSPACE_ID, RESEARCH_WORKSPACE_ID, PRODUCTION_WORKSPACE_ID]);
    expect((await call(x, '/workspaces?limit=2')).body).toEqual({ data: body.data.slice(0, 2), total_count: 3 });
    expect((await call(x, '/workspaces?limit=2&offset=2')).body).toEqual({ data: body.data.slice(2), total_count: 3 });
    expect((await call(x, '/workspaces?offset=3')).body).toEqual({ data: [], total_count: 3 });

    const many = Array.from({ length: 130 }, (_, i) => ({ ...body.data[1], id: `ws-${i}`, name: `ws ${i}`, slug: `ws-${i}` }));
    x.setData({ workspaces: [body.data[0], ...many] });
    const first = (await call(x, '/workspaces')).body;
    expect(first.data).toHaveLength(50);
    expect(first.total_count).toBe(131);
    expect((await call(x, '/workspaces?limit=100&offset=100')).body.data).toHaveLength(31);
    for (const bad of ['limit=101', 'limit=0', 'limit=x', 'offset=-1']) expect((await call(x, `/workspaces?${bad}`)).status, bad).toBe(400);
  });

  test.each([404, 403] as const)('mode %i (older accounts): refused, to any key', async (status) => {
    const x = await open({ workspaces: 'multi', modes: { workspaces: status } });
    for (const key of [MGMT_KEY, API_KEY]) {
      const res = await call(x, '/workspaces', key);
      expect(res).toEqual({ status, body: { error: { code: status, message: expect.any(String) } } });
    }
    // The unscoped /keys still answers, with the default workspace's keys.
    const keys = (await call(x, '/keys')).body.data as KeyListItem[];
    expect(keys.map((k) => k.workspace_id)).toEqual(keys.map(() => DEFAULT_WORKSPACE_ID));
  });

  test('faults apply to /workspaces like any path', async () => {
    s.setFault('/workspaces', { kind: 'html', status: 502, times: 1 });
    expect((await get('/workspaces', MGMT_KEY)).status).toBe(502);
    expect((await get('/workspaces', MGMT_KEY)).status).toBe(200);
  });
});

describe('/keys across workspaces', () => {
  test('without workspace_id only the default workspace’s keys; with it, that workspace’s; the union is every key', async () => {
    const x = await open({ workspaces: 'multi' });
    const unscoped = (await call(x, '/keys?include_disabled=true')).body.data as KeyListItem[];
    expect(unscoped.map((k) => k.name)).toEqual(['default', 'ci', 'old laptop']);
    expect(unscoped.every((k) => k.workspace_id === DEFAULT_WORKSPACE_ID)).toBe(true);
    const research = (await call(x, `/keys?workspace_id=${RESEARCH_WORKSPACE_ID}`)).body.data as KeyListItem[];
    expect(research.map((k) => k.name)).toEqual(['notebook', 'eval harness']);
    const production = (await call(x, `/keys?workspace_id=${PRODUCTION_WORKSPACE_ID}`)).body.data as KeyListItem[];
    expect(production.map((k) => k.name)).toEqual(['backend', 'batch']);
    const withDisabled = (await call(x, `/keys?workspace_id=${PRODUCTION_WORKSPACE_ID}&include_disabled=true`)).body.data as KeyListItem[];
    expect(withDisabled.map((k) => k.name)).toEqual(['backend', 'batch', 'archive']);
    expect((await call(x, `/keys?workspace_id=${DEFAULT_WORKSPACE_ID}&include_disabled=true`)).body.data).toEqual(unscoped);
    expect((await allKeys(x)).map((k) => k.hash).sort()).toEqual(x.data.keys.map((k) => k.hash).sort());
    expect((await call(x, '/keys?workspace_id=nope')).status).toBe(404);
  });

  test('each workspace pages on its own', async () => {
    const x = await open({ workspaces: 'multi' });
    x.setData({ keysPageSize: 2 });
    const page = async (q: string): Promise<string[]> => ((await call(x, `/keys?${q}`)).body.data as KeyListItem[]).map((k) => k.name);
    expect(await page(`workspace_id=${PRODUCTION_WORKSPACE_ID}&include_disabled=true`)).toEqual(['backend', 'batch']);
    expect(await page(`workspace_id=${PRODUCTION_WORKSPACE_ID}&include_disabled=true&offset=2`)).toEqual(['archive']);
    expect(await page(`workspace_id=${RESEARCH_WORKSPACE_ID}&offset=2`)).toEqual([]);
    expect((await allKeys(x)).length).toBe(x.data.keys.length);
  });

  test('/key carries the key’s workspace_id, expiry and free-model allowance', async () => {
    const x = await open({ workspaces: 'multi' });
    const key = (await call(x, '/key', API_KEY)).body.data;
    expect(key).toMatchObject({ workspace_id: DEFAULT_WORKSPACE_ID, expires_at: null, free_model_daily_requests: { limit: 1000, remaining: 997, used: 3 } });
    expect(key).toEqual({ ...defaultApiKeyInfo(NOW), workspace_id: DEFAULT_WORKSPACE_ID });
    expect(x.data.keys.find((k) => k.name === 'eval harness')!.expires_at).toBe('2025-04-11T00:00:00.000Z');
    // The single-workspace default data keeps keys from before workspaces: no workspace_id.
    expect(defaultApiKeyInfo(NOW).workspace_id).toBeNull();
  });
});

describe('/analytics/meta', () => {
  test('the metrics, dimensions, operators and granularities; management key only', async () => {
    const { status, body } = await getJson('/analytics/meta', MGMT_KEY);
    expect(status).toBe(200);
    const names = (xs: Array<{ name: string }>): string[] => xs.map((m) => m.name);
    expect(names(body.data.metrics)).toEqual([
      'credits_usage',
      'byok_usage',
      'total_usage',
      'request_count',
      'tokens_prompt',
      'tokens_completion',
      'tokens_total',
      'reasoning_tokens',
    ]);
    for (const m of body.data.metrics)
      expect(m).toEqual({ name: m.name, display_label: expect.any(String), is_rate: false, display_format: expect.any(String) });
    expect(names(body.data.dimensions)).toEqual(expect.arrayContaining(['model', 'provider', 'api_key_id', 'workspace']));
    expect(names(body.data.operators)).toEqual(expect.arrayContaining(['eq', 'in']));
    expect(names(body.data.granularities)).toEqual(expect.arrayContaining(['hour', 'day', 'week', 'month']));
    expect((await getJson('/analytics/meta', API_KEY)).status).toBe(403);
  });

  test('mode analyticsMissing: meta leaves the metric out, a query naming it gets 400', async () => {
    const x = await open({ modes: { analyticsMissing: ['credits_usage'] } });
    const meta = (await call(x, '/analytics/meta')).body.data;
    expect(meta.metrics.map((m: { name: string }) => m.name)).not.toContain('credits_usage');
    expect(meta.metrics.map((m: { name: string }) => m.name)).toContain('byok_usage');
    expect((await query(x, { metrics: ['credits_usage'] })).status).toBe(400);
    expect((await query(x, { metrics: ['byok_usage'] })).status).toBe(200);
  });

  test.each([404, 403] as const)('mode analytics %i: both paths refuse, to any key', async (status) => {
    const x = await open({ modes: { analytics: status } });
    for (const key of [MGMT_KEY, API_KEY]) {
      expect((await call(x, '/analytics/meta', key)).status).toBe(status);
      expect((await query(x, { metrics: ['credits_usage'] }, key)).status).toBe(status);
    }
    expect((await call(x, '/credits')).status).toBe(200);
  });

  test('faults apply to the analytics paths', async () => {
    const x = await open();
    x.setFault('/analytics/meta', { status: 429, headers: { 'retry-after': '1' }, times: 1 });
    x.setFault('/analytics/query', { kind: 'truncated-json' });
    expect((await call(x, '/analytics/meta')).status).toBe(429);
    expect((await call(x, '/analytics/meta')).status).toBe(200);
    const res = await fetch(`${x.url}/analytics/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MGMT_KEY}` },
      body: '{"metrics":["credits_usage"]}',
    });
    expect(await res.text()).toBe(TRUNCATED_JSON);
    expect(x.analyticsQueries()).toEqual([{ metrics: ['credits_usage'] }]);
  });
});

describe('/analytics/query', () => {
  test('no dimensions, no granularity: one total over the last 7 days, today included; the body is recorded', async () => {
    const x = await open();
    const body = {
      metrics: ['credits_usage', 'byok_usage', 'total_usage', 'request_count', 'tokens_prompt', 'tokens_completion', 'tokens_total', 'reasoning_tokens'],
    };
    const res = await query(x, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { data: [expect.any(Object)], metadata: { query_time_ms: expect.any(Number), row_count: 1, truncated: false } } });
    const [row] = res.body.data.data as Row[];
    const t = totalsOf(eventsWhere(x.data.events, { since: new Date(NOW.getTime() - 7 * 86_400_000).toISOString(), before: NOW.toISOString() }));
    expect(t.usage).toBeGreaterThan(0);
    expect(row).toEqual({
      credits_usage: expect.closeTo(t.usage, 9),
      byok_usage: expect.closeTo(t.byokUsage, 9),
      total_usage: expect.closeTo(t.usage + t.byokUsage, 9),
      request_count: t.requests,
      tokens_prompt: t.promptTokens,
      tokens_completion: t.completionTokens,
      tokens_total: t.promptTokens + t.completionTokens,
      reasoning_tokens: t.reasoningTokens,
    });
    const [asked] = x.requestsTo('/analytics/query');
    expect(asked).toMatchObject({ method: 'POST', body, rawBody: JSON.stringify(body) });
    expect(x.analyticsQueries()).toEqual([body]);
  });

  test('dimensions: model is the permaslug, api_key_id the key’s name, workspace its name; filters take hash and UUID', async () => {
    const x = await open({ workspaces: 'multi' });
    const range = { start: iso('2025-03-01'), end: NOW.toISOString() };
    const byModel = await rowsOf(x, { metrics: ['credits_usage'], dimensions: ['model'], time_range: range });
    const month = eventsWhere(x.data.events, { fromDay: '2025-03-01' });
    expect(byModel.map((r) => r.model).sort()).toEqual([...new Set(month.map((e) => e.permaslug))].sort());
    for (const r of byModel) expect(r.credits_usage).toBeCloseTo(totalsOf(month.filter((e) => e.permaslug === r.model)).usage, 9);
    expect(Object.keys(byModel[0]!)).toEqual(['model', 'credits_usage']);
    // Largest first when no order_by says otherwise.
    const spend = byModel.map((r) => r.credits_usage as number);
    expect(spend).toEqual([...spend].sort((a, b) => b - a));

    const byKey = await rowsOf(x, { metrics: ['credits_usage'], dimensions: ['workspace', 'api_key_id'], time_range: range });
    const notebook = byKey.find((r) => r.api_key_id === 'notebook')!;
    expect(notebook.workspace).toBe('Research');
    const notebookHash = x.data.keys.find((k) => k.name === 'notebook')!.hash;
    expect(notebook.credits_usage).toBeCloseTo(totalsOf(eventsWhere(month, { keyHash: notebookHash })).usage, 9);
    expect(new Set(byKey.map((r) => r.workspace))).toEqual(new Set(['Default Workspace', 'Research', 'Production']));

    const oneKey = await rowsOf(x, { metrics: ['credits_usage'], filters: [{ field: 'api_key_id', operator: 'eq', value: notebookHash }], time_range: range });
    expect(oneKey).toEqual([{ credits_usage: notebook.credits_usage }]);
    const byName = await rowsOf(x, { metrics: ['credits_usage'], filters: [{ field: 'api_key_id', operator: 'eq', value: 'notebook' }], time_range: range });
    expect(byName).toEqual([{ credits_usage: 0 }]);
    const two = await rowsOf(x, {
      metrics: ['request_count'],
      dimensions: ['workspace'],
      filters: [{ field: 'workspace', operator: 'in', value: [RESEARCH_WORKSPACE_ID, PRODUCTION_WORKSPACE_ID] }],
      time_range: range,
    });
    expect(two.map((r) => r.workspace).sort()).toEqual(['Production', 'Research']);
    for (const r of two) {
      const id = r.workspace === 'Research' ? RESEARCH_WORKSPACE_ID : PRODUCTION_WORKSPACE_ID;
      expect(r.request_count).toBe(totalsOf(eventsWhere(month, { workspaceId: id })).requests);
    }
    const neq = await rowsOf(x, {
      metrics: ['request_count'],
      filters: [{ field: 'workspace', operator: 'neq', value: DEFAULT_WORKSPACE_ID }],
      time_range: range,
    });
    expect(neq).toEqual([{ request_count: sum(two, (r) => r.request_count as number) }]);
    // An app only some events carry: the others come back as null.
    const byApp = await rowsOf(x, { metrics: ['request_count'], dimensions: ['app'], time_range: range });
    expect(byApp.map((r) => r.app)).toContain(null);
    expect(byApp.map((r) => r.app)).toContain('Acme Backend');
  });

  test('granularity: date__<granularity> holds the bucket start; mode analyticsDateKey sends date instead', async () => {
    const x = await open();
    const day = await rowsOf(x, { metrics: ['credits_usage'], granularity: 'day', time_range: { start: iso('2025-03-06'), end: NOW.toISOString() } });
    expect(day.map((r) => r.date__day)).toEqual(['06', '07', '08', '09', '10', '11', '12'].map((d) => `2025-03-${d}T00:00:00.000Z`));
    for (const r of day) {
      const d = String(r.date__day).slice(0, 10);
      expect(r.credits_usage).toBeCloseTo(totalsOf(eventsWhere(x.data.events, { fromDay: d, toDay: d })).usage, 9);
    }
    const hours = await rowsOf(x, { metrics: ['request_count'], granularity: 'hour', time_range: { start: iso('2025-03-12'), end: NOW.toISOString() } });
    expect(hours.length).toBeGreaterThan(1);
    for (const r of hours) expect(String(r.date__hour)).toMatch(/^2025-03-12T(0\d|1[0-4]):00:00\.000Z$/);
    expect(sum(hours, (r) => r.request_count as number)).toBe(totalsOf(eventsWhere(x.data.events, { fromDay: '2025-03-12' })).requests);
    const weeks = await rowsOf(x, { metrics: ['credits_usage'], granularity: 'week', time_range: { start: iso('2025-02-01'), end: NOW.toISOString() } });
    for (const r of weeks) expect(new Date(String(r.date__week)).getUTCDay()).toBe(1);
    expect(weeks.at(-1)!.date__week).toBe('2025-03-10T00:00:00.000Z');
    expect(weeks.at(-1)!.credits_usage).toBeCloseTo(totalsOf(eventsWhere(x.data.events, { fromDay: '2025-03-10' })).usage, 9);
    const months = await rowsOf(x, { metrics: ['credits_usage'], granularity: 'month', time_range: { start: iso('2024-04-01'), end: NOW.toISOString() } });
    expect(months.map((r) => r.date__month)).toEqual([...new Set(x.data.events.map((e) => `${e.at.slice(0, 7)}-01T00:00:00.000Z`))].sort());
    expect(bucketStart('2025-03-16T23:59:59.000Z', 'week')).toBe('2025-03-10T00:00:00.000Z');

    x.setModes({ analyticsDateKey: 'date' });
    const plain = await rowsOf(x, { metrics: ['credits_usage'], granularity: 'day', time_range: { start: iso('2025-03-06'), end: NOW.toISOString() } });
    expect(plain).toEqual(day.map(({ date__day, ...rest }) => ({ date: date__day, ...rest })));
  });

  test('limit cuts the rows and says truncated; order_by sorts', async () => {
    const x = await open();
    const body = { metrics: ['credits_usage'], dimensions: ['model'], granularity: 'day', time_range: { start: iso('2025-02-20'), end: NOW.toISOString() } };
    const full = await rowsOf(x, body);
    expect(full.length).toBeGreaterThan(5);
    const cut = await query(x, { ...body, limit: 5 });
    expect(cut.body.data.metadata).toEqual({ query_time_ms: expect.any(Number), row_count: 5, truncated: true });
    expect(cut.body.data.data).toEqual(full.slice(0, 5));
    expect((await query(x, { ...body, limit: full.length })).body.data.metadata.truncated).toBe(false);
    const cheapest = await rowsOf(x, { ...body, order_by: { field: 'credits_usage', direction: 'asc' } });
    const spend = cheapest.map((r) => r.credits_usage as number);
    expect(spend).toEqual([...spend].sort((a, b) => a - b));
  });

  test('mode analyticsStrings: counts (or every metric) as numeric strings; analyticsNullUnused: other dimensions as null', async () => {
    const x = await open();
    const body = { metrics: ['credits_usage', 'request_count', 'tokens_total'], dimensions: ['provider'] };
    const numbers = await rowsOf(x, body);
    x.setModes({ analyticsStrings: 'counts' });
    const counts = await rowsOf(x, body);
    expect(counts).toEqual(numbers.map((r) => ({ ...r, request_count: String(r.request_count), tokens_total: String(r.tokens_total) })));
    expect(typeof counts[0]!.credits_usage).toBe('number');
    x.setModes({ analyticsStrings: 'all' });
    for (const r of await rowsOf(x, body)) expect(Number(r.credits_usage)).toBe(numbers.find((n) => n.provider === r.provider)!.credits_usage);
    x.setModes({ analyticsStrings: 'none', analyticsNullUnused: true });
    const nulls = await rowsOf(x, body);
    expect(nulls[0]).toMatchObject({ model: null, api_key_id: null, workspace: null, provider: numbers[0]!.provider });
  });

  test.each([
    ['an unknown metric', { metrics: ['cost'] }],
    ['no metrics', { metrics: [] }],
    ['an unknown dimension', { metrics: ['credits_usage'], dimensions: ['colour'] }],
    ['three dimensions', { metrics: ['credits_usage'], dimensions: ['model', 'workspace', 'api_key_id'] }],
    ['an unknown operator', { metrics: ['credits_usage'], filters: [{ field: 'model', operator: 'like', value: 'x' }] }],
    ['in without an array', { metrics: ['credits_usage'], filters: [{ field: 'model', operator: 'in', value: 'x' }] }],
    ['a filter on an unknown field', { metrics: ['credits_usage'], filters: [{ field: 'colour', operator: 'eq', value: 'x' }] }],
    ['an unknown granularity', { metrics: ['credits_usage'], granularity: 'year' }],
    ['a range over 365 days', { metrics: ['credits_usage'], time_range: { start: '2024-03-01T00:00:00Z', end: '2025-03-12T00:00:00Z' } }],
    ['a start more than 365 days back', { metrics: ['credits_usage'], time_range: { start: '2024-03-01T00:00:00Z', end: '2024-04-01T00:00:00Z' } }],
    ['start after end', { metrics: ['credits_usage'], time_range: { start: '2025-03-10T00:00:00Z', end: '2025-03-01T00:00:00Z' } }],
    ['a start that is no date', { metrics: ['credits_usage'], time_range: { start: 'last week' } }],
    [
      'provider beyond 31 days',
      { metrics: ['credits_usage'], dimensions: ['provider'], time_range: { start: '2025-02-01T00:00:00Z', end: '2025-03-12T00:00:00Z' } },
    ],
    [
      'a provider filter beyond 31 days',
      { metrics: ['credits_usage'], filters: [{ field: 'provider', operator: 'eq', value: 'OpenAI' }], time_range: { start: '2025-02-01T00:00:00Z' } },
    ],
    [
      'minute over more than 3 hours',
      { metrics: ['credits_usage'], granularity: 'minute', time_range: { start: '2025-03-12T08:00:00Z', end: '2025-03-12T15:00:00Z' } },
    ],
    ['limit 0', { metrics: ['credits_usage'], limit: 0 }],
    ['limit over 10,000', { metrics: ['credits_usage'], limit: 10_001 }],
    ['order_by a field not asked for', { metrics: ['credits_usage'], order_by: { field: 'byok_usage', direction: 'desc' } }],
    ['a body that is not an object', [1, 2]],
    ['a body that is not JSON', '{"metrics": ['],
  ])('400: %s', async (_name, body) => {
    const x = await open();
    const res = await query(x, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 400, message: expect.any(String) } });
  });

  test('accepted at the edges: provider for the last 31 days, a year back, minute for 3 hours, limit 10,000', async () => {
    const x = await open();
    const ok = async (body: unknown): Promise<void> => expect((await query(x, body)).status, JSON.stringify(body)).toBe(200);
    await ok({ metrics: ['credits_usage'], dimensions: ['provider'], time_range: { start: iso(utcDay(NOW, -30)) } });
    await ok({ metrics: ['credits_usage'], time_range: { start: iso(utcDay(NOW, -364)), end: NOW.toISOString() } });
    await ok({ metrics: ['credits_usage'], granularity: 'minute', time_range: { start: '2025-03-12T12:00:00Z', end: '2025-03-12T15:00:00Z' } });
    await ok({ metrics: ['credits_usage'], limit: 10_000 });
  });

  test('an API key gets 403; GET gets 405', async () => {
    const x = await open();
    expect((await query(x, { metrics: ['credits_usage'] }, API_KEY)).status).toBe(403);
    expect((await call(x, '/analytics/query')).status).toBe(405);
  });
});

describe('every answer agrees with every other', () => {
  /** Analytics credits_usage (or another metric) from the start of `fromDay` to now, with filters. */
  async function analytics(x: StandIn, fromDay: string, filters: unknown[] = [], metric = 'credits_usage', end = x.now.toISOString()): Promise<number> {
    const [row] = await rowsOf(x, { metrics: [metric], filters, time_range: { start: iso(fromDay), end } });
    return row![metric] as number;
  }

  test.each<[string, DataOptions, string]>([
    ['default data', {}, '2025-03-12T15:00:00Z'],
    ['default data on a Monday the 1st', {}, '2025-09-01T09:30:00Z'],
    ['three workspaces', { workspaces: 'multi' as const }, '2025-03-12T15:00:00Z'],
    ['three workspaces and a key deleted this month', { workspaces: 'multi' as const, deletedKeyThisMonth: true }, '2025-03-31T22:00:00Z'],
    ['one workspace and a key deleted this month', { deletedKeyThisMonth: true }, '2025-03-12T15:00:00Z'],
  ])('%s: /key, /keys, /activity, /credits and analytics', async (_name, opts, at) => {
    const x = await open({ ...opts, now: new Date(at) });
    const now = x.now;
    const { today, week, month } = periodStarts(now);
    const events = x.data.events;
    const key = (await call(x, '/key', API_KEY)).body.data;
    const keys = await allKeys(x);
    const listed = keys.map((k) => k.hash);
    const deleted = [...new Set(events.map((e) => e.keyHash))].filter((h) => !listed.includes(h));

    // This key: /key = its events = analytics filtered by its hash.
    for (const [field, from] of [
      ['usage_daily', today],
      ['usage_weekly', week],
      ['usage_monthly', month],
    ] as const) {
      const own = totalsOf(eventsWhere(events, { keyHash: API_KEY_HASH, fromDay: from })).usage;
      expect(key[field], field).toBeCloseTo(own, 5);
      expect(await analytics(x, from, [{ field: 'api_key_id', operator: 'eq', value: API_KEY_HASH }]), field).toBeCloseTo(own, 5);
    }
    expect(key.byok_usage_monthly).toBeCloseTo(totalsOf(eventsWhere(events, { keyHash: API_KEY_HASH, fromDay: month })).byokUsage, 5);

    // The account: the /keys sum (every workspace) = listed keys' events = analytics on those keys;
    // analytics on everything adds the deleted keys, which /keys cannot show.
    for (const [field, from] of [
      ['usage_daily', today],
      ['usage_weekly', week],
      ['usage_monthly', month],
    ] as const) {
      const keysSum = sum(keys, (k) => k[field]);
      expect(keysSum, field).toBeCloseTo(totalsOf(eventsWhere(events, { keyHash: listed, fromDay: from })).usage, 5);
      expect(await analytics(x, from, [{ field: 'api_key_id', operator: 'in', value: listed }]), field).toBeCloseTo(keysSum, 5);
      const all = await analytics(x, from);
      expect(all, field).toBeCloseTo(totalsOf(eventsWhere(events, { fromDay: from })).usage, 9);
      const gone = totalsOf(eventsWhere(events, { keyHash: deleted, fromDay: from })).usage;
      expect(all - keysSum, field).toBeCloseTo(gone, 5);
    }
    const byokMonth = sum(keys, (k) => k.byok_usage_monthly);
    expect(await analytics(x, month, [{ field: 'api_key_id', operator: 'in', value: listed }], 'byok_usage')).toBeCloseTo(byokMonth, 5);
    if (opts.deletedKeyThisMonth) {
      expect(deleted).toContain(DELETED_THIS_MONTH_KEY_HASH);
      expect((await analytics(x, month)) - sum(keys, (k) => k.usage_monthly)).toBeGreaterThan(0.4);
    }

    // /activity: the completed days = those days' events = analytics up to today's midnight.
    const rows = ((await call(x, '/activity')).body.data as ActivityRow[]).filter((r) => r.date < today);
    const monthDays = rows.filter((r) => r.date >= month);
    const completedMonth = eventsWhere(events, { fromDay: month, toDay: utcDay(now, -1) });
    expect(sum(monthDays, (r) => r.usage)).toBeCloseTo(totalsOf(completedMonth).usage, 4);
    expect(sum(monthDays, (r) => r.requests)).toBe(totalsOf(completedMonth).requests);
    // (On the 1st the month has no completed day: nothing to ask, and /activity has none either.)
    if (month < today)
      expect(await analytics(x, month, [], 'credits_usage', iso(today))).toBeCloseTo(
        sum(monthDays, (r) => r.usage),
        4,
      );
    else expect(monthDays).toEqual([]);
    expect(await analytics(x, utcDay(now, -30), [], 'request_count', iso(today))).toBe(sum(rows, (r) => r.requests));

    // /credits: every event ever, deleted keys included = a year of analytics.
    const credits = (await call(x, '/credits')).body.data;
    expect(credits.total_usage).toBeCloseTo(totalsOf(events).usage, 5);
    expect(await analytics(x, utcDay(now, -364))).toBeCloseTo(credits.total_usage, 5);
    expect(credits.total_usage).toBeGreaterThan(sum(keys, (k) => k.usage));
  });

  test('the builders and a started stand-in hold the same data', async () => {
    const x = await open({ workspaces: 'multi', deletedKeyThisMonth: true });
    const { modes: _modes, ...data } = x.data;
    const { modes: _built, ...built } = multiWorkspaceData(NOW, { deletedKeyThisMonth: true });
    expect(data).toEqual(built);
    expect(buildData(NOW).events).toEqual(defaultEvents(NOW));
    expect(x.data.deletedKeys.map((k) => k.hash)).toEqual([RETIRED_KEY_HASH, DELETED_THIS_MONTH_KEY_HASH]);
  });
});
