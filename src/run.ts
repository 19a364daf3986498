import chalk, { Chalk } from 'chalk';
import { gatherResponses } from './gather.js';
import { DEFAULT_BASE_URL, resolveCredentials, validateBaseUrl } from './config.js';
import { demoResponses } from './demo/responses.js';
import { HttpClient } from './http.js';
import type { CliOptions } from './options.js';
import { redact, registerSecret } from './redact.js';
import { buildReport, type Responses } from './report.js';
import { renderJson } from './render/json.js';
import { renderText } from './render/text.js';

export interface RunContext {
  signal: AbortSignal;
}

/** The report path: settings in, requests out, one report model, one renderer, stdout. */
export async function runReport(options: CliOptions, { signal }: RunContext): Promise<number> {
  const started = Date.now();
  const now = new Date();
  let responses: Responses;
  let configWarnings: string[] = [];

  if (options.demo) {
    responses = demoResponses(now);
  } else {
    const baseUrl = validateBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    const credentials = resolveCredentials({ env: process.env, cwd: process.cwd(), envFile: options.envFile });
    registerSecret(credentials.apiKey.value);
    registerSecret(credentials.mgmtKey?.value);
    configWarnings = credentials.warnings;

    const debug = options.debug ? (line: string) => process.stderr.write(`debug: ${redact(line)}\n`) : undefined;
    const http = new HttpClient({
      baseUrl,
      timeoutMs: options.timeout * 1000,
      deadlineAt: started + options.deadline * 1000,
      signal,
      debug,
      userAgent: `openrouter-usage/${__VERSION__}`,
    });
    try {
      responses = await gatherResponses(http, credentials);
      await http.close();
    } catch (error) {
      await http.destroy();
      throw error;
    }
  }

  const report = buildReport(responses, { days: options.days, now, demo: options.demo === true, configWarnings });
  for (const warning of report.warnings) process.stderr.write(`${redact(warning.message.startsWith('warning:') ? warning.message : `warning: ${warning.message}`)}\n`);

  const useColor = options.color && !process.env.NO_COLOR;
  const output = options.json ? renderJson(report) : renderText(report, { top: options.top, chalk: useColor ? chalk : new Chalk({ level: 0 }) });
  await write(output);
  return 0;
}

function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}
