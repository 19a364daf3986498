import { CliError } from '../base/errors.js';
import type { HttpClient } from './http.js';
import { sanitize } from '../safety/sanitize.js';
import { fetchKeyList, getBody, readPages, type NamedKey } from './endpoints.js';
import { workspaceName, type KeyListItem, type Workspace } from './schemas.js';

/** What /workspaces said: the list, or that the account has no such endpoint (HTTP 403 or 404). */
export interface WorkspacesAnswer {
  /** False for accounts without /workspaces: every key is then in the default workspace. */
  supported: boolean;
  /** The HTTP status of the refusal, when not supported. */
  status?: number | undefined;
  workspaces: Workspace[];
}

export type WorkspaceMatch = { status: 'ok'; workspace: Workspace } | { status: 'unknown' | 'ambiguous'; message: string };

/**
 * `--workspace` names a workspace by id, slug or name (slug and name case-insensitively), in that
 * order of precedence: an id or slug is unique, a name need not be.
 */
export function findWorkspace(workspaces: readonly Workspace[], wanted: string): WorkspaceMatch {
  const query = wanted.trim();
  const lower = query.toLowerCase();
  const byId = workspaces.find((w) => w.id === query);
  if (byId) return { status: 'ok', workspace: byId };
  const bySlug = workspaces.filter((w) => w.slug?.toLowerCase() === lower);
  if (bySlug.length === 1) return { status: 'ok', workspace: bySlug[0]! };
  const byName = workspaces.filter((w) => w.name?.trim().toLowerCase() === lower);
  if (byName.length === 1) return { status: 'ok', workspace: byName[0]! };
  const shown = sanitize(query, 80);
  if (byName.length > 1) {
    return { status: 'ambiguous', message: `--workspace "${shown}" names ${byName.length} workspaces; give its slug or id: ${describeWorkspaces(byName)}` };
  }
  const known = workspaces.length > 0 ? `known: ${describeWorkspaces(workspaces)}` : 'the account lists none';
  return { status: 'unknown', message: `--workspace "${shown}" is not a workspace of this account; ${known}` };
}

/** `Research (slug research, id …)` for each, for a message that lets the reader pick. */
function describeWorkspaces(workspaces: readonly Workspace[]): string {
  return workspaces
    .map((w) => {
      const name = sanitize(workspaceName(w), 80);
      const slug = w.slug && w.slug !== name ? `slug ${sanitize(w.slug, 80)}, ` : '';
      return `${name} (${slug}id ${sanitize(w.id, 80)})`;
    })
    .join('; ');
}

/**
 * The account's keys across its workspaces. Since workspaces, `/keys` without `workspace_id` lists
 * the default workspace's keys only, so the account's keys are the union of `/keys?workspace_id=`
 * over every workspace `/workspaces` lists. Accounts without that endpoint (403/404) have one
 * workspace, whose keys the unscoped `/keys` lists.
 */

/** /workspaces takes `limit` up to 100 (default 50): one page holds most accounts. */
const WORKSPACES_PAGE_SIZE = 100;

/** Workspaces listed at once: enough that a few workspaces cost one round trip, few enough not to flood the API. */
const MAX_CONCURRENT_LISTINGS = 8;

/** The day-long cache of the workspace list (see openWorkspaceCache in cache.ts). */
export interface WorkspaceCache {
  read(): WorkspacesAnswer | undefined;
  write(answer: WorkspacesAnswer): void;
  discard(): void;
}

/**
 * Every workspace, page by page (`offset`, `limit` 100) until `total_count` are listed or a page is
 * short; 403 or 404 on the first page mean an account without workspaces, which is an answer, not
 * a failure.
 */
export async function fetchWorkspaces(http: HttpClient, key: NamedKey, warn: (message: string) => void): Promise<WorkspacesAnswer> {
  let pages = 0;
  try {
    const workspaces = await readPages<Workspace>({
      where: '/workspaces',
      endpoint: '/workspaces',
      noun: 'workspaces',
      page: async (offset) => {
        const body = await getBody(http, '/workspaces', key, { offset: String(offset), limit: String(WORKSPACES_PAGE_SIZE) }, (v) => v.workspaceListSchema);
        pages += 1;
        return { items: body.data, total: body.total_count };
      },
      idOf: (workspace) => workspace.id,
      isLast: ({ items, total }, all) => items.length === 0 || (total != null ? all.length >= total : items.length < WORKSPACES_PAGE_SIZE),
      warn,
    });
    return { supported: true, workspaces };
  } catch (error) {
    if (pages === 0 && error instanceof CliError && (error.status === 403 || error.status === 404)) {
      return { supported: false, status: error.status, workspaces: [] };
    }
    throw error;
  }
}

export interface AccountKeysOptions {
  /** `--workspace`: one workspace's keys (and its id for /activity). */
  workspace?: string | undefined;
  cache?: WorkspaceCache | undefined;
  warn: (message: string) => void;
  /**
   * The workspace `/key` says the key in use lives in: a cached list without it is older than that
   * workspace, and is fetched afresh (after the fact, so a good cache costs no waiting).
   */
  keyWorkspace?: Promise<string | null | undefined> | undefined;
}

export interface AccountKeys {
  /** The workspace list the keys were gathered over (possibly refreshed during the run). */
  workspaces: Promise<WorkspacesAnswer>;
  /** The `--workspace` asked for, once known; rejects with exit 2 for an unknown one. */
  selected: Promise<Workspace | undefined>;
  /** Every key of the account (or of the selected workspace), each once, `workspace_id` filled in where known. */
  keys: Promise<KeyListItem[]>;
}

