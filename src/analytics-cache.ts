import { analyticsMetaSchema, type AnalyticsMeta, type MetaCache } from './api/analytics.js';
import { openDayCache } from './cache.js';

/**
 * /analytics/meta's answer, kept for a day in the cache directory (see openDayCache: a directory
 * others can write is not used, a file is read only if it is ours and no link, validated with the
 * API's schema). Undefined when the directory cannot be trusted: then discovery is simply asked.
 */
export function openMetaCache(options: {
  env: Readonly<Record<string, string | undefined>>;
  uid: number | undefined;
  key: string;
  baseUrl: string;
  now: () => number;
}): MetaCache | undefined {
  return openDayCache<AnalyticsMeta>({
    env: options.env,
    uid: options.uid,
    prefix: 'analytics-meta',
    identity: [options.key, options.baseUrl],
    schema: analyticsMetaSchema.shape.data,
    now: options.now,
  }).cache;
}
