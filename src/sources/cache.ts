import { DAY_MS } from '../base/time.js';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { array, boolean, int, literal, nonnegative, object, optional, refine, string, union, type ZodMiniType } from 'zod/mini';
import { analyticsMetaSchema, analyticsOutcomeSchema, type AnalyticsMeta, type MetaCache } from '../api/analytics.js';
import { activitySchema, creditsSchema, keyListSchema, keySchema, workspaceSchema } from '../api/schemas.js';
import type { WorkspaceCache } from '../api/workspaces.js';
import type { Responses } from '../api/answers.js';

/**
 * A per-user cache of API answers for status bars and agents that poll often. It holds the
 * validated answers, not the printed report, so a cached run renders exactly as a fresh one.
 * The file is named by a hash of the keys and base URL, never by a key.
 *
 * A cache feeds the figures and the --min-balance/--max-* checks, so it is trusted no more than the
 * network: every entry is validated on read with the API's own schemas (a failing one is deleted
 * and counts as a miss), a directory another user could write to is not used at all, and files are
 * never opened through a link someone planted.
 *
 * Used by src/sources/report-answers.ts: `openCache({ ...place, identity })` once per run, its
 * `warning` said once, then `cache?.read()`, and `cache?.write(entry)` in src/sources/live.ts.
 */
export interface CacheEntry {
  version: 1;
  fetchedAt: string;
  responses: Responses;
}

/** A cache file larger than this is not an answer of ours (a /keys list of 10,000 keys is far smaller). */
export const MAX_CACHE_BYTES = 32 * 1024 * 1024;

/** A part as it may be cached: only complete answers are written (see isCacheable), never a failure. */
export function cachedOutcome<T extends ZodMiniType>(value: T) {
  return union([object({ status: literal('ok'), value }), object({ status: literal('needs-management-key'), note: optional(string()) })]);
}

/** What /workspaces said, as cached (in a report's answers, and in the day-long workspace list). */
const WORKSPACES_ANSWER_SCHEMA = object({
  supported: boolean(),
  status: optional(int().check(nonnegative())),
  workspaces: array(workspaceSchema),
});

/**
 * One schema per part of `Responses`, the same the live answers were checked with. A new part of
 * `Responses` (workspaces, analytics) gets its line here; until it does, `readCacheEntry` does not
 * compile, so a part can never be read back unchecked.
 */
export const RESPONSE_PART_SCHEMAS = {
  key: keySchema.shape.data,
  credits: cachedOutcome(creditsSchema.shape.data),
  activity: cachedOutcome(activitySchema.shape.data),
  keys: cachedOutcome(keyListSchema.shape.data),
  workspaces: optional(cachedOutcome(WORKSPACES_ANSWER_SCHEMA)),
  workspace: optional(workspaceSchema),
  analytics: optional(analyticsOutcomeSchema),
};

/** The schema of a whole cache file holding the given parts. */
export function cacheEntrySchema<P extends Record<string, ZodMiniType>>(parts: P) {
  return object({
    version: literal(1),
    fetchedAt: string().check(refine((text) => Number.isFinite(Date.parse(text)), 'not a date-time')),
    responses: object(parts),
  });
}

export const CACHE_ENTRY_SCHEMA = cacheEntrySchema(RESPONSE_PART_SCHEMAS);

type Env = Readonly<Record<string, string | undefined>>;

/** Where the cache folder is: XDG_CACHE_HOME, HOME or the user's home (io's), and who must own it. */
export interface CachePlace {
  env: Env;
  home: string;
  uid?: number | undefined;
}

function cacheDirectory({ env, home }: Pick<CachePlace, 'env' | 'home'>): string {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || home, '.cache');
  return join(base, 'openrouter-usage');
}

export function cachePath(place: Pick<CachePlace, 'env' | 'home'>, identity: readonly string[], prefix = ''): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(['openrouter-usage cache v1', ...identity]))
    .digest('hex')
    .slice(0, 32);
  return join(cacheDirectory(place), `${prefix}${hash}.json`);
}

