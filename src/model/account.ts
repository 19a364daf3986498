import type { KeyData, KeyListItem } from '../api/schemas.js';
import { cleanSum } from '../base/money.js';

export interface AccountTotals {
  /** Sum of every listed key's live counters: the account's spend, as far as /keys can tell. */
  usage: { today: number; week: number; month: number };
  byokUsage: { today: number; week: number; month: number };
  keys: number;
  disabledKeys: number;
  /** Where the totals come from: the sum over /keys (the default), or the analytics API (every key, deleted ones too). */
  source?: 'keys' | 'analytics';
  /** With analytics: the sum over /keys beside it, a cross-check (null when /keys failed). */
  listedKeys?: { today: number; week: number; month: number } | null;
}

/**
 * Disabled keys count: their spend this period is still spend. Keys deleted during the period are
 * no longer listed, so their spend is missing here; the report says so.
 */
export function accountTotals(keys: readonly KeyListItem[]): AccountTotals {
  return { ...liveSums(keys), keys: keys.length, disabledKeys: keys.filter((k) => k.disabled === true).length };
}

/** The live counters of some keys added up (a BYOK counter a key lacks adds nothing). */
function liveSums(keys: readonly KeyListItem[]): Pick<AccountTotals, 'usage' | 'byokUsage'> {
  const sum = (pick: (key: KeyListItem) => number | null | undefined): number => cleanSum(keys.reduce((total, key) => total + (pick(key) ?? 0), 0));
  return {
    usage: { today: sum((k) => k.usage_daily), week: sum((k) => k.usage_weekly), month: sum((k) => k.usage_monthly) },
    byokUsage: { today: sum((k) => k.byok_usage_daily), week: sum((k) => k.byok_usage_weekly), month: sum((k) => k.byok_usage_monthly) },
  };
}

/** One key's BYOK counters; they are optional in the API, and without all four there is no honest total to give. */
export function byokTotals(key: Pick<KeyData, 'byok_usage' | 'byok_usage_daily' | 'byok_usage_weekly' | 'byok_usage_monthly'>): {
  today: number;
  week: number;
  month: number;
  total: number;
} | null {
  const { byok_usage: total, byok_usage_daily: today, byok_usage_weekly: week, byok_usage_monthly: month } = key;
  if (total == null || today == null || week == null || month == null) return null;
  return { today, week, month, total };
}
