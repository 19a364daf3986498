import { fetchActivity, fetchCredits, fetchKey, type NamedKey } from './api/client.js';
import type { CreditsData } from './api/schemas.js';
import type { Credentials } from './config.js';
import { toCliError } from './errors.js';
import type { HttpClient } from './http.js';
import { isManagementKey, type Outcome, type Responses } from './report.js';

/**
 * Asks /key, /credits and /activity at the same moment, so a run takes as long as the slowest
 * answer, not the sum. Only /key is essential: the other two degrade to a warning.
 */
export async function gatherResponses(http: HttpClient, credentials: Credentials): Promise<Responses> {
  const apiKey: NamedKey = { value: credentials.apiKey.value, name: 'OPENROUTER_API_KEY' };
  const mgmtKey: NamedKey | undefined = credentials.mgmtKey && { value: credentials.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' };

  const key = fetchKey(http, apiKey);
  const credits = mgmtKey ? settle(fetchCredits(http, mgmtKey)) : creditsWithApiKey(http, apiKey);
  // Without a management key, /activity is sure to fail unless /key shows the API key is one itself,
  // so it waits for that answer rather than spending a request on a certain 403.
  const activity = mgmtKey
    ? settle(fetchActivity(http, mgmtKey))
    : key.then(
        (data) => (isManagementKey(data) ? settle(fetchActivity(http, apiKey)) : needsManagementKey()),
        () => needsManagementKey(),
      );

  const [keyData, creditsOutcome, activityOutcome] = await Promise.all([key, credits, activity]);
  return { key: keyData, credits: creditsOutcome, activity: activityOutcome };
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

async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'ok', value: await promise };
  } catch (error) {
    return { status: 'failed', error: toCliError(error) };
  }
}
