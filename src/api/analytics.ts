import { DAY_MS } from '../base/time.js';
import {
  array,
  boolean,
  literal,
  looseObject,
  nonnegative,
  nullable,
  number,
  object,
  optional,
  record,
  refine,
  regex,
  string,
  union,
  type output,
} from 'zod/mini';
import { CliError, FAILURE_KINDS, plainFailure, type Failure } from '../base/errors.js';
import type { HttpClient } from './http.js';
import { expectOk, type NamedKey } from './endpoints.js';
import { contentType, describeValue, parseBody } from './parse-body.js';

/*
 * OpenRouter's analytics API (management key; see shared/openrouter-api.md, "Analytics API"):
 * GET /analytics/meta says which metrics, dimensions and granularities exist, POST /analytics/query
 * answers one grouped question. It is young (still "beta" in OpenRouter's cookbook), so every
 * answer is checked here and turned into plain numbers before anything else sees it.
 */

/** The metrics a report needs, in the order they are asked. */
export const ANALYTICS_METRICS = ['credits_usage', 'byok_usage', 'request_count', 'tokens_prompt', 'tokens_completion', 'reasoning_tokens'] as const;
export type AnalyticsMetric = (typeof ANALYTICS_METRICS)[number];

/** The dimensions this tool groups by; `provider` reaches back 31 days only. */
export type AnalyticsDimension = 'model' | 'provider' | 'api_key_id' | 'workspace';
/** How far back the API keeps each dimension, in days. */
export const DIMENSION_DAYS: Record<AnalyticsDimension, number> = { model: 365, provider: 31, api_key_id: 365, workspace: 365 };
/** How far back the API keeps the metrics this tool asks for. */
export const HISTORY_DAYS = 365;

/** The API's largest `limit`; asked at once, so a truncated answer is rare. */
export const MAX_ROWS = 10_000;
/** A range still truncated after this many halvings is no answer to sum. */
const MAX_SPLITS = 2;

export const analyticsMetaSchema = looseObject({
  data: looseObject({
    metrics: array(looseObject({ name: string() })),
    dimensions: array(looseObject({ name: string() })),
    granularities: optional(nullable(array(looseObject({ name: string() })))),
  }),
});
export type AnalyticsMeta = output<typeof analyticsMetaSchema>['data'];

const analyticsQuerySchema = looseObject({
  data: looseObject({
    data: array(looseObject({})),
    metadata: optional(nullable(looseObject({ truncated: optional(nullable(boolean())), row_count: optional(nullable(number())) }))),
  }),
});