/**
 * Starts listing the account's keys, as fast as the answers allow: with the workspace list cached,
 * every workspace's `/keys` leaves at once (one round trip); without it, `/workspaces` and the
 * unscoped `/keys` leave together, and only the workspaces other than the default one need a second
 * round trip. A cached list that names a workspace that is gone (404), or lacks the one asked for,
 * is fetched afresh once.
 */
export function startAccountKeys(http: HttpClient, key: NamedKey, options: AccountKeysOptions): AccountKeys {
  const { cache, warn } = options;
  const cached = cache?.read();
  const fresh = async (): Promise<WorkspacesAnswer> => {
    const answer = await fetchWorkspaces(http, key, warn);
    cache?.write(answer);
    return answer;
  };
  // The unscoped listing is the whole answer for accounts with one workspace or none, so it leaves
  // with /workspaces instead of after it; with --workspace or a cached list it is not needed.
  const unscoped = cached || options.workspace ? undefined : fetchKeyList(http, key, { warn });
  // Handled where it is awaited; this only keeps an early rejection from counting as unhandled.
  unscoped?.catch(() => undefined);

  const listed = cached ? Promise.resolve({ answer: cached, fromCache: true }) : fresh().then((answer) => ({ answer, fromCache: false }));

  const selection = listed.then(async ({ answer, fromCache }) => {
    if (options.workspace === undefined) return { answer, fromCache, selected: undefined };
    if (!answer.supported) {
      throw new CliError(
        'usage',
        `--workspace: this account has no workspaces to choose from (/workspaces answered HTTP ${answer.status ?? 404}); its keys are all in the default workspace`,
      );
    }
    let found = findWorkspace(answer.workspaces, options.workspace);
    if (found.status === 'unknown' && fromCache) {
      // A workspace made since the list was cached.
      cache?.discard();
      answer = await fresh();
      fromCache = false;
      found = findWorkspace(answer.workspaces, options.workspace);
    }
    if (found.status !== 'ok') throw new CliError('usage', found.message);
    return { answer, fromCache, selected: found.workspace };
  });

  const gathered = selection.then(async ({ answer, fromCache, selected }) => {
    if (selected) return { answer, keys: await keysOf(http, key, selected.id, warn) };
    const again = async () => {
      cache?.discard();
      const renewed = await fresh();
      return { answer: renewed, keys: await keysOfAll(http, key, renewed, undefined, warn) };
    };
    let keys: KeyListItem[];
    try {
      keys = await keysOfAll(http, key, answer, unscoped, warn);
    } catch (error) {
      // A cached workspace that no longer exists: ask for the list again, once.
      if (fromCache && error instanceof CliError && error.endpoint === '/keys' && error.status === 404) return again();
      throw error;
    }
    if (fromCache && answer.supported) {
      const own = await options.keyWorkspace?.catch(() => undefined);
      if (own && !answer.workspaces.some((w) => w.id === own)) return again();
    }
    return { answer, keys };
  });

  const result: AccountKeys = {
    workspaces: gathered.then((g) => g.answer),
    selected: selection.then((s) => s.selected),
    keys: gathered.then((g) => g.keys),
  };
  // Each is awaited by whoever needs it; a part nobody asks for must not fail the process as unhandled.
  for (const part of Object.values(result)) (part as Promise<unknown>).catch(() => undefined);
  return result;
}

async function keysOf(http: HttpClient, key: NamedKey, workspaceId: string, warn: (message: string) => void): Promise<KeyListItem[]> {
  const items = await fetchKeyList(http, key, { workspaceId, warn });
  // Where a key was listed is where it lives, whatever (if anything) it says itself.
  return items.map((item) => (item.workspace_id === workspaceId ? item : { ...item, workspace_id: workspaceId }));
}

async function keysOfAll(
  http: HttpClient,
  key: NamedKey,
  answer: WorkspacesAnswer,
  unscoped: Promise<KeyListItem[]> | undefined,
  warn: (message: string) => void,
): Promise<KeyListItem[]> {
  if (!answer.supported) return unscoped ?? fetchKeyList(http, key, { warn });
  const { workspaces } = answer;
  let base: KeyListItem[] = [];
  let covered: string | undefined;
  if (unscoped) {
    base = await unscoped;
    covered = defaultWorkspaceOf(base, workspaces);
    if (covered) base = base.map((item) => (item.workspace_id ? item : { ...item, workspace_id: covered }));
  }
  const others = await mapConcurrently(
    workspaces.filter((w) => w.id !== covered),
    MAX_CONCURRENT_LISTINGS,
    (w) => keysOf(http, key, w.id, warn),
  );
  const all: KeyListItem[] = [];
  const seen = new Set<string>();
  // Per-workspace listings first: they say for certain where each key lives.
  for (const item of [...others.flat(), ...base]) {
    if (seen.has(item.hash)) continue;
    seen.add(item.hash);
    all.push(item);
  }
  return all;
}

/**
 * Which workspace the unscoped /keys listed: the only one there is, or the one every listed key
 * names. Undefined when that cannot be told (no keys, or keys from before workspaces): every
 * workspace is then asked for by id, which costs requests but no time, since they leave together.
 */
function defaultWorkspaceOf(keys: readonly KeyListItem[], workspaces: readonly Workspace[]): string | undefined {
  if (workspaces.length === 1) return workspaces[0]!.id;
  const named = new Set(keys.map((k) => k.workspace_id ?? ''));
  if (named.size !== 1 || named.has('')) return undefined;
  const [id] = named;
  return workspaces.some((w) => w.id === id) ? id : undefined;
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order; the first failure rejects. */
async function mapConcurrently<T, U>(items: readonly T[], limit: number, fn: (item: T) => Promise<U>): Promise<U[]> {
  const results: U[] = new Array<U>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next;
      next += 1;
      results[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
