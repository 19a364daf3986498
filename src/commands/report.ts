import { CliError, ExitCode } from '../errors.js';
import { writeOut, type Io } from '../io.js';
import type { CliOptions } from '../options.js';
import { ONELINE_FAILURE, renderOneline } from '../render/oneline.js';
import { renderReport } from '../render/index.js';
import { alertSentence } from '../render/sentences.js';
import { answerSource, reportFrom, type AnswerSource } from './answers.js';
import { outputFor, redactedModel, writeWarnings } from './output.js';

/** The report: settings in, requests out, one report model, one renderer, stdout. */
export async function runReport(options: CliOptions, io: Io): Promise<number> {
  const output = outputFor(options, io);
  if (options.watch !== undefined) throw new CliError('usage', '--watch is run by the watch command');
  const source = answerSource(options, io);

  let fetched;
  try {
    fetched = await source.fetch(io.signal);
  } catch (error) {
    // A status bar shows whatever is printed: a short marker, or the last good figures marked stale.
    if (output.format === 'oneline' && !io.signal?.aborted) await writeOut(io.stdout, onelineFallback(source, options, io));
    throw error;
  }

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
  await writeOut(io.stdout, renderReport(report, output, options));

  // The report is printed first: a cron job's mail then shows the figures beside the alert.
  if (thresholdFailure) {
    io.stderr.write(`openrouter-usage: ${thresholdFailure.message}\n`);
    return thresholdFailure.exitCode;
  }
  for (const alert of report.alerts) io.stderr.write(`${alertSentence(alert)}\n`);
  return report.alerts.length > 0 ? ExitCode.thresholdCrossed : ExitCode.ok;
}

function onelineFallback(source: AnswerSource, options: CliOptions, io: Io): string {
  let entry;
  try {
    entry = source.lastGood();
  } catch {
    entry = undefined;
  }
  if (!entry) return ONELINE_FAILURE;
  let report;
  try {
    ({ report } = reportFrom({ responses: entry.responses, warnings: [], fetchedAt: new Date(entry.fetchedAt), fromCache: true }, options, io));
  } catch {
    // Answers that cannot make this report (a window only analytics serves, without it): no figures, not another error.
    return ONELINE_FAILURE;
  }
  return renderOneline(redactedModel(report, io), age(io.now() - Date.parse(entry.fetchedAt)));
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}
