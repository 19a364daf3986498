import { homedir } from 'node:os';
import { CliError, ExitCode } from './base/errors.js';
import { readStatusBarOptions } from './base/options.js';
import type { Io } from './base/io.js';
import { guardedIo } from './safety/output-edge.js';

export type { Io } from './base/io.js';

/**
 * The entry: argv and io in, exit code out. It loads nothing it does not need: `--version` answers
 * before commander is read, and so does a status bar's cached `--format oneline` (status-bar.ts);
 * the command line parser loads next, and each command loads its own code.
 */
export async function runCli(argv: readonly string[], processIo: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    processIo.stdout.write(`${__VERSION__}\n`);
    return ExitCode.ok;
  }
  // From here on, every write is redacted (and every stderr line sanitised): see src/safety/output-edge.ts.
  const io = guardedIo(processIo);
  try {
    // A status bar's cached refresh: answered without commander or the HTTP client, when the cache can.
    const statusBar = readStatusBarOptions(argv);
    if (statusBar) {
      const code = await (await import('./commands/status-bar.js')).runStatusBar(statusBar, io);
      if (code !== undefined) return code;
    }
    return await (await import('./program.js')).parseAndRun(argv, io);
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr.write('openrouter-usage: interrupted\n');
      return ExitCode.interrupted;
    }
    const message = error instanceof CliError ? error.message : error instanceof Error ? error.message : String(error);
    io.stderr.write(`openrouter-usage: internal error: ${message}\n`);
    return ExitCode.internal;
  }
}

/** The real process as io; the one place that reads `process`. Ctrl-C aborts the run's signal. */
export function processIo(proc: NodeJS.Process): Io {
  const controller = new AbortController();
  proc.once('SIGINT', () => controller.abort(new CliError('aborted', 'interrupted')));
  // A reader that stops early (`| head`) is not an error: end quietly, as Unix tools do.
  proc.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') proc.stderr.write(`openrouter-usage: cannot write the report: ${error.message}\n`);
    proc.exit(error.code === 'EPIPE' ? ExitCode.ok : ExitCode.internal);
  });
  // A reader of warnings that has gone takes nothing from the report: the run goes on to its own exit code.
  proc.stderr.on('error', () => undefined);
  return {
    stdout: proc.stdout,
    stderr: proc.stderr,
    env: proc.env,
    cwd: proc.cwd(),
    now: () => Date.now(),
    timer: () => performance.now(),
    home: homedir(),
    utcOffset: (at) => -at.getTimezoneOffset(),
    // chalk's own detection (supports-color) speaks for this process's stdout; loaded only by a format that colours.
    colorLevel: async () => ((await import('chalk')).supportsColor || { level: 0 }).level,
    isTTY: proc.stdout.isTTY === true,
    columns: proc.stdout.isTTY ? proc.stdout.columns : undefined,
    signal: controller.signal,
    uid: proc.getuid?.(),
  };
}
