import type { KeyListItem } from './api/schemas.js';
import { buildKeysReport, type KeysReport } from './keys-report.js';
import { formatOf, type Format, type KeysOptions } from './options.js';
import { redact } from './redact.js';
import { renderKeysCsv } from './render/csv.js';
import { chalkFor } from './render/index.js';
import { renderKeysJson, renderKeysText } from './render/keys.js';
import { renderKeysMarkdown } from './render/markdown.js';
import { renderKeysOneline } from './render/oneline.js';

/** `openrouter-usage keys`: every key of the account, from /keys. */
export async function runKeys(options: KeysOptions, { signal }: { signal: AbortSignal }): Promise<number> {
  const format = formatOf(options);
  const now = new Date();
  let keys: KeyListItem[];
  let warnings: string[] = [];
  if (options.demo) {
    const outcome = (await import('./demo/responses.js')).demoResponses(now).keys;
    keys = outcome.status === 'ok' ? outcome.value : [];
  } else {
    ({ keys, warnings } = await (await import('./live.js')).fetchLiveKeys(options, signal, now.getTime()));
  }
  for (const warning of warnings) process.stderr.write(`${redact(warning)}\n`);
  const report = buildKeysReport(keys, { includeDisabled: options.includeDisabled === true, now, demo: options.demo === true, warnings });
  await new Promise<void>((resolve) => process.stdout.write(render(report, format, options), () => resolve()));
  return 0;
}

function render(report: KeysReport, format: Format, options: KeysOptions): string {
  switch (format) {
    case 'json':
      return renderKeysJson(report);
    case 'csv':
      return renderKeysCsv(report);
    case 'markdown':
      return renderKeysMarkdown(report);
    case 'oneline':
      return renderKeysOneline(report);
    case 'text':
      return renderKeysText(report, { chalk: chalkFor(options), width: process.stdout.isTTY ? process.stdout.columns : undefined });
  }
}
