import { formatCount, formatUsd } from '../format.js';
import { expirySentence, freeModelsSentence, gapSentence, moreLabel } from './sentences.js';
import type { KeysReport } from '../keys-report.js';
import { displayNames, type Report } from '../report.js';

/** A table cell: pipes and line breaks would end the cell or the row. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/** Headings and tables that render in chat apps and agent transcripts. */
export function renderMarkdown(report: Report, options: { top: number; by?: 'model' | 'provider' | 'day'; fullNames?: boolean } = { top: 8 }): string {
  const lines: string[] = [`## 💰 OpenRouter Usage${report.demo ? ' (demo data)' : ''}`, ''];

  const totalsRows: string[][] = [];
  if (report.key.usage) totalsRows.push(['This key', formatUsd(report.key.usage.today), formatUsd(report.key.usage.week), formatUsd(report.key.usage.month)]);
  if (report.account.status === 'ok') {
    const { usage, keys } = report.account.value;
    totalsRows.push([`Account (${keys} keys)`, formatUsd(usage.today), formatUsd(usage.week), formatUsd(usage.month)]);
  }
  if (totalsRows.length > 0) lines.push(...table(['Live spend (UTC)', 'Today*', 'Week', 'Month'], ['l', 'r', 'r', 'r'], totalsRows), '');
  else lines.push('Live totals need an inference key in `OPENROUTER_API_KEY` (this one is a management key).', '');

  const money: string[] = [];
  if (report.credits.status === 'ok') money.push(`**Balance:** ${formatUsd(report.credits.value.remaining)} of ${formatUsd(report.credits.value.total)}`);
  else if (report.credits.status === 'needs-management-key') money.push('**Balance:** needs `OPENROUTER_MGMT_KEY`');
  else money.push('**Balance:** unavailable (/credits failed)');
  if (report.key.limit !== null) {
    money.push(
      `**Key limit:** ${report.key.limitRemaining === null ? '' : `${formatUsd(report.key.limitRemaining)} left of `}${formatUsd(report.key.limit)}${report.key.limitReset ? `, resets ${report.key.limitReset}` : ''}`,
    );
  }
  if (report.runway?.basis === 'credits') money.push(`**Runway:** about ${report.runway.days} days (until ${report.runway.until})`);
  lines.push(money.join(' · '), '');
  for (const notice of [expirySentence(report), freeModelsSentence(report)]) if (notice) lines.push(`**${notice}**`, '');

  const by = options.by ?? 'model';
  const title = { model: 'models', provider: 'providers', day: 'days' }[by];
  const b = report.breakdown;
  if (b.status === 'ok') {
    const v = b.value;
    lines.push(`### Recent ${title} (${v.days} completed UTC days, ${v.scope === 'key' ? 'this key' : 'whole account'})`, '');
    const names = displayNames(v.models.map((m) => m.model));
    const items =
      by === 'day'
        ? v.daily.map((d) => ({ ...d, name: d.date }))
        : by === 'provider'
          ? v.providers.map((p) => ({ ...p, name: p.provider }))
          : v.models.map((m) => ({ ...m, name: options.fullNames ? m.model : (names.get(m.model) ?? m.model) }));
    // Every day of the window is listed, as in text: --top picks among models and providers.
    const shown = by === 'day' || options.top === 0 ? items : items.slice(0, options.top);
    const rows = shown.map((i) => [i.name, formatUsd(i.usage), formatCount(i.requests)]);
    const rest = items.slice(shown.length);
    if (rest.length > 0) {
      const usage = rest.reduce((sum, i) => sum + i.usage, 0);
      const requests = rest.reduce((sum, i) => sum + i.requests, 0);
      rows.push([`_${moreLabel(rest.length, by)}_`, `_${formatUsd(usage)}_`, `_${formatCount(requests)}_`]);
    }
    if (v.models.length === 0) lines.push(`No activity from ${v.from} to ${v.to}.`, '');
    else lines.push(...table([by === 'day' ? 'Day' : by === 'provider' ? 'Provider' : 'Model', 'Spend', 'Requests'], ['l', 'r', 'r'], rows), '');
    if (v.days > 1 && v.models.length > 0)
      lines.push(`Daily average ${formatUsd(v.trend.average)} (min ${formatUsd(v.trend.min)}, max ${formatUsd(v.trend.max)})`, '');
  } else {
    lines.push(
      b.status === 'needs-management-key'
        ? `The breakdown needs \`OPENROUTER_MGMT_KEY\` (a management key).`
        : 'The breakdown is unavailable (/activity failed).',
      '',
    );
  }

  if (report.discrepancy) lines.push(`_${gapSentence(report.discrepancy)}_`, '');
  lines.push('_\\* Live totals may not yet appear in the breakdown, which holds completed UTC days only._');
  return `${lines.join('\n')}\n`;
}

export function renderKeysMarkdown(report: KeysReport): string {
  const rows = report.keys.map((k) => [
    `${k.name ?? '(unnamed)'}${k.disabled ? ' (disabled)' : ''}`,
    k.label ?? '',
    formatUsd(k.usage.today),
    formatUsd(k.usage.week),
    formatUsd(k.usage.month),
    k.limit === null ? '' : `${k.limitRemaining === null ? '' : `${formatUsd(k.limitRemaining)} of `}${formatUsd(k.limit)}`,
  ]);
  rows.push([
    `**Total (${report.totals.keys})**`,
    '',
    formatUsd(report.totals.usage.today),
    formatUsd(report.totals.usage.week),
    formatUsd(report.totals.usage.month),
    '',
  ]);
  return `${[`## 🔑 OpenRouter Keys${report.demo ? ' (demo data)' : ''}`, '', ...table(['Name', 'Label', 'Today', 'Week', 'Month', 'Limit'], ['l', 'l', 'r', 'r', 'r', 'r'], rows)].join('\n')}\n`;
}
