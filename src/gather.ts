import { fetchAnalytics, type AnalyticsOutcome, type AnalyticsPlan, type MetaCache } from './api/analytics.js';
import { fetchActivity, fetchCredits, fetchKey, fetchKeyList, type NamedKey } from './api/client.js';
import type { CreditsData, KeyData, KeyListItem } from './api/schemas.js';
import type { Credentials } from './config.js';
import { CliError } from './errors.js';
import type { HttpClient } from './http.js';
import type { Scope } from './options.js';
import { isManagementKey, type Outcome, type Responses } from './report.js';

export interface GatherOptions {
  /** `key` limits /activity to the API key in use (its hash found through /keys). */
  scope: Scope;
  /**
   * The analytics questions of this report and where discovery is cached (per key); absent, or with
   * --scope key, analytics is not asked. It leaves with /activity, its fallback: no round trip more.
   */
  analytics?: { plan: AnalyticsPlan; metaCache: (key: NamedKey) => MetaCache | undefined } | undefined;
}

/**
 * Asks /key, /credits, /keys and /activity at the same moment, so a run takes as long as the
 * slowest answer, not the sum. Only /key is essential: the others degrade to a warning.
 */
export async function gatherResponses(http: HttpClient, credentials: Credentials, options: GatherOptions = { scope: 'account' }): Promise<Responses> {
  const apiKey: NamedKey = { value: credentials.apiKey.value, name: 'OPENROUTER_API_KEY' };
  const mgmtKey: NamedKey | undefined = credentials.mgmtKey && { value: credentials.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' };

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

  const credits = mgmtKey ? settle(fetchCredits(http, mgmtKey)) : creditsWithApiKey(http, apiKey);
  const keys = accountKey.then((k) => (k ? settle(fetchKeyList(http, k)) : needsManagementKey()));
  const activity =
    options.scope === 'account'
      ? accountKey.then((k) => (k ? settle(fetchActivity(http, k)) : needsManagementKey()))
      : Promise.all([accountKey, key, keys]).then(([k, keyData, keyList]) =>
          k ? settle(Promise.resolve().then(() => fetchActivity(http, k, ownKeyHash(keyData, keyList)))) : needsManagementKey(),
        );

  const asked = options.scope === 'account' ? options.analytics : undefined;
  const analytics: Promise<AnalyticsOutcome | undefined> = asked
    ? accountKey.then((k) => (k ? fetchAnalytics(http, k, asked.plan, asked.metaCache(k)) : needsManagementKey()))
    : Promise.resolve(undefined);

  const [keyData, creditsOutcome, activityOutcome, keysOutcome, analyticsOutcome] = await Promise.all([key, credits, activity, keys, analytics]);
  return {
    key: keyData,
    credits: creditsOutcome,
    activity: activityOutcome,
    keys: keysOutcome,
    ...(analyticsOutcome === undefined ? {} : { analytics: analyticsOutcome }),
  };
}

/** /activity filters by key hash, which only /keys knows; the masked label is what both share. */
function ownKeyHash(key: KeyData, keyList: Outcome<KeyListItem[]>): string {
  if (isManagementKey(key)) {
    throw new CliError('usage', '/activity: --scope key needs an inference key in OPENROUTER_API_KEY (a management key spends nothing of its own)');
  }
  if (keyList.status !== 'ok') {
    throw new CliError('network', `/activity: --scope key needs the key list to find this key, and /keys is unavailable`, { endpoint: '/keys' });
  }
  const matches = keyList.value.filter((item) => item.label && item.label === key.label);
  if (matches.length !== 1) {
    const why = matches.length === 0 ? 'is not among the keys /keys lists' : 'matches several keys in /keys';
    throw new CliError('invalid-response', `/activity: --scope key: this key's label ${key.label ?? '(none)'} ${why}`, { endpoint: '/keys' });
  }
  return matches[0]!.hash;
}

/** Most inference keys get 403 from /credits, some accounts allow it: ask, and treat a refusal as "needs a management key". */
async function creditsWithApiKey(http: HttpClient, apiKey: NamedKey): Promise<Outcome<CreditsData>> {
  const outcome = await settle(fetchCredits(http, apiKey));
  if (outcome.status === 'failed' && outcome.error.kind === 'key-rejected') return needsManagementKey();
  return outcome;
}

function needsManagementKey(): { status: 'needs-management-key' } {
  return { status: 'needs-management-key' };
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
