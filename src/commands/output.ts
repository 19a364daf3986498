import type { Warning } from '../api/answers.js';
import { terminalWidth, type Io } from '../base/io.js';
import { formatOf, type CommonOptions } from '../base/options.js';
import type { Output } from '../render/index.js';
import { warningLine } from '../render/warning-line.js';
import { createRedactor, redactStrings } from '../safety/redact.js';

/** How this run prints, decided once per command from the options and io. */
export async function outputFor(options: CommonOptions, io: Io): Promise<Output> {
  const format = formatOf(options);
  // Only the formats that colour ask the terminal's colour depth (loading chalk's detection).
  const colours = format === 'text' && options.color && !io.env.NO_COLOR;
  const level = colours ? await io.colorLevel() : 0;
  return { format, colorLevel: Math.max(0, Math.min(3, Math.trunc(level))) as Output['colorLevel'], width: terminalWidth(io) ?? 80, utcOffset: io.utcOffset };
}

export function writeWarnings(io: Io, warnings: readonly Warning[]): void {
  for (const warning of warnings) io.stderr.write(warningLine(warning));
}

/**
 * A model with every string redacted, before any renderer sees it: JSON escapes control
 * characters into text the redactor could no longer see through, and the other formats lay out
 * columns that a later `[redacted]` would break. (stdout is redacted as a whole again at the edge.)
 */
export function redactedModel<T>(model: T, io: Io): T {
  return redactStrings(model, io.redaction?.redact ?? createRedactor([io.env.OPENROUTER_API_KEY, io.env.OPENROUTER_MGMT_KEY]));
}
