import { CliError, ExitCode } from './errors.js';
import { formatOf, type CliOptions } from './options.js';
import type { Fetched } from './present.js';
import { redact } from './redact.js';

export interface RunContext {
  signal: AbortSignal;
}

/**
 * The answers for one report (the demo's, the cache's, or the API's) and the code that presents
 * them. The requests leave first; the report and renderers load while they are on the wire.
 */
export async function fetchAndLoad(options: CliOptions, signal: AbortSignal): Promise<{ fetching: Promise<Fetched>; present: typeof import('./present.js') }> {
  const started = Date.now();
  let fetching: Promise<Fetched>;
  if (options.demo) {
    const now = new Date(started);
    fetching = import('./demo/responses.js').then((demo) => ({ responses: demo.demoResponses(now), configWarnings: [], fetchedAt: now, fromCache: false }));
  } else {
    const live = await import('./live.js');
    fetching = live.fetchLive(options, signal, started);
  }
  // Nothing awaits `fetching` until the code below has loaded: keep an early failure from counting as unhandled.
  fetching.catch(() => undefined);
  return { fetching, present: await import('./present.js') };
}

/** The report path: settings in, requests out, one report model, one renderer, stdout. */
export async function runReport(options: CliOptions, { signal }: RunContext): Promise<number> {
  const format = formatOf(options);
  if (options.watch !== undefined) {
    if (format !== 'text') throw new CliError('usage', '--watch draws the text report; it cannot be combined with --json or --format');
    return (await import('./watch.js')).watch(options, signal);
  }

  const { fetching, present } = await fetchAndLoad(options, signal);
  let fetched: Fetched;
  try {
    fetched = await fetching;
  } catch (error) {
    // A status bar shows whatever is printed: a short marker, or the last good figures marked stale.
    if (format === 'oneline' && !signal.aborted) await write(await onelineFallback(options, present));
    throw error;
  }

  const report = present.reportFrom(fetched, options);
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
  await write(present.renderReport(report, format, options));

  // The report is printed first: a cron job's mail then shows the figures beside the alert.
  if (report.thresholdError) {
    process.stderr.write(`openrouter-usage: ${redact(report.thresholdError.message)}\n`);
    return report.thresholdError.exitCode;
  }
  for (const alert of report.alerts) process.stderr.write(`${alert.message}\n`);
  return report.alerts.length > 0 ? ExitCode.thresholdCrossed : ExitCode.ok;
}

async function onelineFallback(options: CliOptions, present: typeof import('./present.js')): Promise<string> {
  if (options.demo) return present.ONELINE_FAILURE;
  const entry = (await import('./live.js')).lastGood(options);
  if (!entry) return present.ONELINE_FAILURE;
  const report = present.reportFrom({ responses: entry.responses, configWarnings: [], fetchedAt: new Date(entry.fetchedAt), fromCache: true }, options);
  return present.renderOneline(report, age(Date.now() - Date.parse(entry.fetchedAt)));
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
