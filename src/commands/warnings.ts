import type { Io } from '../io.js';
import { sanitize } from '../sanitize.js';
import type { Warning } from '../report.js';

/**
 * The one place a warning becomes a stderr line; JSON carries the same text in `warnings`. The output
 * edge redacts what is written; a message from outside is made one safe line here.
 */
export function warningLine(warning: Warning): string {
  return `warning: ${sanitize(warning.message, 2000)}\n`;
}

export function writeWarnings(io: Io, warnings: readonly Warning[]): void {
  for (const warning of warnings) io.stderr.write(warningLine(warning));
}

/** Config warnings arrive as sentences that may carry their own prefix; the model keeps them bare. */
export function configWarnings(lines: readonly string[]): Warning[] {
  return lines.map((line) => ({ source: 'config', message: line.replace(/^warning: /, '') }));
}
