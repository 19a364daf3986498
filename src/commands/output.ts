import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { terminalWidth, type Io } from '../io.js';
import { formatOf, type CommonOptions, type Format } from '../options.js';
import { createRedactor, redactStrings } from '../redact.js';

/** How this run prints: decided once per command from the options and the terminal. */
export interface Output {
  format: Format;
  chalk: ChalkInstance;
  /** Terminal width: no text line is wider (COLUMNS when stdout is no terminal, else 80). */
  width: number;
  /** The reader's zone (TZ), for the time the UTC day ends; undefined: the process's own. */
  timeZone: string | undefined;
}

export function outputFor(options: CommonOptions, io: Io): Output {
  const format = formatOf(options);
  // chalk's own detection speaks for the real process; io may name a level instead (tests, other hosts).
  const level = !options.color || io.env.NO_COLOR ? 0 : (io.colorLevel ?? chalk.level);
  return { format, chalk: new Chalk({ level: level as 0 | 1 | 2 | 3 }), width: terminalWidth(io) ?? 80, timeZone: io.env.TZ || undefined };
}

// Kept importable from here: warnings.ts holds them so that a path without chalk can print them too.
export { configWarnings, warningLine, writeWarnings } from './warnings.js';

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
