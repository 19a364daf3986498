import { dirname } from 'node:path';
import { literal, object, refine, string } from 'zod/mini';
import { analyticsMetaSchema, type AnalyticsMeta, type MetaCache } from './api/analytics.js';
import { cachePath, checkCacheDirectory, discard, readTrustedText, writeCacheEntry } from './cache.js';

/** Analytics discovery changes rarely: one answer serves a day. */
export const META_MAX_AGE_MS = 86_400_000;

const metaEntrySchema = object({
  version: literal(1),
  fetchedAt: string().check(refine((text) => Number.isFinite(Date.parse(text)), 'not a date-time')),
  meta: analyticsMetaSchema.shape.data,
});

/**
 * /analytics/meta's answer, kept for a day in the cache directory under a name hashed from the key
 * and base URL, with the report cache's safeguards: a directory others can write is not used, a
 * file is read only if it is ours and no link, validated with the API's schema, written through an
 * O_EXCL temporary. Undefined when the directory cannot be trusted (then discovery is just asked).
 */
export function openMetaCache(options: {
  env: Readonly<Record<string, string | undefined>>;
  uid: number | undefined;
  key: string;
  baseUrl: string;
  now: () => number;
}): MetaCache | undefined {
  const path = cachePath(options.env, ['analytics-meta', options.key, options.baseUrl], 'analytics-meta-');
  if (!checkCacheDirectory(dirname(path), options.uid).usable) return undefined;
  return {
    read(): AnalyticsMeta | undefined {
      // Undefined when there is none, or one not to be trusted (then already removed).
      const text = readTrustedText(path, options.uid);
      if (text === undefined) return undefined;
      let parsed;
      try {
        parsed = metaEntrySchema.safeParse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        discard(path);
        return undefined;
      }
      // A clock set back a little (or a pinned one) leaves the entry "from the future": discovery names
      // metrics, it carries no figure, so within a day either way it serves.
      const age = options.now() - Date.parse(parsed.data.fetchedAt);
      return Math.abs(age) < META_MAX_AGE_MS ? parsed.data.meta : undefined;
    },
    write(meta: AnalyticsMeta): void {
      writeCacheEntry(path, { version: 1, fetchedAt: new Date(options.now()).toISOString(), meta });
    },
  };
}
