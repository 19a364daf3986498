import type { KeyListItem } from './api/schemas.js';
import { CliError } from './errors.js';
import { cleanSum } from './format.js';
import type { Totals, Warning } from './report.js';

export interface KeyRow {
  hash: string;
  name: string | null;
  label: string | null;
  disabled: boolean;
  usage: Totals;
  byokUsage: Totals | null;
  limit: number | null;
  limitRemaining: number | null;
  limitReset: string | null;
}

export interface KeysReport {
  demo: boolean;
  generatedAt: string;
  includeDisabled: boolean;
  /** Highest month spend first. */
  keys: KeyRow[];
  /** Sum over the listed keys. */
  totals: { keys: number; usage: Totals };
  /** Disabled keys left out of `keys` (without --include-disabled). */
  hiddenDisabled: number;
  warnings: Warning[];
}

export function buildKeysReport(
  items: readonly KeyListItem[],
  options: { includeDisabled: boolean; now: Date; demo: boolean; warnings: Warning[] },
): KeysReport {
  const rows = items.map(toRow);
  const listed = options.includeDisabled ? rows : rows.filter((row) => !row.disabled);
  listed.sort((a, b) => b.usage.month - a.usage.month || b.usage.today - a.usage.today || (a.name ?? '').localeCompare(b.name ?? ''));
  const sum = (pick: (t: Totals) => number, field: string) => {
    const total = cleanSum(listed.reduce((subtotal, row) => subtotal + pick(row.usage), 0));
    if (!Number.isFinite(total)) {
      throw new CliError('invalid-response', `/keys: invalid response: the keys' ${field} add up to more than a number can hold`, { endpoint: '/keys' });
    }
    return total;
  };
  return {
    demo: options.demo,
    generatedAt: options.now.toISOString(),
    includeDisabled: options.includeDisabled,
    keys: listed,
    totals: {
      keys: listed.length,
      usage: {
        today: sum((t) => t.today, 'usage_daily'),
        week: sum((t) => t.week, 'usage_weekly'),
        month: sum((t) => t.month, 'usage_monthly'),
        total: sum((t) => t.total, 'usage'),
      },
    },
    hiddenDisabled: rows.length - listed.length,
    warnings: options.warnings,
  };
}

function toRow(item: KeyListItem): KeyRow {
  const { byok_usage: total, byok_usage_daily: today, byok_usage_weekly: week, byok_usage_monthly: month } = item;
  return {
    hash: item.hash,
    name: item.name ?? null,
    label: item.label ?? null,
    disabled: item.disabled === true,
    usage: { today: item.usage_daily, week: item.usage_weekly, month: item.usage_monthly, total: item.usage },
    byokUsage: total == null || today == null || week == null || month == null ? null : { today, week, month, total },
    limit: item.limit ?? null,
    limitRemaining: item.limit_remaining ?? null,
    limitReset: item.limit_reset ?? null,
  };
}
