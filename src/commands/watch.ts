import { CliError, ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { DEFAULT_WATCH_SECONDS, type CliOptions } from '../options.js';
import { sanitize } from '../sanitize.js';
import { renderReport } from '../render/index.js';
import { answerSource, reportFrom } from './answers.js';
import { outputFor, redactedModel, warningLine } from './output.js';

/**
 * The alternate screen, as full-screen programs (less, htop) use it: the dashboard never mixes with
 * the shell's scrollback, and leaving it gives the reader their terminal back as it was. Each redraw
 * homes the cursor and clears the screen, never the scrollback (ESC[3J would wipe the reader's history).
 */
const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h\u001b[?25l';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?25h\u001b[?1049l';
const REDRAW = '\u001b[H\u001b[2J';

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

  io.stdout.write(ENTER_ALTERNATE_SCREEN);
  try {
    await watchLoop();
  } finally {
    // Ctrl-C, an error or the end: the terminal is given back, and the last good figures stay on it.
    io.stdout.write(LEAVE_ALTERNATE_SCREEN);
    if (lastGood) io.stdout.write(lastGood.text);
  }
  // Ctrl-C is how a watch ends, and the exit is a normal one.
  return ExitCode.ok;

  async function watchLoop(): Promise<void> {
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
      io.stdout.write(`${REDRAW}${lastGood?.text ?? ''}\n${status}\n`);
      await pause(seconds * 1000, io.signal);
    }
  }
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
