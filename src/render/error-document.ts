import type { CliError } from '../base/errors.js';
import type { JsonErrorDocument } from './json-contract.js';
import type { Redactor } from '../safety/redact.js';

/**
 * Where a fatal failure came from, in the words JSON's `warnings[].source` uses: the endpoint
 * (`key`, `keys`, `credits`, `activity`) when one failed, else what kind of failure it was.
 */
const SOURCE_OF_KIND: Record<CliError['kind'], string> = {
  usage: 'usage',
  config: 'config',
  'key-rejected': 'api',
  'rate-limited': 'api',
  network: 'network',
  timeout: 'network',
  'http-status': 'api',
  'invalid-response': 'api',
  aborted: 'interrupted',
  internal: 'internal',
};

/** The one document `--json` prints when the run fails: a script parses stdout either way. */
/** `redact` is the run's: a key is masked before JSON escaping could hide it from the output edge. */
export function errorDocument(failure: CliError, redact: Redactor): JsonErrorDocument {
  const source = failure.endpoint ? failure.endpoint.replace(/^\//, '') : SOURCE_OF_KIND[failure.kind];
  return {
    schemaVersion: 1,
    error: {
      message: redact(failure.message),
      exitCode: failure.exitCode,
      source,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    },
  };
}

export function renderErrorDocument(failure: CliError, redact: Redactor): string {
  return `${JSON.stringify(errorDocument(failure, redact), null, 2)}\n`;
}
