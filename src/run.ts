import chalk, { Chalk } from 'chalk';
import type { CliOptions } from './options.js';
import { redact } from './redact.js';
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
    responses = (await import('./demo/responses.js')).demoResponses(now);
  } else {
    ({ responses, configWarnings } = await (await import('./live.js')).fetchLive(options, signal, started));
  }

  const report = buildReport(responses, { days: options.days, now, demo: options.demo === true, configWarnings });
  for (const warning of report.warnings) {
    process.stderr.write(`${redact(warning.message.startsWith('warning:') ? warning.message : `warning: ${warning.message}`)}\n`);
  }

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
