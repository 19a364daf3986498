import type { AccountTotals } from '../insights/account.js';
import type { Alert } from '../insights/alerts.js';
import type { DailyItem, ModelItem, ProviderItem } from '../insights/breakdown.js';
import type { Discrepancy } from '../insights/discrepancy.js';
import type { Runway } from '../insights/runway.js';
import type { Report, Warning } from '../report.js';

/**
 * The --json document: a contract for scripts (README, "JSON output"). Add fields, never rename or
 * remove one, without raising schemaVersion. Money is unrounded USD; rounding is the reader's choice.
 */
export interface JsonDocument {
  schemaVersion: 1;
  generatedAt: string;
  fetchedAt: string;
  demo: boolean;
  key: Report['key'];
  /** Sum of every key's live counters (/keys); null without a management key or when /keys failed. */
  account: AccountTotals | null;
  credits: { total: number; used: number; remaining: number } | null;
  models: { days: number; from: string; to: string; scope: 'account' | 'key'; items: ModelItem[] } | null;
  providers: ProviderItem[] | null;
  daily: DailyItem[] | null;
  trend: { min: number; max: number; average: number } | null;
  runway: Runway | null;
  discrepancy: Discrepancy | null;
  utcDayEndsAt: string;
  alerts: Alert[];
  warnings: Warning[];
}

export function toJsonDocument(report: Report): JsonDocument {
  const breakdown = report.breakdown.status === 'ok' ? report.breakdown.value : null;
  return {
    schemaVersion: 1,
    generatedAt: report.generatedAt,
    fetchedAt: report.fetchedAt,
    demo: report.demo,
    key: report.key,
    account: report.account.status === 'ok' ? report.account.value : null,
    credits: report.credits.status === 'ok' ? report.credits.value : null,
    models: breakdown && { days: breakdown.days, from: breakdown.from, to: breakdown.to, scope: breakdown.scope, items: breakdown.models },
    providers: breakdown && breakdown.providers,
    daily: breakdown && breakdown.daily,
    trend: breakdown && breakdown.trend,
    runway: report.runway,
    discrepancy: report.discrepancy,
    utcDayEndsAt: report.utcDayEndsAt,
    alerts: report.alerts,
    warnings: report.warnings,
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(toJsonDocument(report), null, 2)}\n`;
}
