import { CliError, ExitCode } from './errors.js';
import type { CliOptions } from './options.js';
import { redact } from './redact.js';
import { chalkFor } from './render/index.js';
import { fetchAndLoad } from './run.js';

import { DEFAULT_WATCH_SECONDS } from './watch-limits.js';

const CLEAR = '\u001b[H\u001b[2J\u001b[3J';

/**
 * Redraws the text report in place until Ctrl-C. A failed refresh keeps the last good figures on
 * screen, marked stale, rather than blanking a dashboard over one network hiccup.
 */
export async function watch(options: CliOptions, signal: AbortSignal): Promise<number> {
  if (!process.stdout.isTTY) throw new CliError('usage', '--watch redraws a terminal; stdout is not one (drop --watch, or use --cache in a loop)');
  const seconds = options.watch === true || options.watch === undefined ? DEFAULT_WATCH_SECONDS : options.watch;
  const chalk = chalkFor(options);
  let lastGood: { text: string; at: Date } | undefined;

  while (!signal.aborted) {
    let status: string;
    try {
      const { fetching, present } = await fetchAndLoad(options, signal);
      const report = present.reportFrom(await fetching, options);
      lastGood = { text: present.renderReport(report, 'text', options), at: new Date() };
      const warnings = report.warnings.map((w) => chalk.yellow(`warning: ${redact(w.message)}`));
      status = [...warnings, chalk.dim(`Refreshed ${clock(lastGood.at)}; next in ${seconds} s. Ctrl-C to stop.`)].join('\n');
    } catch (error) {
      if (signal.aborted) break;
      const message = redact(error instanceof Error ? error.message : String(error));
      status = chalk.yellow(
        `Refresh failed at ${clock(new Date())}: ${message}` +
          (lastGood ? `\nShowing figures from ${clock(lastGood.at)} (stale). ` : '\n') +
          `Retrying in ${seconds} s. Ctrl-C to stop.`,
      );
    }
    process.stdout.write(`${CLEAR}${lastGood?.text ?? ''}\n${status}\n`);
    await pause(seconds * 1000, signal);
  }
  // Ctrl-C is how a watch ends: the last screen stays, and the exit is a normal one.
  return ExitCode.ok;
}

function clock(date: Date): string {
  return date.toLocaleTimeString('en-GB', { hour12: false });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
