import { CliError, ExitCode } from '../base/errors.js';
import type { Io } from '../base/io.js';
import { DEFAULT_WATCH_SECONDS, type CliOptions } from '../base/options.js';
import { sanitize } from '../safety/sanitize.js';
import { Chalk } from 'chalk';
import { clockTime } from '../base/time.js';
import { renderReport } from '../render/index.js';
import { warningLine } from '../render/warning-line.js';
import { answerSource } from '../sources/report-answers.js';
import { outputFor, redactedModel } from './output.js';
import { reportFrom } from './report.js';

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
  const output = await outputFor(options, io);
  if (output.format !== 'text') throw new CliError('usage', '--watch draws the text report; it cannot be combined with --json or --format');
  if (!io.isTTY) throw new CliError('usage', '--watch redraws a terminal; stdout is not one (drop --watch, or use --cache in a loop)');
  const seconds = options.watch === true || options.watch === undefined ? DEFAULT_WATCH_SECONDS : options.watch;
  const chalk = new Chalk({ level: output.colorLevel });
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
        const text = await renderReport(report, output, options);
        lastGood = { text, at: new Date(io.now()) };
        const warnings = report.warnings.map((w) => chalk.yellow(warningLine(w).trimEnd()));
        status = [...warnings, chalk.dim(`Refreshed ${clock(lastGood.at, io)}; next in ${seconds} s. Ctrl-C to stop.`)].join('\n');
      } catch (error) {
        if (io.signal?.aborted) break;
        if (!(error instanceof CliError)) throw error;
        status = chalk.yellow(
          `Refresh failed at ${clock(new Date(io.now()), io)}: ${sanitize(error.message)}` +
            (lastGood ? `\nShowing figures from ${clock(lastGood.at, io)} (stale). ` : '\n') +
            `Retrying in ${seconds} s. Ctrl-C to stop.`,
        );
      }
      io.stdout.write(`${REDRAW}${lastGood?.text ?? ''}\n${status}\n`);
      await pause(seconds * 1000, io.signal);
    }
  }
}

function clock(date: Date, io: Io): string {
  return clockTime(date, io.utcOffset);
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
