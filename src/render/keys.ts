import type { ChalkInstance } from 'chalk';
import { formatUsd } from '../base/money.js';
import type { KeyRow, KeysReport } from '../model/keys-report.js';
import type { Totals } from '../model/report.js';
import { sanitize } from '../safety/sanitize.js';
import { droppedNote, fitLines, fitTable } from './table.js';

interface Line {
  kind: 'key' | 'subtotal' | 'total';
  workspace: string;
  name: string;
  label: string;
  today: string;
  week: string;
  month: string;
  limit: string;
  left: string;
  reset: string;
}

const plural = (n: number) => `${n} key${n === 1 ? '' : 's'}`;

export function renderKeysText(report: KeysReport, options: { chalk: ChalkInstance; width?: number | undefined }): string {
  const { chalk } = options;
  const hidden = report.hiddenDisabled > 0 ? `, ${report.hiddenDisabled} disabled hidden (--include-disabled)` : '';
  const where = report.workspace ? ` in workspace ${sanitize(report.workspace.name, 80)}` : '';
  const lines = [chalk.bold(`🔑 OpenRouter Keys${report.demo ? ' (demo data)' : ''}`) + chalk.dim(` ${report.totals.keys} listed${where}${hidden}`)];
  if (report.keys.length === 0) {
    lines.push(chalk.dim('No keys to list.'));
    return `${fitLines(lines, options.width).join('\n')}\n`;
  }
  const rows = keyLines(report);
  const column = (header: string, pick: (r: Line) => string, align: 'left' | 'right', priority: number) => ({
    header,
    cells: rows.map(pick),
    align,
    priority,
  });
  const columns = [
    column('name', (r) => r.name, 'left', 99),
    column('label', (r) => r.label, 'left', 50),
    column('today', (r) => r.today, 'right', 80),
    column('week', (r) => r.week, 'right', 70),
    column('month', (r) => r.month, 'right', 90),
    column('limit', (r) => r.limit, 'right', 60),
    column('left', (r) => r.left, 'right', 65),
    column('resets', (r) => r.reset, 'left', 40),
  ];
  if (report.byWorkspace)
    columns.splice(
      1,
      0,
      column('workspace', (r) => r.workspace, 'left', 85),
    );
  const table = fitTable(columns, options.width);
  const [header, ...body] = table.lines;
  lines.push(chalk.dim(header!));
  body.forEach((line, i) => {
    const kind = rows[i]!.kind;
    lines.push(kind === 'total' ? chalk.bold(line) : kind === 'subtotal' ? chalk.dim(line) : line);
  });
  const note = droppedNote(table.dropped);
  if (note) lines.push(chalk.dim(note));
  const sorted = report.byWorkspace ? 'grouped by workspace, sorted by month spend' : 'sorted by month spend';
  lines.push(chalk.dim(`Live counters of each key, UTC day / week (Monday to Sunday) / month; ${sorted}.`));
  return `${fitLines(lines, options.width).join('\n')}\n`;
}

/** Each key, then (by workspace) a subtotal after each workspace's keys, then the grand total. */
function keyLines(report: KeysReport): Line[] {
  const sums = (kind: Line['kind'], name: string, usage: Totals): Line => ({
    kind,
    workspace: '',
    name,
    label: '',
    today: formatUsd(usage.today),
    week: formatUsd(usage.week),
    month: formatUsd(usage.month),
    limit: '',
    left: '',
    reset: '',
  });
  const keyLine = (k: KeyRow): Line => ({
    kind: 'key',
    workspace: k.workspace ? sanitize(k.workspace.name, 80) : '-',
    name: `${k.name === null ? '(unnamed)' : sanitize(k.name, 200) || '(no printable name)'}${k.disabled ? ' (disabled)' : ''}`,
    label: sanitize(k.label ?? '-', 80),
    today: formatUsd(k.usage.today),
    week: formatUsd(k.usage.week),
    month: formatUsd(k.usage.month),
    limit: k.limit === null ? '-' : formatUsd(k.limit),
    left: k.limitRemaining === null ? '-' : formatUsd(k.limitRemaining),
    reset: sanitize(k.limitReset ?? '', 40),
  });
  const lines: Line[] = [];
  if (report.byWorkspace && report.workspaces) {
    for (const workspace of report.workspaces) {
      const own = report.keys.filter((k) => k.workspace?.id === workspace.id);
      if (own.length === 0) continue;
      lines.push(...own.map(keyLine), sums('subtotal', `${sanitize(workspace.name, 80)} (${plural(workspace.keys)})`, workspace.usage));
    }
    // A key whose workspace is unknown still counts in the total, so it is listed too.
    lines.push(...report.keys.filter((k) => !report.workspaces!.some((w) => w.id === k.workspace?.id)).map(keyLine));
  } else {
    lines.push(...report.keys.map(keyLine));
  }
  const spaces = report.byWorkspace && report.workspaces ? `, ${report.workspaces.length} workspaces` : '';
  lines.push(sums('total', `total (${plural(report.totals.keys)}${spaces})`, report.totals.usage));
  return lines;
}
