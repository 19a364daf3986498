import { fetchAnalytics, type AnalyticsOutcome, type AnalyticsPlan, type MetaCache } from '../api/analytics.js';
import { fetchActivity, fetchCredits, fetchKey, type NamedKey } from '../api/endpoints.js';
import type { ActivityRow, CreditsData, KeyData, KeyListItem, Workspace } from '../api/schemas.js';
import { startAccountKeys, type WorkspaceCache } from '../api/workspaces.js';
import type { Credentials } from './credentials.js';
import { CliError } from '../base/errors.js';
import type { HttpClient } from '../api/http.js';
import type { Scope } from '../base/options.js';
import type { WorkspacesAnswer } from '../api/workspaces.js';
import { isManagementKey, type Outcome, type Responses, type Warning } from '../model/report.js';

export interface GatherOptions {
  /** `key` limits /activity to the API key in use (its hash found through /keys). */
  scope: Scope;
  /** `--workspace`: the account totals, the breakdown and the keys of one workspace. */
  workspace?: string | undefined;
  /** `--by workspace`: /activity rows split per workspace. */
  byWorkspace?: boolean | undefined;
  /** The day-long cache of the workspace list. */
  workspaceCache?: WorkspaceCache | undefined;
  /**
   * The analytics questions of this report and where discovery is cached (per key); absent, or with
   * --scope key or --workspace, analytics is not asked. It leaves with /activity, its fallback: no
   * round trip more.
   */
  analytics?: { plan: AnalyticsPlan; metaCache: (key: NamedKey) => MetaCache | undefined } | undefined;
}

/**
 * Asks /key, /credits, /activity, /workspaces and /keys at the same moment, so a run takes as long
 * as the slowest answer, not the sum (only the workspaces other than the default one wait for
 * /workspaces, unless the list is cached). Only /key, and a --workspace that names no workspace,
 * are essential: the others degrade to a warning. `warnings` are the anomalies met on the way.
 */
