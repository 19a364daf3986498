import { fetchKeyList } from './api/client.js';
import type { KeyListItem } from './api/schemas.js';
import { DEFAULT_BASE_URL, findKeys, resolveCredentials, validateBaseUrl } from './config.js';
import { CliError } from './errors.js';
import { gatherResponses } from './gather.js';
import { HttpClient } from './http.js';
import type { CliOptions, CommonOptions } from './options.js';
import { redact, registerSecret } from './redact.js';
import type { Responses } from './report.js';

/** Keys and settings in, validated answers out. Loaded only for a live report, never for --demo. */
export async function fetchLive(options: CliOptions, signal: AbortSignal, started: number): Promise<{ responses: Responses; configWarnings: string[] }> {
  const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const credentials = resolveCredentials({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
  registerSecret(credentials.apiKey.value);
  registerSecret(credentials.mgmtKey?.value);

  const http = client(options, baseUrl, signal, started);
  try {
    const responses = await gatherResponses(http, credentials, { scope: options.scope });
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    return { responses, configWarnings: credentials.warnings };
  } catch (error) {
    await http.destroy();
    throw error;
  }
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
      throw new CliError('key-rejected', '/keys: the keys view needs a management key; set OPENROUTER_MGMT_KEY (OPENROUTER_API_KEY was refused with HTTP 403)', { endpoint: '/keys', status: 403 });
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
