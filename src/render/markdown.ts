import { topAndRest } from '../model/breakdown.js';
import type { GroupBy } from '../base/options.js';
import { formatCount, formatUsd } from '../base/money.js';
import { expirySentence, freeModelsSentence, gapSentence, groupNoun, groupTitle, moreLabel } from './sentences.js';
import type { KeysReport } from '../model/keys-report.js';
import { displayNames, type Report } from '../model/report.js';
import { markdownText as md } from '../safety/sanitize.js';

/*
 * Every string from outside (names, labels, how a cap resets) passes through `md` where it is
 * printed: one line, and no character that could open a link, an image, HTML, code, emphasis or a
 * table cell. The tool's own text (figures, headings) needs no escaping.
 */

/** A name that is nothing but controls or escapes is still a row: say so rather than print a blank. */
function mdName(name: string): string {
  return md(name) || '(no printable name)';
}

/**
 * A table cell of the tool's own text, or of text already passed through `md` (whose pipes are
 * escaped already: escaping them again would turn `\|` into a backslash and a live boundary). A pipe
 * left bare is escaped here as a safety net, and line breaks would end the row.
 */
function cell(text: string): string {
  return text.replace(/(?<!\\)\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

const HEADERS: Record<GroupBy, string> = {
  model: 'Model',
  provider: 'Provider',
  key: 'Key',
  workspace: 'Workspace',
  day: 'Day',
  week: 'Week of',
  month: 'Month',
  hour: 'Hour (UTC)',
};

/** Headings and tables that render in chat apps and agent transcripts. */
export function renderMarkdown(report: Report, options: { top: number; by?: GroupBy; fullNames?: boolean } = { top: 8 }): string {
  const lines: string[] = [`## 💰 OpenRouter Usage${report.demo ? ' (demo data)' : ''}`, ''];

  const totalsRows: string[][] = [];
  if (report.key.usage) totalsRows.push(['This key', formatUsd(report.key.usage.today), formatUsd(report.key.usage.week), formatUsd(report.key.usage.month)]);
  if (report.account.status === 'ok') {
    const { usage, keys, coverage, workspace, workspaces, source } = report.account.value;
    const spaces = workspaces && workspaces.length > 1 ? ` in ${workspaces.length} workspaces` : '';
    const label =
      source === 'analytics'
        ? 'Account (all keys)'
        : coverage === 'workspace' && workspace
          ? `Workspace ${md(workspace.name)} (${keys} keys)`
          : coverage === 'default-workspace'
            ? `Account, default workspace only (${keys} keys)`
            : `Account (${keys} keys${spaces})`;
    totalsRows.push([label, formatUsd(usage.today), formatUsd(usage.week), formatUsd(usage.month)]);
  }
  const live = report.breakdown.status === 'ok' && report.breakdown.value.source === 'analytics';
  if (totalsRows.length > 0) lines.push(...table(['Live spend (UTC)', live ? 'Today' : 'Today*', 'Week', 'Month'], ['l', 'r', 'r', 'r'], totalsRows), '');
  else lines.push('Live totals need an inference key in `OPENROUTER_API_KEY` (this one is a management key).', '');

  const money: string[] = [];
  if (report.credits.status === 'ok') money.push(`**Balance:** ${formatUsd(report.credits.value.remaining)} of ${formatUsd(report.credits.value.total)}`);
  // With a note, the answer was no balance (a warning says why): no Balance entry at all.
  else if (report.credits.status === 'needs-management-key') {
    if (!report.credits.note) money.push('**Balance:** needs `OPENROUTER_MGMT_KEY` (a management key)');
  } else money.push('**Balance:** unavailable (/credits failed)');
  if (report.key.limit !== null) {
    money.push(
      `**Key limit:** ${report.key.limitRemaining === null ? '' : `${formatUsd(report.key.limitRemaining)} left of `}${formatUsd(report.key.limit)}${report.key.limitReset ? `, resets ${md(report.key.limitReset)}` : ''}`,
    );
  }
  if (report.forecast) money.push(`**Month:** ${formatUsd(report.forecast.monthToDate)}, on pace for ${formatUsd(report.forecast.projectedMonth)}`);
  if (report.runway?.basis === 'credits') money.push(`**Runway:** about ${report.runway.days} days (until ${report.runway.until})`);
  if (money.length > 0) lines.push(money.join(' · '), '');
  for (const notice of [expirySentence(report), freeModelsSentence(report)]) if (notice) lines.push(`**${notice}**`, '');

  const by = options.by ?? 'model';
  const title = groupNoun(by, 2);
  const b = report.breakdown;
  if (b.status === 'ok') {
    const v = b.value;
    const span =
      v.source === 'analytics'
        ? `${v.from} to ${v.to}${v.to === report.fetchedAt.slice(0, 10) ? ', today included, live' : ''}`
        : `${v.days} completed UTC days`;
    const heading = v.source === 'analytics' ? groupTitle(by) : `Recent ${title}`;
    const whose = v.scope === 'key' ? 'this key' : v.workspace ? `workspace ${md(v.workspace.name)}` : 'whole account';
    lines.push(`### ${heading} (${span}, ${whose})`, '');
    const names = displayNames(v.models.map((m) => m.model));
    const items: { name: string; usage: number; requests: number }[] = v.groups
      ? v.groups.items.map((i) => ({ ...i, name: mdName(i.name) }))
      : by === 'day'
        ? v.daily.map((d) => ({ ...d, name: d.date }))
        : by === 'workspace'
          ? (v.workspaces ?? []).map((w) => ({ ...w, name: mdName(w.workspace.name) }))
          : by === 'provider'
            ? v.providers.map((p) => ({ ...p, name: mdName(p.provider) }))
            : v.models.map((m) => ({ ...m, name: mdName(options.fullNames ? m.model : (names.get(m.model) ?? m.model)) }));
    // Every day (and every time bucket) of the window is listed, as in text: --top picks among names.
    const timeline = by === 'day' || (v.groups !== undefined && v.groups !== null && v.groups.by !== 'key' && v.groups.by !== 'workspace');
    const { shown, rest } = topAndRest(items, timeline ? 0 : options.top);
    const rows = shown.map((i) => [i.name, formatUsd(i.usage), formatCount(i.requests)]);
    if (rest) rows.push([`_${moreLabel(rest.count, by)}_`, `_${formatUsd(rest.usage)}_`, `_${formatCount(rest.requests)}_`]);
    if (v.models.length === 0) lines.push(`No activity from ${v.from} to ${v.to}.`, '');
    else lines.push(...table([HEADERS[by], 'Spend', 'Requests'], ['l', 'r', 'r'], rows), '');
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
  if (report.account.status === 'ok' && report.account.value.coverage === 'default-workspace') {
    lines.push('_Account totals cover the default workspace only: this account has no `/workspaces` to list the others._', '');
  }
  if (report.key.isManagementKey && report.account.status === 'ok') {
    lines.push("_This key's own live totals need an inference key in `OPENROUTER_API_KEY`; a management key spends nothing itself._", '');
  }
  if (!live) lines.push('_\\* Live totals may not yet appear in the breakdown, which holds completed UTC days only._');
  return `${lines.join('\n')}\n`;
}

export function renderKeysMarkdown(report: KeysReport): string {
  const byWorkspace = report.byWorkspace && report.workspaces !== null;
  const keyRow = (k: KeysReport['keys'][number]): string[] => [
    `${k.name === null ? '(unnamed)' : mdName(k.name)}${k.disabled ? ' (disabled)' : ''}`,
    ...(byWorkspace ? [k.workspace ? md(k.workspace.name) : ''] : []),
    k.label === null ? '' : md(k.label),
    formatUsd(k.usage.today),
    formatUsd(k.usage.week),
    formatUsd(k.usage.month),
    k.limit === null ? '' : `${k.limitRemaining === null ? '' : `${formatUsd(k.limitRemaining)} of `}${formatUsd(k.limit)}`,
  ];
  const sumRow = (name: string, usage: { today: number; week: number; month: number }): string[] => [
    name,
    ...(byWorkspace ? [''] : []),
    '',
    formatUsd(usage.today),
    formatUsd(usage.week),
    formatUsd(usage.month),
    '',
  ];
  const rows: string[][] = [];
  if (byWorkspace) {
    for (const workspace of report.workspaces!) {
      const own = report.keys.filter((k) => k.workspace?.id === workspace.id);
      if (own.length === 0) continue;
      rows.push(...own.map(keyRow), sumRow(`_${md(workspace.name)} (${workspace.keys})_`, workspace.usage));
    }
    rows.push(...report.keys.filter((k) => !report.workspaces!.some((w) => w.id === k.workspace?.id)).map(keyRow));
  } else {
    rows.push(...report.keys.map(keyRow));
  }
  rows.push(sumRow(`**Total (${report.totals.keys})**`, report.totals.usage));
  const header = ['Name', ...(byWorkspace ? ['Workspace'] : []), 'Label', 'Today', 'Week', 'Month', 'Limit'];
  const align: ('l' | 'r')[] = ['l', ...(byWorkspace ? (['l'] as const) : []), 'l', 'r', 'r', 'r', 'r'];
  const title = `## 🔑 OpenRouter Keys${report.demo ? ' (demo data)' : ''}${report.workspace ? ` (workspace ${md(report.workspace.name)})` : ''}`;
  return `${[title, '', ...table(header, align, rows)].join('\n')}\n`;
}
