import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Responses } from './report.js';

/**
 * A per-user cache of API answers for status bars and agents that poll often. It holds the
 * validated answers, not the printed report, so a cached run renders exactly as a fresh one.
 * The file is named by a hash of the keys and base URL, never by a key.
 */
export interface CacheEntry {
  version: 1;
  fetchedAt: string;
  responses: Responses;
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(base, 'openrouter-usage');
}

export function cachePath(env: NodeJS.ProcessEnv, identity: readonly string[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(['openrouter-usage cache v1', ...identity]))
    .digest('hex')
    .slice(0, 32);
  return join(cacheDir(env), `${hash}.json`);
}

/** The entry, or undefined when there is none or it cannot be read (a cache is never an error). */
export function readCache(path: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheEntry>;
    if (entry.version !== 1 || typeof entry.fetchedAt !== 'string' || Number.isNaN(Date.parse(entry.fetchedAt)) || !entry.responses?.key) return undefined;
    return entry as CacheEntry;
  } catch {
    return undefined;
  }
}

/** Only complete answers are cached: a part that failed would otherwise stay failed for the cache's life. */
export function isCacheable(responses: Responses): boolean {
  return [responses.credits, responses.activity, responses.keys].every((outcome) => outcome.status !== 'failed');
}

/** Written to a temporary file and renamed, so a reader never sees half a file; mode 0600. */
export function writeCache(path: string, entry: CacheEntry): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // A cache that cannot be written costs the next run a request, nothing more.
  }
}
