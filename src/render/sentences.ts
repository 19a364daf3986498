import { formatUsd } from '../format.js';
import type { Alert } from '../insights/alerts.js';
import type { AccountTotals } from '../insights/account.js';
import type { Discrepancy } from '../insights/discrepancy.js';
import { sanitize } from '../sanitize.js';

/** The model holds figures; the words about them live here, shared by every format that prints them. */

const THRESHOLD_WHAT: Record<Alert['threshold'], string> = {
  'min-balance': 'the balance',
  'max-today': "today's spend",
  'max-month': "this month's spend",
  'max-forecast': 'the month-end projection',
};

export function alertSentence(alert: Alert): string {
  const relation = alert.threshold === 'min-balance' ? 'below' : 'above';
  const what = THRESHOLD_WHAT[alert.threshold];
  return `alert: ${what} (${alert.scope}) ${formatUsd(alert.actual)} is ${relation} --${alert.threshold} ${formatUsd(alert.limit)} by ${formatUsd(alert.by)}`;
}

const CENT = 0.005;

/**
 * Why the live Month total and the breakdown's days of this month differ, in dollars, so nobody has
 * to guess: today's spend is live at once but reaches /activity after UTC midnight, and an
 * account-wide breakdown also holds other keys' spend.
 */
export function gapSentence(gap: Discrepancy): string {
  const parts: string[] = [];
  if (gap.today >= CENT) parts.push(`today's ${formatUsd(gap.today)} reaches the breakdown after UTC midnight`);
  if (gap.otherKeys !== null && gap.otherKeys >= CENT) parts.push(`${formatUsd(gap.otherKeys)} of the breakdown is other keys' spend`);
  if (Math.abs(gap.unexplained) >= CENT) {
    parts.push(
      gap.unexplained > 0
        ? `${formatUsd(gap.unexplained)} is not in the breakdown (spend not yet settled there)`
        : `${formatUsd(-gap.unexplained)} in the breakdown is missing from the live total (keys deleted this month are no longer counted)`,
    );
  }
  const whose = gap.monthScope === 'key' ? 'this key' : gap.workspace !== undefined ? `workspace ${sanitize(gap.workspace, 80)}` : 'account';
  return `Month ${formatUsd(gap.month)} (${whose}, live) vs ${formatUsd(gap.breakdownMonth)} in this month's completed days of the breakdown: ${parts.join('; ')}.`;
}

/**
 * Analytics' account month beside the sum over /keys, when they differ by more than a cent: by how
 * much, and why (keys deleted this month are in analytics only; spend of the last minutes can reach
 * the keys' live counters before analytics). Undefined when they agree or there is no /keys sum.
 */
export function crossCheckSentence(account: AccountTotals): string | undefined {
  const listed = account.listedKeys;
  if (account.source !== 'analytics' || !listed) return undefined;
  const difference = Math.round((account.usage.month - listed.month) * 1e9) / 1e9;
  if (Math.abs(difference) <= 0.01) return undefined;
  return difference > 0
    ? `They count ${formatUsd(difference)} more this month than the keys /keys lists (${formatUsd(listed.month)}): spend of keys deleted since, or of keys /keys does not list.`
    : `The keys /keys lists count ${formatUsd(-difference)} more this month (${formatUsd(listed.month)}): spend not yet in analytics.`;
}
