import { HALF_CENT, cleanSum } from '../base/money.js';

export interface Discrepancy {
  /** The live month total the report shows (this key's, or the account's). */
  month: number;
  monthScope: 'key' | 'account';
  /** /activity's spend over the completed UTC days of this month, whatever --days is. */
  breakdownMonth: number;
  /** The days that sum covers: the first of the month to yesterday (UTC); `to` is null on the 1st. */
  from: string;
  to: string | null;
  breakdownScope: 'key' | 'account';
  /** month − breakdownMonth. */
  gap: number;
  /** Today's live spend, in the month total but not yet in the breakdown. */
  today: number;
  /** Spend of other keys inside an account-wide breakdown, when the month total is one key's. */
  otherKeys: number | null;
  /** What neither explains (keys deleted this month drop out of live totals, for one). */
  unexplained: number;
  /** With --workspace: the workspace both sides are limited to (monthScope is then `account`). */
  workspace?: string;
}

/**
 * Explains why the live Month total and the breakdown's days of this month differ, in dollars,
 * so nobody has to guess: today's spend is live at once but reaches /activity after UTC midnight,
 * and an account-wide breakdown also holds other keys' spend.
 */
export function explainGap(input: {
  month: number;
  today: number;
  monthScope: 'key' | 'account';
  breakdownMonth: number;
  breakdownScope: 'key' | 'account';
  from: string;
  to: string | null;
}): Discrepancy | undefined {
  const { month, today, monthScope, breakdownMonth, breakdownScope, from, to } = input;
  const gap = cleanSum(month - breakdownMonth);
  if (Math.abs(gap) < HALF_CENT) return undefined;

  const completedLive = cleanSum(month - today);
  const otherKeys = monthScope === 'key' && breakdownScope === 'account' ? cleanSum(Math.max(0, breakdownMonth - completedLive)) : null;
  const unexplained = cleanSum(completedLive - breakdownMonth + (otherKeys ?? 0));

  return { month, monthScope, breakdownMonth, from, to, breakdownScope, gap, today, otherKeys, unexplained };
}