/**
 * Makes the directory (mode 0700) if there is none, and says whether it may be trusted: it must be a
 * directory owned by `uid` that neither group nor others can write, or anyone who can write there
 * could plant answers and silence the thresholds. `uid` undefined (Windows: no POSIX owners) skips
 * the owner and mode checks. A directory that cannot be made is no warning: a cache is never an error.
 */
export function checkCacheDirectory(dir: string, uid: number | undefined): { usable: boolean; warning?: string } {
  let stats;
  try {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      // Something by that name already: judged below like any directory.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Following a link here is safe: what counts is who owns and may write the directory it leads to.
    stats = statSync(dir);
  } catch {
    return { usable: false };
  }
  const refuse = (why: string) => ({ usable: false, warning: `warning: cache directory ${dir} ${why}; not using the cache` });
  if (!stats.isDirectory()) return refuse('is not a directory');
  if (uid === undefined) return { usable: true };
  if (stats.uid !== uid) return refuse(`belongs to another user (uid ${stats.uid})`);
  if ((stats.mode & 0o022) !== 0) {
    return refuse(`is writable by ${stats.mode & 0o002 ? 'others' : 'its group'} (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`);
  }
  return { usable: true };
}

/**
 * The entry at `path`, validated, or undefined. An entry that is not a regular file of `uid`'s, is a
 * link, is too large, or fails the schema is deleted, so the next run fetches and writes a good one.
 */
export function readCacheEntry(path: string, uid: number | undefined): CacheEntry | undefined {
  // Compiles only while every part of Responses has its schema above.
  return readValidated<CacheEntry>(path, uid, CACHE_ENTRY_SCHEMA);
}

/** The entry at `path` as `schema` reads it; a file that is not ours, or fails the schema, is deleted. */
function readValidated<T>(path: string, uid: number | undefined, schema: ZodMiniType<T>): T | undefined {
  const text = readTrustedText(path, uid);
  const entry = text === undefined ? undefined : parseEntry(text, schema);
  if (text !== undefined && !entry) discard(path);
  return entry;
}

/** The text of a cache file we may trust (see readCacheEntry); undefined, and the file removed when it is not ours, otherwise. */
function readTrustedText(path: string, uid: number | undefined): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // ELOOP (EMLINK on the BSDs): a symbolic link where an entry should be. Nobody but us writes here.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') discard(path);
    return undefined;
  }
  let text: string | undefined;
  try {
    const stats = fstatSync(fd);
    const trusted = stats.isFile() && stats.size <= MAX_CACHE_BYTES && (uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0));
    if (trusted) text = readAtMost(fd, MAX_CACHE_BYTES);
  } catch {
    text = undefined;
  } finally {
    closeSync(fd);
  }
  if (text === undefined) discard(path);
  return text;
}

function parseEntry<T>(text: string, schema: ZodMiniType<T>): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function readAtMost(fd: number, limit: number): string | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    total += read;
    if (total > limit) return undefined;
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function discard(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or a directory: either way it is not read as an entry.
  }
}

/**
 * Writes the entry through a new temporary file in the same directory (a random name, created with
 * O_EXCL and O_NOFOLLOW, mode 0600), then renames it over `path`: a reader never sees half a file,
 * and a link planted at any name is neither followed nor overwritten. False when nothing was written.
 * `temporaryName` is for tests.
 */
export function writeCacheEntry(
  path: string,
  entry: CacheEntry | { version: 1; fetchedAt: string; value: unknown },
  temporaryName: () => string = () => randomBytes(12).toString('hex'),
): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${temporaryName()}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch {
    // Taken (by a planted link, say): it is not ours to remove.
    return false;
  }
  try {
    try {
      const bytes = Buffer.from(JSON.stringify(entry), 'utf8');
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    return true;
  } catch {
    discard(temporary);
    return false;
  }
}

/** Only complete answers are cached: a part that failed would otherwise stay failed for the cache's life. */
export function isCacheable(responses: Responses): boolean {
  return [responses.credits, responses.activity, responses.keys, responses.workspaces, responses.analytics].every((outcome) => outcome?.status !== 'failed');
}

