import type { NamedKey } from '../api/client.js';
import type { KeyListItem, Workspace } from '../api/schemas.js';
import { findKeys } from '../config.js';
import { CliError, ExitCode } from '../errors.js';
import { writeOut, type Io } from '../io.js';
import type { WorkspacesAnswer } from '../insights/workspaces.js';
import { buildKeysReport } from '../keys-report.js';
import type { KeysOptions } from '../options.js';
import { renderKeys } from '../render/index.js';
import type { Warning } from '../report.js';
import { baseUrlOf, demoHasNoWorkspaces } from './answers.js';
import { configWarnings, outputFor, protectKeys, redactedModel, writeWarnings } from './output.js';

/** `openrouter-usage keys`: every key of the account, from /keys over every workspace. */
export async function runKeys(options: KeysOptions, io: Io): Promise<number> {
  const output = outputFor(options, io);
  const now = new Date(io.now());
  let keys: KeyListItem[];
  let warnings: Warning[] = [];
  let workspaces: WorkspacesAnswer | undefined;
  let workspace: Workspace | undefined;
  if (options.demo) {
    demoHasNoWorkspaces(options);
    const outcome = (await import('../demo/responses.js')).demoResponses(now).keys;
    keys = outcome.status === 'ok' ? outcome.value : [];
  } else {
    const baseUrl = baseUrlOf(options, io);
    const found = findKeys({ env: io.env, cwd: io.cwd, credentialsFile: options.credentialsFile });
    protectKeys(io, [found.apiKey?.value, found.mgmtKey?.value]);
    const key: NamedKey | undefined = found.mgmtKey
      ? { value: found.mgmtKey.value, name: 'OPENROUTER_MGMT_KEY' }
      : found.apiKey && { value: found.apiKey.value, name: 'OPENROUTER_API_KEY' };
    if (!key) throw new CliError('config', `the keys view needs a management key: OPENROUTER_MGMT_KEY is not set; looked in ${found.places.join(', ')}`);
    const fetched = await (await import('../fetch-live.js')).fetchKeyListAnswers(key, baseUrl, options, io, io.signal);
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
  await writeOut(io.stdout, renderKeys(report, output));
  return ExitCode.ok;
}
