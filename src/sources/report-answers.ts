import { configWarnings } from '../api/answers.js';
import { openCache } from './cache.js';
import type { Fetched, KeyListAnswers, LiveSettings } from './live.js';
import { DEFAULT_BASE_URL, validateBaseUrl } from '../api/base-url.js';
import type { NamedKey } from '../api/endpoints.js';
import { findKeys, resolveCredentials } from './credentials.js';
import type { Io } from '../base/io.js';
import { REPORT_DEFAULTS, type CliOptions, type CommonOptions, type KeysOptions } from '../base/options.js';
import { CliError } from '../base/errors.js';

/** Where a report's answers come from, resolved once per command: keys, base URL, cache file. */
export interface AnswerSource {
  /** Answers younger than --cache, read without loading the HTTP layer; undefined on a miss. */
  cached(): Fetched | undefined;
  /** The cached answers when fresh, else the API's (or the demo's). */
  fetch(signal: AbortSignal | undefined): Promise<Fetched>;
  /** The last good answers for these settings, whatever their age: a status bar's fallback. */
  lastGood(): Fetched | undefined;
}

export function answerSource(options: CliOptions, io: Io): AnswerSource {
  if (options.demo) {
    demoHasNoWorkspaces(options);
    return {
      cached: () => undefined,
      fetch: async () => {
        const now = new Date(io.now());
        const demo = await import('./demo.js');
        return { responses: demo.demoResponses(now), warnings: [], fetchedAt: now, fromCache: false };
      },
      lastGood: () => undefined,
    };
  }
  const settings = liveSettings(options, io);
  const cached = () => cachedAnswers(settings, options, io);
  return {
    cached,
    // A fresh cache entry answers without the HTTP layer, which loads only when a report really asks the API.
    fetch: async (signal) => cached() ?? (await import('./live.js')).fetchReportAnswers(settings, options, io, signal),
    lastGood: () => {
      const entry = settings.cache?.read();
      return entry && { responses: entry.responses, warnings: [], fetchedAt: new Date(entry.fetchedAt), fromCache: true };
    },
  };
}

/** Keys, base URL and cache of a live run, resolved once; a missing key or a bad URL is a CliError. */
export function liveSettings(options: CliOptions, io: Io): LiveSettings {
  const baseUrl = baseUrlOf(options, io);
  const credentials = resolveCredentials({ env: io.env, cwd: io.cwd, home: io.home, credentialsFile: options.credentialsFile });
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
  const opened = options.cache === undefined ? undefined : openCache({ env: io.env, home: io.home, uid: io.uid, identity });
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
function cachedAnswers(settings: LiveSettings, options: CliOptions, io: Io): Fetched | undefined {
  const { cache } = settings;
  if (!cache || options.cache === undefined || options.cache <= 0) return undefined;
  const entry = cache.read();
  if (!entry) return undefined;
  // An entry from the future is a clock set back (or a planted file): not fresh, whatever --cache says.
  const age = io.now() - Date.parse(entry.fetchedAt);
  if (age < 0 || age >= options.cache * 1000) return undefined;
  return { responses: entry.responses, warnings: settings.warnings, fetchedAt: new Date(entry.fetchedAt), fromCache: true };
}

/** The analytics questions depend on the window and the grouping; the default ones keep the cache name they always had. */
function windowIdentity(options: CliOptions): string[] {
  const plain =
    options.days === REPORT_DEFAULTS.days &&
    options.since === undefined &&
    options.until === undefined &&
    ['model', 'provider', 'day', 'workspace'].includes(options.by);
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

/** Where the `keys` view's answers come from: the demo's list, or /keys (and /workspaces) asked with the management key. */
export async function keyListAnswers(options: KeysOptions, io: Io): Promise<KeyListAnswers> {
  if (options.demo) {
    demoHasNoWorkspaces(options);
    const outcome = (await import('./demo.js')).demoResponses(new Date(io.now())).keys;
    return { keys: outcome.status === 'ok' ? outcome.value : [], workspaces: undefined, workspace: undefined, warnings: [] };
  }
  const baseUrl = baseUrlOf(options, io);
  const found = findKeys({ env: io.env, cwd: io.cwd, home: io.home, credentialsFile: options.credentialsFile });
  // The run's redactor also masks keys that came from a file.
  io.redaction?.add([found.apiKey?.value, found.mgmtKey?.value]);
  const key: NamedKey | undefined = found.mgmtKey
    ? { value: found.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' }
    : found.apiKey && { value: found.apiKey.value, name: 'OPENROUTER_API_KEY' };
  if (!key) throw new CliError('config', `the keys view needs a management key: OPENROUTER_MGMT_KEY is not set; looked in ${found.places.join(', ')}`);
  const fetched = await (await import('./live.js')).fetchKeyListAnswers(key, baseUrl, options, io, io.signal);
  return { ...fetched, warnings: [...configWarnings(found.warnings), ...fetched.warnings] };
}
