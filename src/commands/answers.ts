import { openCache, type CacheEntry, type OpenedCache } from '../cache.js';
import { DEFAULT_BASE_URL, resolveCredentials, validateBaseUrl, type Credentials } from '../config.js';
import type { Io } from '../io.js';
import type { CliOptions, CommonOptions } from '../options.js';
import { configWarnings } from './warnings.js';
import { buildCheckedReport, type Report, type Responses, type Warning } from '../report.js';
import { CliError } from '../errors.js';

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
  /** With --cache, and only when its directory can be trusted. */
  cache: OpenedCache | undefined;
  /** Said once per run: credentials files others can read, a cache directory others can write. */
  warnings: Warning[];
}

export function answerSource(options: CliOptions, io: Io): AnswerSource {
  if (options.demo) {
    demoHasNoWorkspaces(options);
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
  return {
    // A fresh cache entry answers without the HTTP layer, which loads only when a report really asks the API.
    fetch: async (signal) => cachedAnswers(settings, options, io) ?? (await import('../fetch-live.js')).fetchReportAnswers(settings, options, io, signal),
    lastGood: () => settings.cache?.read(),
  };
}

/** Keys, base URL and cache of a live run, resolved once; a missing key or a bad URL is a CliError. */
export function liveSettings(options: CliOptions, io: Io): LiveSettings {
  const baseUrl = baseUrlOf(options, io);
  const credentials = resolveCredentials({ env: io.env, cwd: io.cwd, credentialsFile: options.credentialsFile });
  // The run's redactor also masks keys that came from a file.
  io.redaction?.add([credentials.apiKey?.value, credentials.mgmtKey?.value]);
  // What changes the answers: the keys, where they are sent, and whose activity is asked for.
  const identity = [credentials.apiKey?.value ?? '', credentials.mgmtKey?.value ?? '', baseUrl, options.scope];
  // Added only when used, so the cache files of runs without them keep their names.
  if (options.workspace !== undefined) identity.push(`workspace:${options.workspace}`);
  if (options.by === 'workspace') identity.push('by:workspace');
  // Analytics' window and grouping (the default ones add nothing).
  identity.push(...windowIdentity(options));
  // A cache feeds the figures and the thresholds: one in a directory someone else could write to is not used at all.
  const opened = options.cache === undefined ? undefined : openCache({ env: io.env, uid: io.uid, identity });
  return {
    baseUrl,
    credentials,
    cache: opened?.cache,
    warnings: [
      ...configWarnings(credentials.warnings),
      ...(opened?.warning ? [{ source: 'cache' as const, message: opened.warning.replace(/^warning: /, '') }] : []),
    ],
  };
}

/** The answers of a cache entry younger than --cache seconds (validated as it is read), or undefined. */
export function cachedAnswers(settings: LiveSettings, options: CliOptions, io: Io): Fetched | undefined {
  return freshEntry(settings, options, io, (cache) => cache.read());
}

/** A cache entry younger than --cache seconds, as `read` gives it (validated), with the run's warnings; or undefined. */
export function freshEntry<R>(
  settings: LiveSettings,
  options: CliOptions,
  io: Io,
  read: (cache: OpenedCache) => { fetchedAt: string; responses: R } | undefined,
): { responses: R; warnings: Warning[]; fetchedAt: Date; fromCache: true } | undefined {
  const { cache } = settings;
  if (!cache || options.cache === undefined || options.cache <= 0) return undefined;
  const entry = read(cache);
  const age = entry ? io.now() - Date.parse(entry.fetchedAt) : Infinity;
  if (!entry || age < 0 || age >= options.cache * 1000) return undefined;
  return { responses: entry.responses, warnings: settings.warnings, fetchedAt: new Date(entry.fetchedAt), fromCache: true };
}

/** The analytics questions depend on the window and the grouping; the default ones keep the cache name they always had. */
function windowIdentity(options: CliOptions): string[] {
  const plain =
    options.days === 7 && options.since === undefined && options.until === undefined && ['model', 'provider', 'day', 'workspace'].includes(options.by);
  return plain ? [] : [`days=${options.days}`, `since=${options.since ?? ''}`, `until=${options.until ?? ''}`, `by=${options.by}`];
}

/** The sample account has one workspace and no workspace ids: asking for one would be silently ignored. */
export function demoHasNoWorkspaces(options: { workspace?: string | undefined; by?: string | undefined }): void {
  if (options.workspace !== undefined || options.by === 'workspace') {
    const flag = options.workspace !== undefined ? '--workspace' : '--by workspace';
    throw new CliError('usage', `${flag} cannot be used with --demo: the sample account has a single workspace`);
  }
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
    byWorkspace: options.by === 'workspace',
    window: { days: options.days, daysGiven: options.daysGiven, since: options.since, until: options.until, by: options.by },
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth, maxForecast: options.maxForecast },
  });
}
