import chalk, { Chalk } from 'chalk';
import type { KeyListItem } from './api/schemas.js';
import type { KeysOptions } from './options.js';
import { redact } from './redact.js';
import { buildKeysReport } from './keys-report.js';
import { renderKeysJson, renderKeysText } from './render/keys.js';

/** `openrouter-usage keys`: every key of the account, from /keys. */
export async function runKeys(options: KeysOptions, { signal }: { signal: AbortSignal }): Promise<number> {
  const now = new Date();
  let keys: KeyListItem[];
  let warnings: string[] = [];
  if (options.demo) {
    keys = demoKeys(await import('./demo/responses.js'), now);
  } else {
    ({ keys, warnings } = await (await import('./live.js')).fetchLiveKeys(options, signal, now.getTime()));
  }
  for (const warning of warnings) process.stderr.write(`${redact(warning)}\n`);
  const report = buildKeysReport(keys, { includeDisabled: options.includeDisabled === true, now, demo: options.demo === true, warnings });
  const useColor = options.color && !process.env.NO_COLOR;
  const output = options.json
    ? renderKeysJson(report)
    : renderKeysText(report, { chalk: useColor ? chalk : new Chalk({ level: 0 }), width: process.stdout.isTTY ? process.stdout.columns : undefined });
  await new Promise<void>((resolve) => process.stdout.write(output, () => resolve()));
  return 0;
}

function demoKeys(demo: typeof import('./demo/responses.js'), now: Date): KeyListItem[] {
  const outcome = demo.demoResponses(now).keys;
  return outcome.status === 'ok' ? outcome.value : [];
}
