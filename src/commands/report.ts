import { CliError, ExitCode } from '../base/errors.js';
import { writeOut, type Io } from '../base/io.js';
import type { CliOptions } from '../base/options.js';
import { buildCheckedReport, type Report } from '../model/report.js';
import { renderReport, type Output } from '../render/index.js';
import { ONELINE_FAILURE, renderOneline } from '../render/oneline.js';
import { alertSentence } from '../render/sentences.js';
import type { Fetched } from '../sources/live.js';
import { answerSource, type AnswerSource } from '../sources/report-answers.js';
import { outputFor, redactedModel, writeWarnings } from './output.js';

/** The report: settings in, requests out, one report model, one renderer, stdout. */
export async function runReport(options: CliOptions, io: Io): Promise<number> {
  const output = await outputFor(options, io);
  if (options.watch !== undefined) throw new CliError('usage', '--watch is run by the watch command');
  const source = answerSource(options, io);

  let fetched;
  try {
    fetched = await source.fetch(io.signal);
  } catch (error) {
    // A status bar shows whatever is printed: a short marker, or the last good figures marked stale.
    if (output.format === 'oneline' && !io.signal?.aborted) await writeOut(io.stdout, staleLine(source, options, io));
    throw error;
  }
  return printReport(fetched, options, io, output);
}

/**
 * Answers in, report out: the one route from validated answers (fresh, cached or the demo's) to
 * stdout, stderr and the exit code, whichever command or path got them.
 */
export async function printReport(fetched: Fetched, options: CliOptions, io: Io, output: Output): Promise<number> {
  const built = reportFrom(fetched, options, io);
  const { thresholdFailure } = built;
  const report = redactedModel(built.report, io);
  writeWarnings(io, report.warnings);
  if (output.format === 'csv' && report.breakdown.status !== 'ok') {
    io.stderr.write(
      report.breakdown.status === 'needs-management-key'
        ? 'note: the CSV breakdown needs OPENROUTER_MGMT_KEY (a management key); printing the header only\n'
        : 'note: /activity failed; printing the CSV header only\n',
    );
  }
  if (options.topGiven && options.by === 'day' && output.format !== 'json' && output.format !== 'oneline') {
    io.stderr.write(`note: --by day lists every day of the window; --top picks models or providers (shorten the window with --days)\n`);
  }
  await writeOut(io.stdout, await renderReport(report, output, options));

  // The report is printed first: a cron job's mail then shows the figures beside the alert.
  if (thresholdFailure) {
    io.stderr.write(`openrouter-usage: ${thresholdFailure.message}\n`);
    return thresholdFailure.exitCode;
  }
  for (const alert of report.alerts) io.stderr.write(`${alertSentence(alert)}\n`);
  return report.alerts.length > 0 ? ExitCode.thresholdCrossed : ExitCode.ok;
}

/** The report model of these answers, with the options that shape it. */
export function reportFrom(fetched: Fetched, options: CliOptions, io: Io): { report: Report; thresholdFailure: CliError | undefined } {
  return buildCheckedReport(fetched.responses, {
    days: options.days,
    now: fetched.fetchedAt,
    generatedAt: new Date(io.now()),
    demo: options.demo === true,
    configWarnings: fetched.warnings,
    scope: options.scope,
    byWorkspace: options.by === 'workspace',
    window: { days: options.days, daysGiven: options.daysGiven, since: options.since, until: options.until, by: options.by },
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth, maxForecast: options.maxForecast },
  });
}

/** A status bar's line after a failure: the last good figures, marked stale with their age, else a short marker. */
function staleLine(source: AnswerSource, options: CliOptions, io: Io): string {
  let report;
  let fetched;
  try {
    fetched = source.lastGood();
    if (fetched) ({ report } = reportFrom(fetched, options, io));
  } catch {
    // Answers that cannot make this report (a window only analytics serves, without it): no figures, not another error.
    report = undefined;
  }
  if (!report || !fetched) return ONELINE_FAILURE;
  return renderOneline(redactedModel(report, io), age(io.now() - fetched.fetchedAt.getTime()));
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}
