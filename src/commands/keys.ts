import { ExitCode } from '../base/errors.js';
import { writeOut, type Io } from '../base/io.js';
import { buildKeysReport } from '../model/keys-report.js';
import type { KeysOptions } from '../base/options.js';
import { renderKeys } from '../render/index.js';
import { keyListAnswers } from '../sources/report-answers.js';
import { outputFor, redactedModel, writeWarnings } from './output.js';

/** `openrouter-usage keys`: every key of the account, from /keys over every workspace. */
export async function runKeys(options: KeysOptions, io: Io): Promise<number> {
  const output = await outputFor(options, io);
  const now = new Date(io.now());
  const { keys, workspaces, workspace, warnings } = await keyListAnswers(options, io);
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
