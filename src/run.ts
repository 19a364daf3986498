import { CliError, ExitCode } from './errors.js';
import { formatOf, type CliOptions } from './options.js';
import { redact } from './redact.js';
import { buildReport, type Report, type Responses } from './report.js';
import { renderReport } from './render/index.js';
import { ONELINE_FAILURE, renderOneline } from './render/oneline.js';

export interface RunContext {
  signal: AbortSignal;
}

/** Exit code of a run whose report was printed but crossed a --min-balance / --max-* threshold. */
export const THRESHOLD_CROSSED = 7;

export interface Fetched {
  responses: Responses;
  configWarnings: string[];
  fetchedAt: Date;
  fromCache: boolean;
}

/** The answers for one report: the demo's, the cache's, or the API's. */
export async function fetchResponses(options: CliOptions, signal: AbortSignal): Promise<Fetched> {
  const started = Date.now();
  if (options.demo) {
    const now = new Date(started);
    return { responses: (await import('./demo/responses.js')).demoResponses(now), configWarnings: [], fetchedAt: now, fromCache: false };
  }
  return (await import('./live.js')).fetchLive(options, signal, started);
}

export function reportFrom(fetched: Fetched, options: CliOptions): Report {
  return buildReport(fetched.responses, {
    days: options.days,
    now: fetched.fetchedAt,
    generatedAt: new Date(),
    demo: options.demo === true,
    configWarnings: fetched.configWarnings,
    scope: options.scope,
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth },
  });
}

/** The report path: settings in, requests out, one report model, one renderer, stdout. */
export async function runReport(options: CliOptions, { signal }: RunContext): Promise<number> {
  const format = formatOf(options);
  if (options.watch !== undefined) {
    if (format !== 'text') throw new CliError('usage', '--watch draws the text report; it cannot be combined with --json or --format');
    return (await import('./watch.js')).watch(options, signal);
  }

  let fetched: Fetched;
  try {
    fetched = await fetchResponses(options, signal);
  } catch (error) {
    // A status bar shows whatever is printed: a short marker, or the last good figures marked stale.
    if (format === 'oneline' && !signal.aborted) await write(await onelineFallback(options));
    throw error;
  }

  const report = reportFrom(fetched, options);
  for (const warning of report.warnings) {
    process.stderr.write(`${redact(warning.message.startsWith('warning:') ? warning.message : `warning: ${warning.message}`)}\n`);
  }
  if (format === 'csv' && report.breakdown.status !== 'ok') {
    process.stderr.write(
      report.breakdown.status === 'needs-management-key'
        ? 'note: the CSV breakdown needs OPENROUTER_MGMT_KEY (a management key); printing the header only\n'
        : 'note: /activity failed; printing the CSV header only\n',
    );
  }
  await write(renderReport(report, format, options));

  // The report is printed first: a cron job's mail then shows the figures beside the alert.
  if (report.thresholdError) {
    process.stderr.write(`openrouter-usage: ${redact(report.thresholdError.message)}\n`);
    return report.thresholdError.exitCode;
  }
  for (const alert of report.alerts) process.stderr.write(`${alert.message}\n`);
  return report.alerts.length > 0 ? THRESHOLD_CROSSED : ExitCode.ok;
}

async function onelineFallback(options: CliOptions): Promise<string> {
  if (options.demo) return ONELINE_FAILURE;
  const entry = (await import('./live.js')).lastGood(options);
  if (!entry) return ONELINE_FAILURE;
  const report = reportFrom({ responses: entry.responses, configWarnings: [], fetchedAt: new Date(entry.fetchedAt), fromCache: true }, options);
  return renderOneline(report, age(Date.now() - Date.parse(entry.fetchedAt)));
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}

function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}
