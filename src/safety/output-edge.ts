import type { Io } from '../base/io.js';
import { createRedactor, type Redaction } from './redact.js';
import { sanitize } from './sanitize.js';

/** A stderr line longer than this is cut with an ellipsis: no message of ours comes near it. */
const STDERR_LINE_MAX = 2000;

/**
 * The output edge of one run: every byte the CLI prints passes through here. stdout is redacted
 * (renderers have made each foreign string safe for their format already); each stderr line is
 * redacted and then sanitised as a whole, since warnings, errors and debug lines carry messages,
 * paths and bodies the tool did not write. The redactor starts with the keys in the environment;
 * a command adds the keys it finds in files (`io.redaction.add`), so it is this run's alone.
 */
export function guardedIo(io: Io): Io {
  const keys: (string | undefined)[] = [io.env.OPENROUTER_API_KEY, io.env.OPENROUTER_MGMT_KEY];
  let redactor = createRedactor(keys);
  const redaction: Redaction = {
    add(more) {
      keys.push(...more);
      redactor = createRedactor(keys);
    },
    redact: (text) => redactor(text),
  };
  return {
    ...io,
    stdout: { write: (text, callback) => io.stdout.write(redaction.redact(text), callback) },
    stderr: { write: (text, callback) => io.stderr.write(stderrText(redaction.redact(text)), callback) },
    redaction,
  };
}

/** Line by line, after redaction (so a key broken across lines is still seen whole). */
function stderrText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : sanitize(line, STDERR_LINE_MAX)))
    .join('\n');
}
