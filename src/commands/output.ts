import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Io } from '../io.js';
import { formatOf, type CommonOptions, type Format } from '../options.js';
import { createRedactor, redactStrings } from '../redact.js';
import { sanitize } from '../sanitize.js';
import type { Warning } from '../report.js';

/** How this run prints: decided once per command from the options and the terminal. */
export interface Output {
  format: Format;
  chalk: ChalkInstance;
  /** Terminal width for tables and notes; undefined when piped (no limit). */
  width: number | undefined;
  /** The reader's zone (TZ), for the time the UTC day ends; undefined: the process's own. */
  timeZone: string | undefined;
}

export function outputFor(options: CommonOptions, io: Io): Output {
  const format = formatOf(options);
  // chalk's own detection speaks for the real process; io may name a level instead (tests, other hosts).
  const level = !options.color || io.env.NO_COLOR ? 0 : (io.colorLevel ?? chalk.level);
  return { format, chalk: new Chalk({ level: level as 0 | 1 | 2 | 3 }), width: io.isTTY ? io.columns : undefined, timeZone: io.env.TZ || undefined };
}

/** The one place a warning becomes a stderr line; JSON carries the same text in `warnings`. */
export function warningLine(warning: Warning): string {
  return `warning: ${sanitize(warning.message, 2000)}\n`;
}

export function writeWarnings(io: Io, warnings: readonly Warning[]): void {
  for (const warning of warnings) io.stderr.write(warningLine(warning));
}

/**
 * A report model with every string redacted, before any renderer sees it: JSON escapes control
 * characters into text the redactor could no longer see through, and the other formats lay out
 * columns that a later `[redacted]` would break. (stdout is redacted as a whole again at the edge.)
 */
export function redactedModel<T>(model: T, io: Io): T {
  return redactStrings(model, io.redaction?.redact ?? createRedactor([io.env.OPENROUTER_API_KEY, io.env.OPENROUTER_MGMT_KEY]));
}

/** Tells the run's redactor the keys a command found (in files as well as the environment). */
export function protectKeys(io: Io, keys: readonly (string | undefined)[]): void {
  io.redaction?.add(keys);
}

/** Config warnings arrive as sentences that may carry their own prefix; the model keeps them bare. */
export function configWarnings(lines: readonly string[]): Warning[] {
  return lines.map((line) => ({ source: 'config', message: line.replace(/^warning: /, '') }));
}