/** One row of an answer, as numbers: `time` is the bucket's start (ISO) or null, `dims` the names asked for. */
export interface AnalyticsRow {
  time: string | null;
  dims: Record<string, string | null>;
  credits: number;
  byok: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export interface AnalyticsQuery {
  dimensions: AnalyticsDimension[];
  granularity: 'hour' | 'day' | null;
  /** ISO instants: start inclusive, end exclusive. */
  start: string;
  end: string;
}

const FIELD_OF: Record<AnalyticsMetric, keyof Omit<AnalyticsRow, 'time' | 'dims'>> = {
  credits_usage: 'credits',
  byok_usage: 'byok',
  request_count: 'requests',
  tokens_prompt: 'promptTokens',
  tokens_completion: 'completionTokens',
  reasoning_tokens: 'reasoningTokens',
};

const NUMERIC = /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;
/** A bucket's start: a day, or a day and a time, as the API writes it. */
const BUCKET = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function fetchAnalyticsMeta(http: HttpClient, key: NamedKey): Promise<AnalyticsMeta> {
  return http
    .get('/analytics/meta', key.value)
    .then((response) => parseBody('/analytics/meta', expectOk('/analytics/meta', response, key), contentType(response), analyticsMetaSchema).data);
}

/**
 * Asks one question and returns its rows, whole. A truncated answer is never summed: the range is
 * split in halves and each half asked (twice at most), and still truncated is an error.
 */
export async function queryAnalytics(http: HttpClient, key: NamedKey, query: AnalyticsQuery, depth = 0): Promise<AnalyticsRow[]> {
  const body = {
    metrics: [...ANALYTICS_METRICS],
    ...(query.dimensions.length > 0 ? { dimensions: query.dimensions } : {}),
    ...(query.granularity ? { granularity: query.granularity } : {}),
    time_range: { start: query.start, end: query.end },
    limit: MAX_ROWS,
  };
  const response = await http.post('/analytics/query', key.value, body);
  const answer = parseBody('/analytics/query', expectOk('/analytics/query', response, key), contentType(response), analyticsQuerySchema).data;
  if (answer.metadata?.truncated === true) {
    const start = Date.parse(query.start);
    const end = Date.parse(query.end);
    // Halves on an hour boundary, so no bucket of either granularity is cut... except a day's, which merge() adds back up.
    const middle = new Date(start + Math.floor((end - start) / 2 / 3_600_000) * 3_600_000).toISOString();
    if (depth >= MAX_SPLITS || middle <= query.start) {
      throw new CliError(
        'invalid-response',
        `/analytics/query: more than ${MAX_ROWS.toLocaleString('en-US')} rows even for a range of ${describeSpan(end - start)}; not summing a truncated answer`,
        { endpoint: '/analytics/query' },
      );
    }
    const halves = await Promise.all([
      queryAnalytics(http, key, { ...query, end: middle }, depth + 1),
      queryAnalytics(http, key, { ...query, start: middle }, depth + 1),
    ]);
    return merge(halves.flat());
  }
  return answer.data.map((row, index) => normalizeRow(row, index, query));
}

function describeSpan(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`;
}

/** Rows of the same bucket and names (from two halves of a range) added up into one. */
export function merge(rows: readonly AnalyticsRow[]): AnalyticsRow[] {
  const out = new Map<string, AnalyticsRow>();
  for (const row of rows) {
    const id = JSON.stringify([row.time, Object.entries(row.dims).sort(([a], [b]) => a.localeCompare(b))]);
    const seen = out.get(id);
    if (!seen) {
      out.set(id, { ...row, dims: { ...row.dims } });
      continue;
    }
    for (const field of Object.values(FIELD_OF)) seen[field] += row[field];
  }
  return [...out.values()];
}

/**
 * One row, checked: metrics are numbers or numeric strings (the API sends counts as strings) and
 * never negative; null is nothing spent; names are strings or null; the bucket is `date__<g>` or `date`.
 */
export function normalizeRow(raw: Record<string, unknown>, index: number, query: Pick<AnalyticsQuery, 'dimensions' | 'granularity'>): AnalyticsRow {
  function invalid(field: string, what: string): never {
    throw new CliError('invalid-response', `/analytics/query: invalid response: data.data[${index}].${field} ${what}`, { endpoint: '/analytics/query' });
  }
  const row: AnalyticsRow = { time: null, dims: {}, credits: 0, byok: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
  for (const metric of ANALYTICS_METRICS) {
    const value = raw[metric];
    let n: number;
    if (value === null || value === undefined) {
      if (value === undefined && metric === 'credits_usage') invalid(metric, 'is missing');
      n = 0;
    } else if (typeof value === 'number') {
      n = value;
    } else if (typeof value === 'string' && NUMERIC.test(value)) {
      n = Number(value);
    } else {
      n = invalid(metric, `should be a number or a numeric string, got ${describeValue(value)}`);
    }
    if (!Number.isFinite(n)) invalid(metric, `is not a finite number (${describeValue(value)})`);
    if (n < 0) invalid(metric, `should not be negative, got ${n}`);
    row[FIELD_OF[metric]] = n;
  }
  for (const dimension of query.dimensions) {
    const value = raw[dimension];
    if (value !== null && value !== undefined && typeof value !== 'string') invalid(dimension, `should be a string or null, got ${describeValue(value)}`);
    row.dims[dimension] = typeof value === 'string' && value.trim() !== '' ? value : null;
  }
  if (query.granularity) {
    const suffixed = `date__${query.granularity}`;
    const field = raw[suffixed] === undefined && raw.date !== undefined ? 'date' : suffixed;
    const value = raw[field];
    const time = typeof value === 'string' ? bucketInstant(value) : undefined;
    if (time === undefined) {
      invalid(field, value === undefined ? `is missing (the ${query.granularity} bucket)` : `is not a date-time, got ${describeValue(value)}`);
    }
    row.time = time;
  }
  return row;
}

/** A bucket's start as an ISO instant; a day or a time without a zone is UTC, as every window here is. */
function bucketInstant(value: string): string | undefined {
  const match = BUCKET.exec(value);
  if (!match) return undefined;
  let text = value.length === 10 ? `${value}T00:00:00` : value.replace(' ', 'T');
  if (match[4] === undefined) text += 'Z';
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The metrics and dimensions a report needs that `meta` does not list, in the order asked. */
export function missingFromMeta(meta: AnalyticsMeta, dimensions: readonly AnalyticsDimension[]): string[] {
  const metrics = new Set(meta.metrics.map((m) => m.name));
  const dims = new Set(meta.dimensions.map((d) => d.name));
  return [...ANALYTICS_METRICS.filter((m) => !metrics.has(m)), ...dimensions.filter((d) => !dims.has(d))];
}

/** Answers 403 and 404 mean the account has no analytics: an expected gap, not a failure to warn about. */
export function isUnavailable(error: Failure): boolean {
  return (error.status === 403 || error.status === 404) && (error.endpoint ?? '').startsWith('/analytics/');
}

/** What one report asks analytics: the breakdown window, and the days the account totals and pace need. */
export interface AnalyticsPlan {
  /** The breakdown window, UTC days inclusive. */
  from: string;
  to: string;
  /** The moment asked about (the run's now): the last window ends here when it holds today. */
  asOf: string;
  /** The series' buckets: hours for --by hour, else days. */
  granularity: 'hour' | 'day';
  /** Models are asked with their provider too while the window is within the provider dimension's 31 days. */
  providers: boolean;
  /** --by provider: without providers there is no report to make. */
  providersNeeded?: boolean | undefined;
  /** A grouping of its own: by key or by workspace. */
  group: 'api_key_id' | 'workspace' | null;
  /** First UTC day of the account query: this month, this week (from Monday) and the 7 days before today. */
  accountFrom: string;
}

/** The answers to a plan's queries (at most four), every row checked and whole. */
export interface AnalyticsAnswers {
  plan: AnalyticsPlan;
  /** Per model (and provider, when asked) over the window. */
  models: AnalyticsRow[];
  /** Per time bucket over the window. */
  series: AnalyticsRow[];
  /** Per UTC day from accountFrom to now, every workspace and key (deleted ones too). */
  account: AnalyticsRow[];
  /** Per key or workspace over the window, when the plan groups so. */
  groups: AnalyticsRow[] | null;
}

/** A day's midnight as an ISO instant. */
const midnight = (day: string): string => `${day}T00:00:00.000Z`;

function windowRange(plan: AnalyticsPlan, from: string, to: string): { start: string; end: string } {
  const start = midnight(from);
  const dayAfter = new Date(Date.parse(midnight(to)) + DAY_MS).toISOString();
  // Up to now when the window holds today; a moment after the start at 00:00:00 sharp, so the range is never empty.
  let end = dayAfter < plan.asOf ? dayAfter : plan.asOf;
  if (end <= start) end = new Date(Date.parse(start) + 1000).toISOString();
  return { start, end };
}

/** The queries of a plan, in the order of AnalyticsAnswers. */
export function queriesOf(plan: AnalyticsPlan): { models: AnalyticsQuery; series: AnalyticsQuery; account: AnalyticsQuery; groups: AnalyticsQuery | null } {
  const window = windowRange(plan, plan.from, plan.to);
  const today = plan.asOf.slice(0, 10);
  return {
    models: { dimensions: plan.providers ? ['model', 'provider'] : ['model'], granularity: null, ...window },
    series: { dimensions: [], granularity: plan.granularity, ...window },
    account: { dimensions: [], granularity: 'day', ...windowRange(plan, plan.accountFrom, today) },
    groups: plan.group ? { dimensions: [plan.group], granularity: null, ...window } : null,
  };
}

/** The day's analytics discovery, kept in the cache directory; read() is undefined when absent, stale or invalid. */
export interface MetaCache {
  read(): AnalyticsMeta | undefined;
  write(meta: AnalyticsMeta): void;
}

/** Analytics' answer for a report, or why there is none. `unavailable`: 403/404, the account has no analytics (no warning). */
export type AnalyticsOutcome =
  | { status: 'ok'; value: AnalyticsAnswers }
  | { status: 'needs-management-key' }
  | { status: 'unavailable'; error: Failure }
  | { status: 'failed'; error: Failure };

/**
 * Discovery (or its cached copy) and the queries leave together, so analytics costs no round trip:
 * the queries are not held back for /analytics/meta, whose answer serves to name what is missing
 * when a query is refused, and is cached for a day. An answer of the wrong shape (a count that is
 * no number, say) is an invalid-response error for the whole run (exit 6), never a figure.
 */
export async function fetchAnalytics(http: HttpClient, key: NamedKey, plan: AnalyticsPlan, cache: MetaCache | undefined): Promise<AnalyticsOutcome> {
  const cached = cache?.read();
  // Providers beside the models are a bonus unless --by provider asked for them: a discovery that
  // does not list the dimension drops them rather than the whole of analytics.
  if (cached && plan.providers && !plan.providersNeeded && missingFromMeta(cached, ['provider']).length > 0) plan = { ...plan, providers: false };
  const queries = queriesOf(plan);
  const dimensions = [...queries.models.dimensions, ...(queries.groups?.dimensions ?? [])];
  if (cached) {
    const missing = missingFromMeta(cached, dimensions);
    if (missing.length > 0) return { status: 'failed', error: lacking(missing) };
  }
  const meta: Promise<AnalyticsMeta> = cached
    ? Promise.resolve(cached)
    : fetchAnalyticsMeta(http, key).then((answer) => {
        cache?.write(answer);
        return answer;
      });
  const asked = Promise.all([
    queryAnalytics(http, key, queries.models),
    queryAnalytics(http, key, queries.series),
    queryAnalytics(http, key, queries.account),
    queries.groups ? queryAnalytics(http, key, queries.groups) : Promise.resolve(null),
  ]);
  const [metaResult, askedResult] = await Promise.allSettled([meta, asked]);
  const metaError = metaResult.status === 'rejected' ? asFailure(metaResult.reason) : undefined;
  if (metaError && isUnavailable(metaError)) return { status: 'unavailable', error: plainFailure(metaError) };
  if (askedResult.status === 'fulfilled') {
    const [models, series, account, groups] = askedResult.value;
    return { status: 'ok', value: { plan, models, series, account, groups } };
  }
  const error = asFailure(askedResult.reason);
  if (isUnavailable(error)) return { status: 'unavailable', error: plainFailure(error) };
  if (error.kind === 'invalid-response' || error.kind === 'aborted') throw askedResult.reason;
  // A refused query is explained by discovery when it lists less than a report needs.
  if (metaResult.status === 'fulfilled') {
    const missing = missingFromMeta(metaResult.value, dimensions);
    if (missing.length > 0) return { status: 'failed', error: lacking(missing) };
  }
  return { status: 'failed', error };
}

function lacking(missing: readonly string[]): CliError {
  const list = missing.join(', ');
  return new CliError(
    'invalid-response',
    `the analytics API does not offer ${missing.length === 1 ? 'the metric or dimension' : 'the metrics or dimensions'} ${list} (per /analytics/meta)`,
    {
      endpoint: '/analytics/meta',
    },
  );
}

function asFailure(reason: unknown): Failure {
  if (reason instanceof CliError) return reason;
  return new CliError('internal', `internal error: ${reason instanceof Error ? reason.message : String(reason)}`);
}

// The answers as cached with a report (src/cache.ts): validated on read like any answer.
const count = () => number().check(nonnegative());
const rowSchema = object({
  time: nullable(string()),
  dims: record(string(), nullable(string())),
  credits: count(),
  byok: count(),
  requests: count(),
  promptTokens: count(),
  completionTokens: count(),
  reasoningTokens: count(),
});
const day = () => string().check(regex(/^\d{4}-\d{2}-\d{2}$/));
const answersSchema = object({
  plan: object({
    from: day(),
    to: day(),
    asOf: string().check(refine((text) => Number.isFinite(Date.parse(text)), 'not a date-time')),
    granularity: union([literal('hour'), literal('day')]),
    providers: boolean(),
    providersNeeded: optional(boolean()),
    group: nullable(union([literal('api_key_id'), literal('workspace')])),
    accountFrom: day(),
  }),
  models: array(rowSchema),
  series: array(rowSchema),
  account: array(rowSchema),
  groups: nullable(array(rowSchema)),
});
const failureSchema = object({
  kind: union(FAILURE_KINDS.map((kind) => literal(kind))),
  message: string(),
  endpoint: optional(string()),
  status: optional(number()),
  exitCode: number(),
});
/** An analytics outcome as it may be cached: never a failure (a report with one is not cached). */
export const analyticsOutcomeSchema = union([
  object({ status: literal('ok'), value: answersSchema }),
  object({ status: literal('needs-management-key') }),
  object({ status: literal('unavailable'), error: failureSchema }),
]);
