import chalk, { Chalk } from 'chalk';
import { ExitCode } from './errors.js';
import type { CliOptions } from './options.js';
import { redact } from './redact.js';
import { buildReport, type Responses } from './report.js';
import { renderJson } from './render/json.js';
import { renderText } from './render/text.js';

export interface RunContext {
  signal: AbortSignal;
}

/** Exit code of a run whose report was printed but crossed a --min-balance / --max-* threshold. */
export const THRESHOLD_CROSSED = 7;

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

  const report = buildReport(responses, {
    days: options.days,
    now,
    demo: options.demo === true,
    configWarnings,
    scope: options.scope,
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth },
  });
  for (const warning of report.warnings) {
    process.stderr.write(`${redact(warning.message.startsWith('warning:') ? warning.message : `warning: ${warning.message}`)}\n`);
  }

  const useColor = options.color && !process.env.NO_COLOR;
  const output = options.json
    ? renderJson(report)
    : renderText(report, {
        top: options.top,
        chalk: useColor ? chalk : new Chalk({ level: 0 }),
        by: options.by,
        details: options.details === true,
        fullNames: options.fullNames === true,
        width: process.stdout.isTTY ? process.stdout.columns : undefined,
      });
  await write(output);

  // The report is printed first: a cron job's mail then shows the figures beside the alert.
  if (report.thresholdError) {
    process.stderr.write(`openrouter-usage: ${redact(report.thresholdError.message)}\n`);
    return report.thresholdError.exitCode;
  }
  for (const alert of report.alerts) process.stderr.write(`${alert.message}\n`);
  return report.alerts.length > 0 ? THRESHOLD_CROSSED : ExitCode.ok;
}

function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}