export async function gatherResponses(
  http: HttpClient,
  credentials: Credentials,
  options: GatherOptions = { scope: 'account' },
): Promise<{ responses: Responses; warnings: Warning[] }> {
  const mgmtKey: NamedKey | undefined = credentials.mgmtKey && { value: credentials.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' };
  // A management key alone answers /key about itself: the report then shows the account's figures.
  const apiKey: NamedKey = credentials.apiKey ? { value: credentials.apiKey.value, name: 'OPENROUTER_API_KEY' } : mgmtKey!;
  const warnings: Warning[] = [];
  const warn = (message: string): void => {
    warnings.push({ source: 'keys', message });
  };

  const key = fetchKey(http, apiKey);
  // Account-wide endpoints need a management key. Without OPENROUTER_MGMT_KEY they are sure to fail
  // unless /key shows the API key is one itself, so they wait for that answer rather than spend a
  // request on a certain 403.
  const accountKey: Promise<NamedKey | undefined> = mgmtKey
    ? Promise.resolve(mgmtKey)
    : key.then(
        (data) => (isManagementKey(data) ? apiKey : undefined),
        () => undefined,
      );

  const credits = mgmtKey ? settle(fetchCredits(http, mgmtKey)) : creditsWithApiKey(http, apiKey, key);
  // Without --workspace or --scope key, /activity needs nothing but the key: it leaves before the
  // key listing starts, as early as /key and /credits.
  const direct = options.workspace === undefined && options.scope === 'account';
  const directActivity = direct
    ? accountKey.then((k) => (k ? settle(fetchActivity(http, k, { groupByWorkspace: options.byWorkspace })) : needsManagementKey()))
    : undefined;
  const account = accountKey.then(
    (k) =>
      k && {
        key: k,
        ...startAccountKeys(http, k, {
          workspace: options.workspace,
          cache: options.workspaceCache,
          warn,
          keyWorkspace: key.then(
            (data) => data.workspace_id,
            () => undefined,
          ),
        }),
      },
  );
  const keys: Promise<Outcome<KeyListItem[]>> = account.then((a) => (a ? settle(a.keys) : needsManagementKey()));
  const workspaces: Promise<Outcome<WorkspacesAnswer>> = account.then((a) => (a ? settle(a.workspaces) : needsManagementKey()));
  // A --workspace that cannot be resolved ends the run: figures for another scope than asked would mislead.
  const selected: Promise<Workspace | undefined> = options.workspace === undefined ? Promise.resolve(undefined) : account.then((a) => a?.selected);

  const activity =
    directActivity ??
    account.then(async (a): Promise<Outcome<ActivityRow[]>> => {
      if (!a) return needsManagementKey();
      return settle(
        (async () => {
          const workspace = options.workspace === undefined ? undefined : await a.selected;
          const apiKeyHash = options.scope === 'key' ? ownKeyHash(await key, await keys) : undefined;
          return fetchActivity(http, a.key, { apiKeyHash, workspaceId: workspace?.id, groupByWorkspace: options.byWorkspace });
        })(),
      );
    });

  const asked = direct ? options.analytics : undefined;
  const analytics: Promise<AnalyticsOutcome | undefined> = asked
    ? accountKey.then((k) => (k ? fetchAnalytics(http, k, asked.plan, asked.metaCache(k)) : needsManagementKey()))
    : Promise.resolve(undefined);

  const [keyData, creditsOutcome, activityOutcome, keysOutcome, workspacesOutcome, workspace, analyticsOutcome] = await Promise.all([
    key,
    credits,
    activity,
    keys,
    workspaces,
    selected,
    analytics,
  ]);
  const responses: Responses = { key: keyData, credits: creditsOutcome, activity: activityOutcome, keys: keysOutcome, workspaces: workspacesOutcome };
  if (workspace) responses.workspace = workspace;
  if (analyticsOutcome) responses.analytics = analyticsOutcome;
  return { responses, warnings };
}

/**
 * /activity filters by key hash, which only /keys knows. The masked label is what both share, and
 * masked labels can look alike: candidates are narrowed to the key's own workspace (`/key` says
 * which), then, if still more than one, to those whose counters are this key's.
 */
function ownKeyHash(key: KeyData, keyList: Outcome<KeyListItem[]>): string {
  if (isManagementKey(key)) {
    throw new CliError('usage', '/activity: --scope key needs an inference key in OPENROUTER_API_KEY (a management key spends nothing of its own)');
  }
  if (keyList.status !== 'ok') {
    throw new CliError('network', `/activity: --scope key needs the key list to find this key, and /keys is unavailable`, { endpoint: '/keys' });
  }
  let matches = keyList.value.filter((item) => item.label && item.label === key.label);
  if (key.workspace_id) matches = matches.filter((item) => !item.workspace_id || item.workspace_id === key.workspace_id);
  if (matches.length > 1) {
    matches = matches.filter((item) => item.usage === key.usage && item.usage_monthly === key.usage_monthly && (item.limit ?? null) === (key.limit ?? null));
  }
  if (matches.length !== 1) {
    const why = matches.length === 0 ? 'is not among the keys /keys lists' : 'matches several keys in /keys';
    throw new CliError('invalid-response', `/activity: --scope key: this key's label ${key.label ?? '(none)'} ${why}`, { endpoint: '/keys' });
  }
  return matches[0]!.hash;
}

/**
 * Most inference keys get 403 from /credits, some accounts allow it: ask, and treat a refusal as
 * "needs a management key". Some answer 200 with `{0, 0}` on a funded account, which is no balance
 * at all when the key itself shows spend: that is "needs a management key" too, said in a warning.
 */
async function creditsWithApiKey(http: HttpClient, apiKey: NamedKey, key: Promise<KeyData>): Promise<Outcome<CreditsData>> {
  const outcome = await settle(fetchCredits(http, apiKey));
  if (outcome.status === 'failed' && outcome.error.kind === 'key-rejected') return needsManagementKey();
  if (outcome.status === 'ok' && outcome.value.total_credits === 0 && outcome.value.total_usage === 0) {
    const spent = await key.then(
      (data) => data.usage > 0,
      () => false,
    );
    if (spent) {
      return needsManagementKey(
        `/credits answered ${apiKey.name} with $0.00 bought and $0.00 used while this key shows spend, which is not a real balance; set OPENROUTER_MGMT_KEY (a management key) to see the balance`,
      );
    }
  }
  return outcome;
}

function needsManagementKey(note?: string): { status: 'needs-management-key'; note?: string } {
  return note === undefined ? { status: 'needs-management-key' } : { status: 'needs-management-key', note };
}

/**
 * An optional endpoint's expected failure (a CliError) becomes a part the report explains; anything
 * else is a bug in our own code and fails the run (exit 1), not a warning beside exit 0.
 */
async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'ok', value: await promise };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { status: 'failed', error };
  }
}
