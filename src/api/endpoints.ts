import { CliError } from '../base/errors.js';
import { formatCount } from '../base/money.js';
import type { HttpClient, HttpResponse } from './http.js';
import { sanitize } from '../safety/sanitize.js';
import * as schemas from './schemas.js';
import type { ActivityRow, CreditsData, KeyData, KeyListItem } from './schemas.js';
import { contentType, parseBody } from './parse-body.js';

/** Names the environment variable a key came from, so messages can say which one to fix. */
export interface NamedKey {
  value: string;
  name: 'OPENROUTER_API_KEY' | 'OPENROUTER_MGMT_KEY';
}

export type Endpoint = '/key' | '/credits' | '/activity' | '/keys' | '/workspaces';

/** One GET, its status checked and its body validated whole. */
export async function getBody<B>(
  http: HttpClient,
  path: Endpoint,
  key: NamedKey,
  query: Record<string, string> | undefined,
  schema: (v: typeof schemas) => import('zod/mini').ZodMiniType<B>,
  received?: { bytes: number },
): Promise<B> {
  const response = await http.get(path, key.value, query);
  if (received) received.bytes += Buffer.byteLength(response.text);
  return parseBody(path, expectOk(path, response, key), contentType(response), schema(schemas));
}

async function getValid<T>(
  http: HttpClient,
  path: Endpoint,
  key: NamedKey,
  query: Record<string, string> | undefined,
  schema: (v: typeof schemas) => import('zod/mini').ZodMiniType<{ data: T }>,
  received?: { bytes: number },
): Promise<T> {
  return (await getBody(http, path, key, query, schema, received)).data;
}

export function fetchKey(http: HttpClient, key: NamedKey): Promise<KeyData> {
  return getValid(http, '/key', key, undefined, (v) => v.keySchema);
}

export function fetchCredits(http: HttpClient, key: NamedKey): Promise<CreditsData> {
  return getValid(http, '/credits', key, undefined, (v) => v.creditsSchema);
}

export interface ActivityQuery {
  /** Only one key's activity (the hash as /keys lists it). */
  apiKeyHash?: string | undefined;
  /** Only one workspace's activity. */
  workspaceId?: string | undefined;
  /** Rows split per workspace, each carrying its `workspace_id`. */
  groupByWorkspace?: boolean | undefined;
}

export function fetchActivity(http: HttpClient, key: NamedKey, query: ActivityQuery = {}): Promise<ActivityRow[]> {
  const params: Record<string, string> = {};
  if (query.apiKeyHash) params.api_key_hash = query.apiKeyHash;
  if (query.workspaceId) params.workspace_id = query.workspaceId;
  if (query.groupByWorkspace) params.group_by = 'workspace';
  return getValid(http, '/activity', key, Object.keys(params).length > 0 ? params : undefined, (v) => v.activitySchema);
}

/** A guard against a server that ignores `offset` and returns the same page forever. */
export const MAX_PAGES = 200;
/** Far more keys than any account holds, and far more bytes than they take: past either, the server is not listing keys. */
export const MAX_KEYS = 10_000;
export const MAX_KEY_LIST_BYTES = 32 * 1024 * 1024;

/** The fields of a /keys item the reports read; a server that pads items with others costs no memory. */
const KEY_FIELDS = Object.keys(schemas.keyListItemSchema.shape);

function keptFields(item: KeyListItem): KeyListItem {
  const kept: Record<string, unknown> = {};
  for (const field of KEY_FIELDS) if (item[field] !== undefined) kept[field] = item[field];
  return kept as KeyListItem;
}

/**
 * /keys answers with "the most recent 100 API keys" a page, paged by `offset`
 * (openrouter.ai/docs/features/provisioning-api-keys), so a shorter page is the last one and
 * most accounts need one request, not a second that can only come back empty.
 */
const KEYS_PAGE_SIZE = 100;

export interface KeyListQuery {
  /** One workspace's keys; without it, /keys lists the default workspace's only. */
  workspaceId?: string | undefined;
  /** Told, once, when paging stopped early because a page repeated keys already listed. */
  warn?: ((message: string) => void) | undefined;
}

/**
 * Every key of one workspace (the default one without `workspaceId`), disabled ones included (their
 * spend this month still counts), read page by page until a short or empty page. A key listed twice
 * counts once; a page that repeats keys of an earlier page means the server is not paging, so the
 * listing stops there, with a warning, rather than count the same keys again.
 */
