import type { Totals } from '../model/breakdown.js';
import { topAndRest } from '../model/breakdown.js';
import { money, ratio } from './json-contract.js';
import type { GroupBy } from '../base/options.js';
import type { KeysReport } from '../model/keys-report.js';
import type { Report } from '../model/report.js';
import { csvCell } from '../safety/sanitize.js';
import { moreLabel } from './sentences.js';

/**
 * RFC 4180, lines ending in CRLF; every cell through `csvCell`: sanitised, quoted when it must be,
 * and a string a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) prefixed with `'`.
 */
function csv(rows: (string | number | boolean | null)[][]): string {
  return rows.map((row) => row.map((value) => csvCell(value)).join(',')).join('\r\n') + '\r\n';
}

const TOTALS = ['usage', 'byok_usage', 'requests', 'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'usd_per_million_tokens'];

/**
 * The breakdown for spreadsheets, grouped as --by says, with the JSON's numbers (money to 1e-9): every row, or with
 * `top` (--top given) that many and one row for the rest (`12 more models`), so the column still adds
 * up to the whole. Days are always listed whole. Without a breakdown (no management key, /activity
 * failed) only the header is printed; stderr says why.
 */
export function renderCsv(report: Report, by: GroupBy = 'model', top = 0): string {
  const b = report.breakdown.status === 'ok' ? report.breakdown.value : undefined;
  // Keys, weeks, months and hours, and workspaces through analytics: the breakdown's own grouping.
  if (b?.groups?.by === by || by === 'key' || by === 'week' || by === 'month' || by === 'hour') {
    const items = b?.groups?.by === by ? b.groups.items : [];
    return csv([
      [by, ...TOTALS],
      ...items.map((i) => [i.name, i.usage, i.byokUsage, i.requests, i.promptTokens, i.completionTokens, i.reasoningTokens, i.usdPerMillionTokens]),
    ]);
  }
  if (by === 'day') {
    return csv([['date', 'usage', 'requests'], ...(b?.daily ?? []).map((d) => [d.date, money(d.usage), d.requests])]);
  }
  if (by === 'workspace') {
    return csv([
      ['workspace', 'workspace_id', ...TOTALS],
      ...(b?.workspaces ?? []).map((w) => [
        w.workspace.name,
        w.workspace.id,
        w.usage,
        w.byokUsage,
        w.requests,
        w.promptTokens,
        w.completionTokens,
        w.reasoningTokens,
        w.usdPerMillionTokens,
      ]),
    ]);
  }
  const items: (Totals & { name: string })[] =
    by === 'provider' ? (b?.providers ?? []).map((p) => ({ ...p, name: p.provider })) : (b?.models ?? []).map((m) => ({ ...m, name: m.model }));
  const { shown, rest } = topAndRest(items, top);
  const perMillion = (value: number | null) => (value === null ? null : ratio(value));
  const rows = shown.map((i) => [
    i.name,
    money(i.usage),
    money(i.byokUsage),
    i.requests,
    i.promptTokens,
    i.completionTokens,
    i.reasoningTokens,
    perMillion(i.usdPerMillionTokens),
  ]);
  if (rest) {
    rows.push([
      moreLabel(rest.count, by),
      money(rest.usage),
      money(rest.byokUsage),
      rest.requests,
      rest.promptTokens,
      rest.completionTokens,
      rest.reasoningTokens,
      perMillion(rest.usdPerMillionTokens),
    ]);
  }
  return csv([[by, ...TOTALS], ...rows]);
}

export function renderKeysCsv(report: KeysReport): string {
  return csv([
    ['name', 'label', 'hash', 'disabled', 'today', 'week', 'month', 'total', 'limit', 'limit_remaining', 'limit_reset', 'workspace', 'workspace_id'],
    ...report.keys.map((k) => [
      k.name,
      k.label,
      k.hash,
      k.disabled,
      k.usage.today,
      k.usage.week,
      k.usage.month,
      k.usage.total,
      k.limit,
      k.limitRemaining,
      k.limitReset,
      k.workspace?.name ?? null,
      k.workspace?.id ?? null,
    ]),
  ]);
}
