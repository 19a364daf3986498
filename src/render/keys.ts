import type { ChalkInstance } from 'chalk';
import { formatUsd } from '../format.js';
import type { KeysReport } from '../keys-report.js';
import { droppedNote, fitLines, fitTable } from './table.js';

export function renderKeysText(report: KeysReport, options: { chalk: ChalkInstance; width?: number | undefined }): string {
  const { chalk } = options;
  const hidden = report.hiddenDisabled > 0 ? `, ${report.hiddenDisabled} disabled hidden (--include-disabled)` : '';
  const lines = [chalk.bold(`🔑 OpenRouter Keys${report.demo ? ' (demo data)' : ''}`) + chalk.dim(` ${report.totals.keys} listed${hidden}`)];
  if (report.keys.length === 0) {
    lines.push(chalk.dim('No keys to list.'));
    return `${fitLines(lines, options.width).join('\n')}\n`;
  }
  const rows = [
    ...report.keys.map((k) => ({
      name: `${k.name ?? '(unnamed)'}${k.disabled ? ' (disabled)' : ''}`,
      label: k.label ?? '-',
      today: formatUsd(k.usage.today),
      week: formatUsd(k.usage.week),
      month: formatUsd(k.usage.month),
      limit: k.limit === null ? '-' : formatUsd(k.limit),
      left: k.limitRemaining === null ? '-' : formatUsd(k.limitRemaining),
      reset: k.limitReset ?? '',
    })),
    {
      name: `total (${report.totals.keys} key${report.totals.keys === 1 ? '' : 's'})`,
      label: '',
      today: formatUsd(report.totals.usage.today),
      week: formatUsd(report.totals.usage.week),
      month: formatUsd(report.totals.usage.month),
      limit: '',
      left: '',
      reset: '',
    },
  ];
  const column = (header: string, pick: (r: (typeof rows)[number]) => string, align: 'left' | 'right', priority: number) => ({
    header,
    cells: rows.map(pick),
    align,
    priority,
  });
  const table = fitTable(
    [
      column('name', (r) => r.name, 'left', 99),
      column('label', (r) => r.label, 'left', 50),
      column('today', (r) => r.today, 'right', 80),
      column('week', (r) => r.week, 'right', 70),
      column('month', (r) => r.month, 'right', 90),
      column('limit', (r) => r.limit, 'right', 60),
      column('left', (r) => r.left, 'right', 65),
      column('resets', (r) => r.reset, 'left', 40),
    ],
    options.width,
  );
  const [header, ...body] = table.lines;
  const total = body.pop()!;
  lines.push(chalk.dim(header!), ...body, chalk.bold(total));
  const note = droppedNote(table.dropped);
  if (note) lines.push(chalk.dim(note));
  lines.push(chalk.dim('Live counters of each key, UTC day / week (Monday to Sunday) / month; sorted by month spend.'));
  return `${fitLines(lines, options.width).join('\n')}\n`;
}