export async function fetchKeyList(http: HttpClient, key: NamedKey, query: KeyListQuery = {}): Promise<KeyListItem[]> {
  const received = { bytes: 0 };
  return readPages<KeyListItem>({
    where: query.workspaceId ? `/keys?workspace_id=${query.workspaceId}` : '/keys',
    endpoint: '/keys',
    noun: 'keys',
    page: async (offset) => {
      const params: Record<string, string> = { include_disabled: 'true', offset: String(offset) };
      if (query.workspaceId) params.workspace_id = query.workspaceId;
      return { items: await getValid(http, '/keys', key, params, (v) => v.keyListSchema, received) };
    },
    idOf: (item) => item.hash,
    keep: keptFields,
    check: (all) => {
      if (all.length > MAX_KEYS || received.bytes > MAX_KEY_LIST_BYTES) {
        const what = all.length > MAX_KEYS ? `more than ${formatCount(MAX_KEYS)} keys` : `more than ${MAX_KEY_LIST_BYTES / 1024 / 1024} MiB`;
        throw new CliError('invalid-response', `/keys: invalid response: ${what} listed; stopped reading`, { endpoint: '/keys' });
      }
    },
    isLast: ({ items }) => items.length < KEYS_PAGE_SIZE,
    warn: query.warn,
  });
}

/**
 * A list read page by page (`offset` counts the items received so far) until `isLast` says so. An
 * item listed twice counts once; a page that repeats items of an earlier page means the server is not
 * paging, so the listing stops there, with a warning, rather than count the same items again; past
 * MAX_PAGES the answer is refused.
 */
export async function readPages<T>(list: {
  /** The endpoint as messages name it (`/keys?workspace_id=…`), and as errors carry it (`/keys`). */
  where: string;
  endpoint: string;
  noun: string;
  page: (offset: number, index: number) => Promise<{ items: readonly T[]; total?: number | null | undefined }>;
  idOf: (item: T) => string;
  keep?: (item: T) => T;
  /** Checked after every page, with everything kept so far: a limit's error. */
  check?: (all: readonly T[]) => void;
  isLast: (page: { items: readonly T[]; total?: number | null | undefined }, all: readonly T[]) => boolean;
  warn?: ((message: string) => void) | undefined;
}): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (let index = 0; index < MAX_PAGES; index += 1) {
    const page = await list.page(offset, index);
    offset += page.items.length;
    const repeats = index > 0 && page.items.some((item) => seen.has(list.idOf(item)));
    for (const item of page.items) {
      if (seen.has(list.idOf(item))) continue;
      seen.add(list.idOf(item));
      all.push(list.keep ? list.keep(item) : item);
    }
    list.check?.(all);
    if (repeats) {
      list.warn?.(
        `${list.where}: page ${index + 1} repeats ${list.noun} already listed, so paging stopped there; ${list.noun} after the first ${all.length} may be missing`,
      );
      return all;
    }
    if (list.isLast(page, all)) return all;
  }
  throw new CliError('invalid-response', `${list.endpoint}: invalid response: still more ${list.noun} after ${MAX_PAGES} pages`, { endpoint: list.endpoint });
}

export function expectOk(endpoint: string, response: HttpResponse, key: NamedKey): string {
  const { status } = response;
  if (status >= 200 && status < 300) return response.text;
  const said = serverMessage(response.text);
  const suffix = said ? `: ${said}` : '';
  if (status === 401) {
    return fail('key-rejected', `${endpoint}: OpenRouter rejected ${key.name} (HTTP 401${suffix}); check that the key is complete and not revoked`);
  }
  if (status === 403) {
    const hint = key.name === 'OPENROUTER_MGMT_KEY' ? '; is it a management key (Settings → Management keys)?' : '';
    return fail('key-rejected', `${endpoint}: ${key.name} may not call this endpoint (HTTP 403${suffix})${hint}`);
  }
  if (status >= 300 && status < 400) {
    // Following a redirect would hand the key to wherever it points.
    const location = response.headers.location;
    const target = typeof location === 'string' ? safeOrigin(location) : undefined;
    return fail('http-status', `${endpoint}: unexpected redirect (HTTP ${status}${target ? ` to ${target}` : ''}), not followed; check --base-url`);
  }
  if (status === 404) return fail('http-status', `${endpoint}: not found (HTTP 404${suffix}); check --base-url`);
  return fail('http-status', `${endpoint}: unexpected HTTP ${status}${suffix}`);

  function fail(kind: 'key-rejected' | 'http-status', message: string): never {
    throw new CliError(kind, message, { endpoint, status });
  }
}

/** The `error.message` of OpenRouter's JSON error body, made safe for one stderr line. */
function serverMessage(text: string): string | undefined {
  let message: unknown;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    message = body?.error?.message;
  } catch {
    return undefined;
  }
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  return sanitize(message, 160).replace(/\s+/g, ' ').trim();
}

function safeOrigin(location: string): string | undefined {
  try {
    return new URL(location).host;
  } catch {
    return undefined;
  }
}