export interface OpenedCache {
  /** The entry for this run's identity, validated; undefined on a miss. */
  read(): CacheEntry | undefined;
  /** Stores the entry (callers check isCacheable first); false when it could not be written. */
  write(entry: CacheEntry): boolean;
  readonly path: string;
}

/**
 * The cache for these settings, or none, with at most one warning line for stderr when the
 * directory cannot be trusted. `uid` is the caller's `process.getuid?.()`.
 */
export function openCache(options: CachePlace & { identity: readonly string[] }): {
  cache: OpenedCache | undefined;
  warning: string | undefined;
} {
  const path = cachePath(options, options.identity);
  const directory = checkCacheDirectory(dirname(path), options.uid);
  if (!directory.usable) return { cache: undefined, warning: directory.warning };
  return {
    cache: {
      path,
      read: () => readCacheEntry(path, options.uid),
      write: (entry) => writeCacheEntry(path, entry),
    },
    warning: undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Answers kept for a day (the workspace list, analytics discovery): they change rarely, and with one
// at hand the requests that need it leave at once instead of after it has been asked for.

/** How long a day-long answer is used. */
export const DAY_CACHE_MAX_AGE_MS = DAY_MS;

/** One answer kept for a day; read() is undefined when absent, too old, or not to be trusted. */
export interface DayCache<T> {
  read(): T | undefined;
  write(value: T): void;
  discard(): void;
}

/**
 * A day-long cache of one answer for these settings (the key and base URL, hashed into a file name
 * that starts with `prefix`), held to the same rules as every cached answer: a directory only this
 * user can write, no links, O_EXCL temporaries, and `schema` checked on every read (a file that fails
 * is deleted). `refresh` (--cache 0) skips reading. An entry a little "from the future" is a clock set
 * back, not a reason to ask again: it serves while within a day either way.
 */
export function openDayCache<T>(options: {
  place: CachePlace;
  prefix: string;
  identity: readonly string[];
  schema: ZodMiniType<T>;
  now: () => number;
  refresh?: boolean | undefined;
}): { cache: DayCache<T> | undefined; warning: string | undefined } {
  const path = cachePath(options.place, [options.prefix, ...options.identity], `${options.prefix}-`);
  const directory = checkCacheDirectory(dirname(path), options.place.uid);
  if (!directory.usable) return { cache: undefined, warning: directory.warning };
  const entrySchema = object({
    version: literal(1),
    fetchedAt: string().check(refine((text) => Number.isFinite(Date.parse(text)), 'not a date-time')),
    value: options.schema,
  });
  return {
    cache: {
      read: () => {
        if (options.refresh) return undefined;
        const entry = readValidated(path, options.place.uid, entrySchema);
        if (!entry) return undefined;
        const age = options.now() - Date.parse(entry.fetchedAt);
        return Math.abs(age) < DAY_CACHE_MAX_AGE_MS ? entry.value : undefined;
      },
      write: (value) => {
        writeCacheEntry(path, { version: 1, fetchedAt: new Date(options.now()).toISOString(), value });
      },
      discard: () => discard(path),
    },
    warning: undefined,
  };
}

/** The workspace list for a key and base URL, kept for a day. */
export function openWorkspaceCache(options: { place: CachePlace; identity: readonly string[]; now: () => number; refresh?: boolean }): {
  cache: WorkspaceCache | undefined;
  warning: string | undefined;
} {
  return openDayCache({ ...options, prefix: 'workspaces', schema: WORKSPACES_ANSWER_SCHEMA });
}

/**
 * /analytics/meta's answer for a key and base URL, kept for a day. Undefined when the directory
 * cannot be trusted: then discovery is simply asked.
 */
export function openMetaCache(options: { place: CachePlace; key: string; baseUrl: string; now: () => number }): MetaCache | undefined {
  return openDayCache<AnalyticsMeta>({
    place: options.place,
    prefix: 'analytics-meta',
    identity: [options.key, options.baseUrl],
    schema: analyticsMetaSchema.shape.data,
    now: options.now,
  }).cache;
}
