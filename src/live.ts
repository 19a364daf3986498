import { DEFAULT_BASE_URL, resolveCredentials, validateBaseUrl } from './config.js';
import { gatherResponses } from './gather.js';
import { HttpClient } from './http.js';
import type { CliOptions } from './options.js';
import { redact, registerSecret } from './redact.js';
import type { Responses } from './report.js';

/** Keys and settings in, validated answers out. Loaded only for a live report, never for --demo. */
export async function fetchLive(options: CliOptions, signal: AbortSignal, started: number): Promise<{ responses: Responses; configWarnings: string[] }> {
  const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const credentials = resolveCredentials({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
  registerSecret(credentials.apiKey.value);
  registerSecret(credentials.mgmtKey?.value);

  const http = new HttpClient({
    baseUrl,
    timeoutMs: options.timeout * 1000,
    deadlineAt: started + options.deadline * 1000,
    signal,
    debug: options.debug ? (line: string) => process.stderr.write(`debug: ${redact(line)}\n`) : undefined,
    userAgent: `openrouter-usage/${__VERSION__}`,
  });
  try {
    const responses = await gatherResponses(http, credentials);
    // Lets the keep-alive sockets go, so the process ends as soon as the report is written.
    await http.close();
    return { responses, configWarnings: credentials.warnings };
  } catch (error) {
    await http.destroy();
    throw error;
  }
}
