import { CliError, ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { DEFAULT_WATCH_SECONDS, type CliOptions } from '../options.js';
import { sanitize } from '../sanitize.js';
import { renderReport } from '../render/index.js';
import { answerSource, reportFrom } from './answers.js';
import { outputFor, redactedModel, warningLine } from './output.js';

const CLEAR = '\u001b[H\u001b[2J\u001b[3J';

/**
 * Redraws the text report in place until Ctrl-C. A failed refresh keeps the last good figures on
 * screen, marked stale, rather than blanking a dashboard over one network hiccup.
 */
export async function runWatch(options: CliOptions, io: Io): Promise<number> {
  const output = outputFor(options, io);
  if (output.format !== 'text') throw new CliError('usage', '--watch draws the text report; it cannot be combined with --json or --format');
  if (!io.isTTY) throw new CliError('usage', '--watch redraws a terminal; stdout is not one (drop --watch, or use --cache in a loop)');
  const seconds = options.watch === true || options.watch === undefined ? DEFAULT_WATCH_SECONDS : options.watch;
  const { chalk } = output;
  const source = answerSource(options, io);
  let lastGood: { text: string; at: Date } | undefined;

  while (!io.signal?.aborted) {
    let status: string;
    try {
      const report = redactedModel(reportFrom(await source.fetch(io.signal), options, io).report, io);
      lastGood = { text: renderReport(report, output, options), at: new Date(io.now()) };
      const warnings = report.warnings.map((w) => chalk.yellow(warningLine(w).trimEnd()));
      status = [...warnings, chalk.dim(`Refreshed ${clock(lastGood.at)}; next in ${seconds} s. Ctrl-C to stop.`)].join('\n');
    } catch (error) {
      if (io.signal?.aborted) break;
      if (!(error instanceof CliError)) throw error;
      status = chalk.yellow(
        `Refresh failed at ${clock(new Date(io.now()))}: ${sanitize(error.message)}` +
          (lastGood ? `\nShowing figures from ${clock(lastGood.at)} (stale). ` : '\n') +
          `Retrying in ${seconds} s. Ctrl-C to stop.`,
      );
    }
    io.stdout.write(`${CLEAR}${lastGood?.text ?? ''}\n${status}\n`);
    await pause(seconds * 1000, io.signal);
  }
  // Ctrl-C is how a watch ends: the last screen stays, and the exit is a normal one.
  return ExitCode.ok;
}

function clock(date: Date): string {
  return date.toLocaleTimeString('en-GB', { hour12: false });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
