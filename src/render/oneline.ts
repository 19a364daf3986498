import { formatUsd } from '../base/money.js';
import type { KeysReport } from '../model/keys-report.js';
import { primaryTotals, type Report } from '../model/report.js';

/**
 * One short line for status bars and prompts, e.g. `OR acct $1.28 today · $7.68 left`: whose today it
 * is (`acct`, the account's, or `key`, this key's) is said, as every other format says it. A status
 * bar shows whatever is printed, so this never carries a partial block or a raw body.
 */
export function renderOneline(report: Report, stale?: string): string {
  const parts: string[] = [];
  const totals = primaryTotals(report);
  if (totals) parts.push(`${totals.scope === 'account' ? 'acct' : 'key'} ${formatUsd(totals.today)} today`);
  if (report.credits.status === 'ok') parts.push(`${formatUsd(report.credits.value.remaining)} left`);
  else if (report.key.limitRemaining !== null) parts.push(`${formatUsd(report.key.limitRemaining)} of cap left`);
  else if (totals) parts.push(`${formatUsd(totals.month)} this month`);
  if (report.alerts.length > 0) parts.push('!');
  return `OR ${parts.join(' · ') || '?'}${stale ? ` (stale ${stale})` : ''}${report.demo ? ' (demo)' : ''}\n`;
}

/** What a status bar shows when a run failed and nothing good was cached. */
export const ONELINE_FAILURE = 'OR ?\n';

export function renderKeysOneline(report: KeysReport): string {
  return `OR ${report.totals.keys} key${report.totals.keys === 1 ? '' : 's'} · ${formatUsd(report.totals.usage.today)} today · ${formatUsd(report.totals.usage.month)} month\n`;
}
