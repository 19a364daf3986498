import type { Warning } from '../api/answers.js';
import { sanitize } from '../safety/sanitize.js';

/**
 * The one place a warning becomes a stderr line; JSON carries the same text in `warnings`. The output
 * edge redacts what is written; a message from outside is made one safe line here.
 */
export function warningLine(warning: Warning): string {
  return `warning: ${sanitize(warning.message, 2000)}\n`;
}
