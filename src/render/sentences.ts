import { formatUsd } from '../format.js';
import type { Alert } from '../insights/alerts.js';
import type { Discrepancy } from '../insights/discrepancy.js';

/** The model holds figures; the words about them live here, shared by every format that prints them. */

const THRESHOLD_WHAT: Record<Alert['threshold'], string> = {
  'min-balance': 'the balance',
  'max-today': "today's spend",
  'max-month': "this month's spend",
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
  const whose = gap.monthScope === 'key' ? 'this key' : 'account';
  return `Month ${formatUsd(gap.month)} (${whose}, live) vs ${formatUsd(gap.breakdownMonth)} in this month's completed days of the breakdown: ${parts.join('; ')}.`;
}

const GROUP_NOUNS = { model: ['model', 'models'], provider: ['provider', 'providers'], day: ['day', 'days'] } as const;

/** The row that stands for what --top left out, named alike in every format: `12 more models`. */
export function moreLabel(count: number, by: 'model' | 'provider' | 'day'): string {
  return `${count} more ${GROUP_NOUNS[by][count === 1 ? 0 : 1]}`;
}
