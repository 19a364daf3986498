import type { GroupBy } from '../base/options.js';
import { HALF_CENT, formatCount, formatUsd } from '../base/money.js';
import { DAY_MS } from '../base/time.js';
import type { Alert } from '../model/alerts.js';
import type { AccountTotals } from '../model/account.js';
import type { Discrepancy } from '../model/discrepancy.js';
import { sanitize } from '../safety/sanitize.js';
import type { Report } from '../model/report.js';

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

/**
 * Why the live Month total and /activity's completed days of the same month differ, in dollars, so
 * nobody has to guess: today's spend is live at once but reaches /activity after UTC midnight, and
 * an account-wide /activity also holds other keys' spend. Any other cause is not known here, so
 * none is named: the rest is called unexplained.
 */
export function gapSentence(gap: Discrepancy): string {
  const parts: string[] = [];
  if (gap.today >= HALF_CENT) parts.push(`today's ${formatUsd(gap.today)} reaches /activity after UTC midnight`);
  if (gap.otherKeys !== null && gap.otherKeys >= HALF_CENT) parts.push(`${formatUsd(gap.otherKeys)} in /activity is other keys' spend`);
  if (Math.abs(gap.unexplained) >= HALF_CENT) {
    parts.push(
      gap.unexplained > 0
        ? `${formatUsd(gap.unexplained)} of the live month is not in /activity (unexplained)`
        : `${formatUsd(-gap.unexplained)} in /activity is not in the live month (unexplained)`,
    );
  }
  const whose = gap.monthScope === 'key' ? 'this key' : gap.workspace !== undefined ? `workspace ${sanitize(gap.workspace, 80)}` : 'account';
  const days =
    gap.to === null
      ? 'no completed UTC day of this month in /activity yet'
      : `${formatUsd(gap.breakdownMonth)} in /activity for ${gap.from} to ${gap.to} (this month's completed UTC days)`;
  return `Month ${formatUsd(gap.month)} (${whose}, live) vs ${days}: ${parts.join('; ')}.`;
}

/** The one line the short report keeps of the gap: only when part of it is unexplained, for then a figure may be wrong. */
export function gapNote(gap: Discrepancy): string | undefined {
  if (Math.abs(gap.unexplained) < HALF_CENT) return undefined;
  return gap.unexplained > 0
    ? `Note: the live month is ${formatUsd(gap.unexplained)} above /activity, unexplained (--explain)`
    : `Note: /activity has ${formatUsd(-gap.unexplained)} more this month than the live total (--explain)`;
}

const GROUP_NOUNS: Record<GroupBy, readonly [string, string]> = {
  model: ['model', 'models'],
  provider: ['provider', 'providers'],
  key: ['key', 'keys'],
  workspace: ['workspace', 'workspaces'],
  day: ['day', 'days'],
  week: ['week', 'weeks'],
  month: ['month', 'months'],
  hour: ['hour', 'hours'],
};

/** What the breakdown's rows are, in every format's words: `model` for one, `models` for several. */
export function groupNoun(by: GroupBy, count: number): string {
  return GROUP_NOUNS[by][count === 1 ? 0 : 1];
}

/** A breakdown's title: `Models`, `Hours`. */
export function groupTitle(by: GroupBy): string {
  const noun = groupNoun(by, 2);
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}

/** The row that stands for what --top left out, named alike in every format: `12 more models`. */
export function moreLabel(count: number, by: GroupBy): string {
  return `${count} more ${groupNoun(by, count)}`;
}

/** A key that expires within this long is worth a line. */
export const EXPIRY_NOTICE_DAYS = 7;

/** `Key expires 2026-03-14 12:00 UTC (in 3 days)` when that is within a week; undefined otherwise. */
export function expirySentence(report: Report): string | undefined {
  const { expiresAt } = report.key;
  if (!expiresAt) return undefined;
  const left = Date.parse(expiresAt) - Date.parse(report.fetchedAt);
  if (left > EXPIRY_NOTICE_DAYS * DAY_MS) return undefined;
  const when = `${expiresAt.slice(0, 10)} ${expiresAt.slice(11, 16)} UTC`;
  if (left <= 0) return `Key expired ${when}`;
  const hours = Math.ceil(left / 3_600_000);
  const inWords = hours < 48 ? `${hours} h` : `${Math.floor(left / DAY_MS)} days`;
  return `Key expires ${when} (in ${inWords})`;
}

/** A free-tier key's allowance of free-model requests today: `Free models: 997 of 1,000 requests left today (UTC)`. */
export function freeModelsSentence(report: Report): string | undefined {
  const quota = report.key.freeModelRequests;
  if (!report.key.isFreeTier || !quota) return undefined;
  return `Free models: ${formatCount(Math.max(0, quota.remaining))} of ${formatCount(quota.limit)} requests left today (UTC)`;
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
