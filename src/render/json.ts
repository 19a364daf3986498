import type { ModelItem, Report, Totals, Warning } from '../report.js';

/**
 * The --json document: a contract for scripts (README, "JSON output"). Add fields, never rename or
 * remove one, without raising schemaVersion. Money is unrounded USD; rounding is the reader's choice.
 */
export interface JsonDocument {
  schemaVersion: 1;
  generatedAt: string;
  demo: boolean;
  key: {
    label: string | null;
    isManagementKey: boolean;
    isFreeTier: boolean;
    usage: Totals | null;
    byokUsage: Totals | null;
    limit: number | null;
    limitRemaining: number | null;
    limitReset: string | null;
  };
  credits: { total: number; used: number; remaining: number } | null;
  models: { days: number; from: string; to: string; items: ModelItem[] } | null;
  warnings: Warning[];
}

export function toJsonDocument(report: Report): JsonDocument {
  return {
    schemaVersion: 1,
    generatedAt: report.generatedAt,
    demo: report.demo,
    key: report.key,
    credits: report.credits.status === 'ok' ? report.credits.value : null,
    models: report.models.status === 'ok' ? report.models.value : null,
    warnings: report.warnings,
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(toJsonDocument(report), null, 2)}\n`;
}
