import type { Io } from '../io.js';
import { redact } from '../redact.js';
import type { Warning } from '../report.js';

/** The one place a warning becomes a stderr line; JSON carries the same text in `warnings`. */
export function warningLine(warning: Warning): string {
  return `warning: ${redact(warning.message)}\n`;
}

export function writeWarnings(io: Io, warnings: readonly Warning[]): void {
  for (const warning of warnings) io.stderr.write(warningLine(warning));
}

/** Config warnings arrive as sentences that may carry their own prefix; the model keeps them bare. */
export function configWarnings(lines: readonly string[]): Warning[] {
  return lines.map((line) => ({ source: 'config', message: line.replace(/^warning: /, '') }));
}
