import { openMetaCache } from './analytics-cache.js';
import { fetchKeyList, type NamedKey } from './api/client.js';
import type { KeyListItem } from './api/schemas.js';
import { isCacheable } from './cache.js';
import type { Fetched, LiveSettings } from './commands/answers.js';
import { CliError } from './errors.js';
import { gatherResponses } from './gather.js';
import { HttpClient } from './http.js';
import { planAnalytics } from './insights/window.js';
import type { Io } from './io.js';
import type { CliOptions, CommonOptions } from './options.js';
import type { Warning } from './report.js';

/**
 * Settings in, validated answers out: the one module that talks HTTP, loaded only when a command
 * really asks the API (never for --demo, --help, --version or a fresh cache hit of a status bar).
 */
export async function fetchReportAnswers(settings: LiveSettings, options: CliOptions, io: Io, signal: AbortSignal | undefined): Promise<Fetched> {
  const started = io.now();
  const warnings = settings.warnings;
  const { cache } = settings;
  if (cache && options.cache! > 0) {
    // Validated on read; an entry that fails is deleted and counts as a miss, so it is fetched again.
    const entry = cache.read();
    const age = entry ? started - Date.parse(entry.fetchedAt) : Infinity;
    if (entry && age >= 0 && age < options.cache! * 1000) {
      return { responses: entry.responses, warnings, fetchedAt: new Date(entry.fetchedAt), fromCache: true };
    }
  }

  // A window analytics cannot serve is a usage error before any request leaves.
  const plan = options.demo ? undefined : planAnalytics(new Date(started), options);
  const metaCache = (key: NamedKey) => openMetaCache({ env: io.env, uid: io.uid, key: key.value, baseUrl: settings.baseUrl, now: () => io.now() });
  const http = client(options, settings.baseUrl, signal, io);
  try {
    const responses = await gatherResponses(http, settings.credentials, { scope: options.scope, analytics: plan && { plan, metaCache } });
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    const fetchedAt = new Date(io.now());
    if (cache && isCacheable(responses)) cache.write({ version: 1, fetchedAt: fetchedAt.toISOString(), responses });
    return { responses, warnings, fetchedAt, fromCache: false };
  } catch (error) {
    await http.destroy();
    throw error;
  }
}

/** For `keys`: the management key, or the API key when it is the only one (it may be a management key). */
export async function fetchKeyListAnswers(
  key: NamedKey,
  baseUrl: string,
  options: CommonOptions,
  io: Io,
  signal: AbortSignal | undefined,
): Promise<{ keys: KeyListItem[]; warnings: Warning[] }> {
  const http = client(options, baseUrl, signal, io);
  try {
    const keys = await fetchKeyList(http, key);
    await http.close();
    return { keys, warnings: [] };
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

function client(options: CommonOptions, baseUrl: string, signal: AbortSignal | undefined, io: Io): HttpClient {
  return new HttpClient({
    baseUrl,
    timeoutMs: options.timeout * 1000,
    // Durations run on the real clock, whatever io says today is.
    deadlineAt: Date.now() + options.deadline * 1000,
    signal,
    debug: options.debug ? (line: string) => io.stderr.write(`debug: ${line}\n`) : undefined,
    userAgent: `openrouter-usage/${__VERSION__}`,
    // From the run's environment, in the precedence curl and undici give them (lower case first).
    proxy: {
      httpProxy: io.env.http_proxy || io.env.HTTP_PROXY || '',
      httpsProxy: io.env.https_proxy || io.env.HTTPS_PROXY || '',
      noProxy: io.env.no_proxy || io.env.NO_PROXY || '',
    },
  });
}
