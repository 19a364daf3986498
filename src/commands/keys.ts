import type { NamedKey } from '../api/endpoints.js';
import type { KeyListItem, Workspace } from '../api/schemas.js';
import { findKeys } from '../sources/credentials.js';
import { CliError, ExitCode } from '../base/errors.js';
import { writeOut, type Io } from '../base/io.js';
import type { WorkspacesAnswer } from '../api/workspaces.js';
import { buildKeysReport } from '../model/keys-report.js';
import type { KeysOptions } from '../base/options.js';
import { renderKeys } from '../render/index.js';
import { configWarnings, type Warning } from '../api/answers.js';
import { baseUrlOf, demoHasNoWorkspaces } from '../sources/report-answers.js';
import { outputFor, redactedModel, writeWarnings } from './output.js';

/** `openrouter-usage keys`: every key of the account, from /keys over every workspace. */
export async function runKeys(options: KeysOptions, io: Io): Promise<number> {
  const output = await outputFor(options, io);
  const now = new Date(io.now());
  let keys: KeyListItem[];
  let warnings: Warning[] = [];
  let workspaces: WorkspacesAnswer | undefined;
  let workspace: Workspace | undefined;
  if (options.demo) {
    demoHasNoWorkspaces(options);
    const outcome = (await import('../sources/demo.js')).demoResponses(now).keys;
    keys = outcome.status === 'ok' ? outcome.value : [];
  } else {
    const baseUrl = baseUrlOf(options, io);
    const found = findKeys({ env: io.env, cwd: io.cwd, home: io.home, credentialsFile: options.credentialsFile });
    // The run's redactor also masks keys that came from a file.
    io.redaction?.add([found.apiKey?.value, found.mgmtKey?.value]);
    const key: NamedKey | undefined = found.mgmtKey
      ? { value: found.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' }
      : found.apiKey && { value: found.apiKey.value, name: 'OPENROUTER_API_KEY' };
    if (!key) throw new CliError('config', `the keys view needs a management key: OPENROUTER_MGMT_KEY is not set; looked in ${found.places.join(', ')}`);
    const fetched = await (await import('../sources/live.js')).fetchKeyListAnswers(key, baseUrl, options, io, io.signal);
    ({ keys, workspaces, workspace } = fetched);
    warnings = [...configWarnings(found.warnings), ...fetched.warnings];
  }
  writeWarnings(io, warnings);
  const report = redactedModel(
    buildKeysReport(keys, {
      includeDisabled: options.includeDisabled === true,
      now,
      demo: options.demo === true,
      warnings,
      workspaces,
      workspace,
    }),
    io,
  );
  await writeOut(io.stdout, await renderKeys(report, output));
  return ExitCode.ok;
}
