import { formatUsd } from '../format.js';
import type { KeysReport } from '../keys-report.js';
import { primaryTotals, type Report } from '../report.js';

/**
 * One short line for status bars and prompts, e.g. `OR $1.23 today · $7.68 left`. A status bar
 * shows whatever is printed, so this never carries a partial block or a raw body.
 */
export function renderOneline(report: Report, stale?: string): string {
  const parts: string[] = [];
  const totals = primaryTotals(report);
  if (totals) parts.push(`${formatUsd(totals.today)} today`);
  if (report.credits.status === 'ok') parts.push(`${formatUsd(report.credits.value.remaining)} left`);
  else if (report.key.limitRemaining !== null) parts.push(`${formatUsd(report.key.limitRemaining)} of cap left`);
  else if (totals) parts.push(`${formatUsd(totals.month)} month`);
  if (report.alerts.length > 0) parts.push('!');
  return `OR ${parts.join(' · ') || '?'}${stale ? ` (stale ${stale})` : ''}${report.demo ? ' (demo)' : ''}\n`;
}

/** What a status bar shows when a run failed and nothing good was cached. */
export const ONELINE_FAILURE = 'OR ?\n';

export function renderKeysOneline(report: KeysReport): string {
  return `OR ${report.totals.keys} key${report.totals.keys === 1 ? '' : 's'} · ${formatUsd(report.totals.usage.today)} today · ${formatUsd(report.totals.usage.month)} month\n`;
}
