import { fetchKeyList, type NamedKey } from './api/client.js';
import type { KeyListItem } from './api/schemas.js';
import { isCacheable, writeCache } from './cache.js';
import type { Fetched, LiveSettings } from './commands/answers.js';
import { configWarnings } from './commands/warnings.js';
import { CliError } from './errors.js';
import { gatherResponses } from './gather.js';
import { HttpClient } from './http.js';
import type { Io } from './io.js';
import type { CliOptions, CommonOptions } from './options.js';
import { redact } from './redact.js';
import type { Warning } from './report.js';

/**
 * Settings in, validated answers out: the one module that talks HTTP, loaded only when a command
 * really asks the API (never for --demo, --help, --version or a fresh cache hit: answers.ts reads the
 * cache before it loads this module).
 */
export async function fetchReportAnswers(settings: LiveSettings, options: CliOptions, io: Io, signal: AbortSignal | undefined): Promise<Fetched> {
  const warnings = configWarnings(settings.credentials.warnings);
  const { cacheFile } = settings;

  const http = client(options, settings.baseUrl, signal, io);
  try {
    const responses = await gatherResponses(http, settings.credentials, { scope: options.scope });
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    const fetchedAt = new Date(io.now());
    if (cacheFile && isCacheable(responses)) writeCache(cacheFile, { version: 1, fetchedAt: fetchedAt.toISOString(), responses });
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
    debug: options.debug ? (line: string) => io.stderr.write(`debug: ${redact(line)}\n`) : undefined,
    userAgent: `openrouter-usage/${__VERSION__}`,
  });
}
