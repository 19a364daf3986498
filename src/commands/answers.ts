import { cachePath, readCache, type CacheEntry } from '../cache.js';
import { DEFAULT_BASE_URL, resolveCredentials, validateBaseUrl, type Credentials } from '../config.js';
import type { Io } from '../io.js';
import type { CliOptions, CommonOptions } from '../options.js';
import { registerSecret } from '../redact.js';
import { buildCheckedReport, type Report, type Responses, type Warning } from '../report.js';
import type { CliError } from '../errors.js';
import { configWarnings } from './warnings.js';

/** The answers for one report (the demo's, the cache's, or the API's), and when they were fetched. */
export interface Fetched {
  responses: Responses;
  warnings: Warning[];
  fetchedAt: Date;
  fromCache: boolean;
}

/** Where a report's answers come from, resolved once per command: keys, base URL, cache file. */
export interface AnswerSource {
  fetch(signal: AbortSignal | undefined): Promise<Fetched>;
  /** The last good answers for these settings, whatever their age: a status bar's fallback. */
  lastGood(): CacheEntry | undefined;
}

export interface LiveSettings {
  baseUrl: string;
  credentials: Credentials;
  cacheFile: string | undefined;
}

export function answerSource(options: CliOptions, io: Io): AnswerSource {
  if (options.demo) {
    return {
      fetch: async () => {
        const now = new Date(io.now());
        const demo = await import('../demo/responses.js');
        return { responses: demo.demoResponses(now), warnings: [], fetchedAt: now, fromCache: false };
      },
      lastGood: () => undefined,
    };
  }
  const settings = liveSettings(options, io);
  const identity = identityOf(settings, options);
  return {
    // A fresh cache entry answers without the HTTP layer; it loads only here, when a report really asks the API.
    fetch: async (signal) => cachedAnswers(settings, options, io) ?? (await import('../fetch-live.js')).fetchReportAnswers(settings, options, io, signal),
    lastGood: () => (settings.cacheFile ? readCache(settings.cacheFile) : readCache(cachePath(io.env, identity))),
  };
}

/** Keys, base URL and cache file of a live run; a missing key or a bad URL is a CliError. */
export function liveSettings(options: CliOptions, io: Io): LiveSettings {
  const baseUrl = baseUrlOf(options, io);
  const credentials = resolveCredentials({ env: io.env, cwd: io.cwd, credentialsFile: options.credentialsFile });
  registerSecret(credentials.apiKey.value);
  registerSecret(credentials.mgmtKey?.value);
  const settings: LiveSettings = { baseUrl, credentials, cacheFile: undefined };
  settings.cacheFile = options.cache === undefined ? undefined : cachePath(io.env, identityOf(settings, options));
  return settings;
}

/** What changes the answers: the keys, where they are sent, and whose activity is asked for. */
function identityOf(settings: LiveSettings, options: CliOptions): string[] {
  return [settings.credentials.apiKey.value, settings.credentials.mgmtKey?.value ?? '', settings.baseUrl, options.scope];
}

/** The answers of a cache entry younger than --cache seconds (validated as it is read), or undefined. */
export function cachedAnswers(settings: LiveSettings, options: CliOptions, io: Io): Fetched | undefined {
  return freshEntry(settings, options, io, readCache);
}

/** A cache entry younger than --cache seconds, as `read` gives it (validated), with the config warnings; or undefined. */
export function freshEntry<R>(
  settings: LiveSettings,
  options: CliOptions,
  io: Io,
  read: (path: string) => { fetchedAt: string; responses: R } | undefined,
): { responses: R; warnings: Warning[]; fetchedAt: Date; fromCache: true } | undefined {
  const { cacheFile } = settings;
  if (!cacheFile || !(options.cache! > 0)) return undefined;
  const entry = read(cacheFile);
  const age = entry ? io.now() - Date.parse(entry.fetchedAt) : Infinity;
  if (!entry || age < 0 || age >= options.cache! * 1000) return undefined;
  return { responses: entry.responses, warnings: configWarnings(settings.credentials.warnings), fetchedAt: new Date(entry.fetchedAt), fromCache: true };
}

/** --base-url, else OPENROUTER_BASE_URL from io's environment (read here, not by commander from the process). */
export function baseUrlOf(options: CommonOptions, io: Io): string {
  return validateBaseUrl(options.baseUrl ?? (io.env.OPENROUTER_BASE_URL || DEFAULT_BASE_URL));
}

export function reportFrom(fetched: Fetched, options: CliOptions, io: Io): { report: Report; thresholdFailure: CliError | undefined } {
  return buildCheckedReport(fetched.responses, {
    days: options.days,
    now: fetched.fetchedAt,
    generatedAt: new Date(io.now()),
    demo: options.demo === true,
    configWarnings: fetched.warnings,
    scope: options.scope,
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth },
  });
}
