import type { NamedKey } from '../api/endpoints.js';
import type { KeyListItem, Workspace } from '../api/schemas.js';
import { startAccountKeys, type WorkspaceCache } from '../api/workspaces.js';
import { isCacheable, openMetaCache, openWorkspaceCache } from './cache.js';
import { configWarnings, type Responses, type Warning } from '../api/answers.js';
import type { Credentials } from './credentials.js';
import type { OpenedCache } from './cache.js';
import { CliError } from '../base/errors.js';
import { gatherResponses } from './live-requests.js';
import { UndiciHttpClient, type HttpClient } from '../api/http.js';
import { planAnalytics } from '../model/window.js';
import type { WorkspacesAnswer } from '../api/workspaces.js';
import type { Io } from '../base/io.js';
import type { CliOptions, CommonOptions } from '../base/options.js';

/** The answers for one report (the demo's, the cache's, or the API's), and when they were fetched. */
export interface Fetched {
  responses: Responses;
  warnings: Warning[];
  fetchedAt: Date;
  fromCache: boolean;
}

/** Keys, base URL and cache of a live run, resolved once per command (see report-answers.ts). */
export interface LiveSettings {
  baseUrl: string;
  credentials: Credentials;
  /** With --cache, and only when its directory can be trusted. */
  cache: OpenedCache | undefined;
  /** Said once per run: credentials files others can read, a cache directory others can write. */
  warnings: Warning[];
}

/**
 * Settings in, validated answers out: the one module that talks HTTP, loaded only when a command
 * really asks the API (never for --demo, --help, --version or a fresh cache hit: report-answers.ts reads
 * the cache before it loads this module).
 */
export async function fetchReportAnswers(settings: LiveSettings, options: CliOptions, io: Io, signal: AbortSignal | undefined): Promise<Fetched> {
  // A copy: the workspace cache may add its own line, and the settings serve the whole run.
  const warnings = [...settings.warnings];
  const { cache } = settings;

  const { credentials } = settings;
  const accountKey = credentials.mgmtKey ?? credentials.apiKey;
  const workspaceCache = workspaceCacheFor(accountKey?.value, settings.baseUrl, options.cache === 0, io, warnings);
  // A window analytics cannot serve is a usage error before any request leaves.
  const plan = options.demo ? undefined : planAnalytics(new Date(io.now()), options);
  const metaCache = (key: NamedKey) => openMetaCache({ place: io, key: key.value, baseUrl: settings.baseUrl, now: () => io.now() });
  const http = client(options, settings.baseUrl, signal, io);
  try {
    const gathered = await gatherResponses(http, credentials, {
      scope: options.scope,
      workspace: options.workspace,
      byWorkspace: options.by === 'workspace',
      workspaceCache,
      analytics: plan && { plan, metaCache },
    });
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    const { responses } = gathered;
    const fetchedAt = new Date(io.now());
    // Answers that met an anomaly (a page repeating keys) are not kept: the next run asks again.
    if (cache && isCacheable(responses) && gathered.warnings.length === 0) {
      cache.write({ version: 1, fetchedAt: fetchedAt.toISOString(), responses });
    }
    return { responses, warnings: [...warnings, ...gathered.warnings], fetchedAt, fromCache: false };
  } catch (error) {
    await http.destroy();
    throw error;
  }
}

/** What `keys` shows: every key of the account (or of one workspace), and the workspaces they live in. */
export interface KeyListAnswers {
  keys: KeyListItem[];
  /** Undefined when /workspaces could not be had at all. */
  workspaces: WorkspacesAnswer | undefined;
  /** The --workspace the listing is limited to. */
  workspace: Workspace | undefined;
  warnings: Warning[];
}

/** For `keys`: the management key, or the API key when it is the only one (it may be a management key). */
export async function fetchKeyListAnswers(
  key: NamedKey,
  baseUrl: string,
  options: CommonOptions & { workspace?: string | undefined },
  io: Io,
  signal: AbortSignal | undefined,
): Promise<KeyListAnswers> {
  const warnings: Warning[] = [];
  const cache = workspaceCacheFor(key.value, baseUrl, false, io, warnings);
  const http = client(options, baseUrl, signal, io);
  try {
    const listing = startAccountKeys(http, key, {
      workspace: options.workspace,
      cache,
      warn: (message) => warnings.push({ source: 'keys', message }),
    });
    const [keys, workspaces, workspace] = await Promise.all([listing.keys, listing.workspaces, listing.selected]);
    await http.close();
    return { keys, workspaces, workspace, warnings };
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

/**
 * The day-long cache of the workspace list, named by the key that lists them and the base URL. A
 * cache directory that cannot be trusted is not used, and says so once.
 */
function workspaceCacheFor(keyValue: string | undefined, baseUrl: string, refresh: boolean, io: Io, warnings: Warning[]): WorkspaceCache | undefined {
  if (keyValue === undefined) return undefined;
  const { cache, warning } = openWorkspaceCache({ place: io, identity: [keyValue, baseUrl], now: () => io.now(), refresh });
  // The report's own cache may have said the same of the same directory already: once is enough.
  for (const line of configWarnings(warning ? [warning] : [])) if (!warnings.some((w) => w.message === line.message)) warnings.push(line);
  return cache;
}

function client(options: CommonOptions, baseUrl: string, signal: AbortSignal | undefined, io: Io): HttpClient {
  return new UndiciHttpClient({
    baseUrl,
    timeoutMs: options.timeout * 1000,
    // Durations run on io's monotonic timer, whatever io says today is.
    deadlineAt: io.timer() + options.deadline * 1000,
    clock: { now: () => io.now(), timer: () => io.timer() },
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
