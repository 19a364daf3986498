import { fetchKeyList } from './api/client.js';
import type { KeyListItem } from './api/schemas.js';
import { cachePath, isCacheable, readCache, writeCache, type CacheEntry } from './cache.js';
import { DEFAULT_BASE_URL, findKeys, resolveCredentials, validateBaseUrl, type Credentials } from './config.js';
import { CliError } from './errors.js';
import { gatherResponses } from './gather.js';
import { HttpClient } from './http.js';
import type { CliOptions, CommonOptions } from './options.js';
import { redact, registerSecret } from './redact.js';
import type { Fetched } from './present.js';

/** Keys and settings in, validated answers out. Loaded only for a live report, never for --demo. */
export async function fetchLive(options: CliOptions, signal: AbortSignal, started: number): Promise<Fetched> {
  const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const credentials = resolveCredentials({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
  registerSecret(credentials.apiKey.value);
  registerSecret(credentials.mgmtKey?.value);

  const cacheFile = options.cache === undefined ? undefined : cachePath(process.env, cacheIdentity(credentials, baseUrl, options.scope));
  if (cacheFile && options.cache! > 0) {
    const entry = readCache(cacheFile);
    const age = entry ? started - Date.parse(entry.fetchedAt) : Infinity;
    if (entry && age >= 0 && age < options.cache! * 1000) {
      return { responses: entry.responses, configWarnings: credentials.warnings, fetchedAt: new Date(entry.fetchedAt), fromCache: true };
    }
  }

  const http = client(options, baseUrl, signal, started);
  try {
    const responses = await gatherResponses(http, credentials, { scope: options.scope });
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    const fetchedAt = new Date();
    if (cacheFile && isCacheable(responses)) writeCache(cacheFile, { version: 1, fetchedAt: fetchedAt.toISOString(), responses });
    return { responses, configWarnings: credentials.warnings, fetchedAt, fromCache: false };
  } catch (error) {
    await http.destroy();
    throw error;
  }
}

/** The last good answers for these settings, whatever their age: a status bar's fallback. */
export function lastGood(options: CliOptions): CacheEntry | undefined {
  try {
    const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    const credentials = resolveCredentials({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
    return readCache(cachePath(process.env, cacheIdentity(credentials, baseUrl, options.scope)));
  } catch {
    return undefined;
  }
}

/** What changes the answers: the keys, where they are sent, and whose activity is asked for. */
function cacheIdentity(credentials: Credentials, baseUrl: string, scope: string): string[] {
  return [credentials.apiKey.value, credentials.mgmtKey?.value ?? '', baseUrl, scope];
}

/** For `keys`: the management key, or the API key when it is the only one (it may be a management key). */
export async function fetchLiveKeys(options: CommonOptions, signal: AbortSignal, started: number): Promise<{ keys: KeyListItem[]; warnings: string[] }> {
  const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const found = findKeys({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
  registerSecret(found.apiKey?.value);
  registerSecret(found.mgmtKey?.value);
  const key = found.mgmtKey
    ? { value: found.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' as const }
    : found.apiKey && { value: found.apiKey.value, name: 'OPENROUTER_API_KEY' as const };
  if (!key) throw new CliError('config', `the keys view needs a management key: OPENROUTER_MGMT_KEY is not set; looked in ${found.places.join(', ')}`);

  const http = client(options, baseUrl, signal, started);
  try {
    const keys = await fetchKeyList(http, key);
    await http.close();
    return { keys, warnings: found.warnings };
  } catch (error) {
    await http.destroy();
    if (error instanceof CliError && error.status === 403 && key.name === 'OPENROUTER_API_KEY') {
      throw new CliError(
        'key-rejected',
        '/keys: the keys view needs a management key; set OPENROUTER_MGMT_KEY (OPENROUTER_API_KEY was refused with HTTP 403)',
        { endpoint: '/keys', status: 403 },
      );
    }
    throw error;
  }
}

function client(options: CommonOptions, baseUrl: string, signal: AbortSignal, started: number): HttpClient {
  return new HttpClient({
    baseUrl,
    timeoutMs: options.timeout * 1000,
    deadlineAt: started + options.deadline * 1000,
    signal,
    debug: options.debug ? (line: string) => process.stderr.write(`debug: ${redact(line)}\n`) : undefined,
    userAgent: `openrouter-usage/${__VERSION__}`,
  });
}
