import { topAndRest } from '../model/breakdown.js';
import type { GroupBy } from '../base/options.js';
import type { ChalkInstance } from 'chalk';
import { formatCount, formatUsd } from '../base/money.js';
import { crossCheckSentence, expirySentence, freeModelsSentence, gapNote, gapSentence, groupTitle, moreLabel } from './sentences.js';
import type { Totals as GroupTotals } from '../model/breakdown.js';
import type { Runway } from '../model/runway.js';
import { describeUtcDayEnd, type UtcOffset } from '../base/time.js';
import { displayNames, type AccountSection, type Report, type ReportBreakdown } from '../model/report.js';
import { sanitize } from '../safety/sanitize.js';
import { droppedNote, fitLines, fitTable, sparkline, type Column } from './table.js';

export interface TextOptions {
  /** Rows listed before the rest are summed into one line; 0 lists all. */
  top: number;
  chalk: ChalkInstance;
  /** What the breakdown groups by. */
  by?: GroupBy;
  /** A table with tokens and $ per million tokens instead of the short list. */
  details?: boolean;
  /** Full model ids instead of the part after the last `/`. */
  fullNames?: boolean;
  /** Terminal width: no line is wider. Undefined: no limit (the CLI always gives one, 80 when unknown). */
  width?: number | undefined;
  /** The reader's clock, for when the UTC day ends; UTC when not given. */
  utcOffset?: UtcOffset | undefined;
  /** The fine print too: the scope of each figure, the UTC reset, how account totals are made, the month gap. */
  explain?: boolean | undefined;
}

/* Every string from outside (a server's names and labels) passes through `sanitize` where it is printed. */

/** A name that is nothing but controls or escapes is still a row: say so rather than print a blank. */
function shownName(name: string): string {
  return sanitize(name) || '(no printable name)';
}

const FOOTNOTE = '* indicates live totals that may not yet appear in model breakdowns.';

/**
 * The "💰 OpenRouter Usage" block, in the original script's format, read in five seconds: totals,
 * balance, models, trend, and only the notes that change what a figure means. `explain` adds the
 * fine print (scope of each figure, UTC reset, how account totals are made, the month gap).
 */
export function renderText(report: Report, options: TextOptions): string {
  const { chalk } = options;
  const dim = chalk.dim;
  const explain = options.explain === true;
  const lines: string[] = [chalk.bold(`💰 OpenRouter Usage${report.demo ? ' (demo data)' : ''}`)];
  lines.push(...totalsLines(report, chalk, explain));
  // A figure that is missing says why, short report or not.
  const keyNote = managementKeyNote(report);
  if (keyNote) lines.push(dim(keyNote));
  lines.push(...balanceLines(report, chalk, explain));
  // What /key says that matters now: a key about to expire, a free tier's allowance for today.
  const expiry = expirySentence(report);
  if (expiry) lines.push(chalk.yellow(expiry));
  const freeModels = freeModelsSentence(report);
  if (freeModels) lines.push(freeModels);

  lines.push('');
  lines.push(...breakdownLines(report, options));

  const notes = explain
    ? [
        report.discrepancy && gapSentence(report.discrepancy),
        scopeNote(report),
        accountNote(report),
        `All days are UTC; today ends at ${describeUtcDayEnd(new Date(report.fetchedAt), options.utcOffset ?? (() => 0))}.`,
      ]
    : [];
  if (explain) lines.push('');
  for (const note of notes) if (note) lines.push(dim(note));
  // A gap no known cause explains may mean a figure is wrong: the short report keeps it, in plain sight.
  const gap = !explain && report.discrepancy && gapNote(report.discrepancy);
  if (gap) lines.push(chalk.yellow(gap));
  // The asterisk marks the live totals; its note stays wherever it is shown. Through analytics the
  // breakdown holds today too: the caveat no longer holds, and neither asterisk nor note is printed.
  if (showsAsterisk(report) && !isLive(report)) lines.push(dim(FOOTNOTE));
  return `${fitLines(lines, options.width).join('\n')}\n`;
}

function showsAsterisk(report: Report): boolean {
  return report.key.usage !== null || report.account.status === 'ok';
}

/** The breakdown came from analytics: it holds today, live. */
function isLive(report: Report): boolean {
  return report.breakdown.status === 'ok' && report.breakdown.value.source === 'analytics';
}

function period(totals: { today: number; week: number; month: number }, live = false): string {
  return `Today: ${formatUsd(totals.today)}${live ? '' : '*'} | Week: ${formatUsd(totals.week)} | Month: ${formatUsd(totals.month)}`;
}

function hasSpend(totals: { today: number; week: number; month: number } | null | undefined): boolean {
  return !!totals && (totals.today > 0 || totals.week > 0 || totals.month > 0);
}

function totalsLines(report: Report, chalk: ChalkInstance, explain: boolean): string[] {
  const lines: string[] = [];
  const { key, account } = report;
  const accountTotals = account.status === 'ok' ? account.value : undefined;
  const live = isLive(report);
  // Whose spend it is, said once on the line itself: one key's, not the account's.
  if (key.usage) lines.push(`${period(key.usage, live)}${chalk.dim(' (this key)')}`);
  if (accountTotals) {
    const count = accountTotals.source === 'analytics' ? 'all keys, deleted too' : accountCount(accountTotals);
    lines.push(`${accountLabel(accountTotals)}: ${period(accountTotals.usage, live)} ${chalk.dim(`(${count})`)}`);
  }
  // BYOK spend is billed by the user's own provider accounts: shown on its own line, never added in.
  const byok = key.usage ? key.byokUsage : accountTotals?.byokUsage;
  if (hasSpend(byok)) {
    // Whose BYOK it is, named as the totals lines name theirs.
    const whose = key.usage ? 'this key, ' : 'account, ';
    const billed = explain ? 'billed by your own provider keys' : 'not credits';
    lines.push(`BYOK: ${period(byok!).replace('*', '')} ${chalk.dim(`(${whose}${billed})`)}`);
  }
  if (report.forecast) {
    const f = report.forecast;
    lines.push(
      `Month: ${formatUsd(f.monthToDate)}, on pace for ${formatUsd(f.projectedMonth)} ${chalk.dim(`(account, at the ${f.basis.averageDays}-day average of ${formatUsd(f.dailyAverage)}/day)`)}`,
    );
  }
  if (!key.usage && !accountTotals) {
    lines.push(
      chalk.yellow(
        'Today / Week / Month: not shown: the key in use is a management key, which cannot spend; an inference key in OPENROUTER_API_KEY gives live totals',
      ),
    );
  }
  return lines;
}

/** `Account`, or the one workspace the totals are limited to. */
function accountLabel(account: AccountSection): string {
  if (account.coverage === 'workspace' && account.workspace) return `Workspace ${sanitize(account.workspace.name, 80)}`;
  if (account.coverage === 'default-workspace') return 'Account (default workspace)';
  return 'Account';
}

function accountCount(account: AccountSection): string {
  const keys = `${account.keys} key${account.keys === 1 ? '' : 's'}`;
  const spaces = account.workspaces?.length ?? 0;
  return spaces > 1 ? `${keys} in ${spaces} workspaces` : keys;
}

function balanceLines(report: Report, chalk: ChalkInstance, explain: boolean): string[] {
  const { key, credits, runway } = report;
  const lines: string[] = [];
  const capLine = key.limit !== null ? `Key limit: ${capText(key.limit, key.limitRemaining, key.limitReset)}` : undefined;
  // Short form: the credits' runway rides on the balance line; the basis of the projection is fine print.
  const runwayOnBalance = !explain && runway?.basis === 'credits';
  switch (credits.status) {
    case 'ok': {
      const days = runway?.basis === 'credits' ? `${runway.days} day${runway.days === 1 ? '' : 's'}` : '';
      const short = runwayOnBalance ? ` · runway about ${days} (until ${runway.until})` : '';
      lines.push(`Balance: ${formatUsd(credits.value.remaining)} / ${formatUsd(credits.value.total)}${short}`);
      if (capLine) lines.push(capLine);
      break;
    }
    case 'needs-management-key':
      // With a note, a warning has said why the answer is no balance; the figure is simply not shown.
      if (capLine) lines.push(capLine);
      else if (!credits.note) lines.push(chalk.dim('Balance: set OPENROUTER_MGMT_KEY (a management key) to see the account balance'));
      break;
    case 'failed':
      lines.push(chalk.yellow('Balance: unavailable (/credits failed; see the warning)'));
      if (capLine) lines.push(capLine);
      break;
  }
  // A cap that runs out before it resets changes what the cap means: said always; the rest is fine print.
  const capMatters = runway?.basis === 'key-limit' && (runway.runsOutBeforeReset || explain);
  if (runway && !runwayOnBalance && (runway.basis === 'credits' || capMatters)) lines.push(runwayText(runway, chalk));
  return lines;
}

function runwayText(runway: Runway, chalk: ChalkInstance): string {
  if (runway.basis === 'credits') {
    return `Runway: at the ${runway.averageDays}-day average of ${formatUsd(runway.dailyAverage)}/day, credits last about ${runway.days} day${runway.days === 1 ? '' : 's'} (until ${runway.until})`;
  }
  const pace = `at this key's month-to-date average of ${formatUsd(runway.dailyAverage)}/day`;
  if (runway.resetsOn === null) return `Key limit: ${pace}, it runs out about ${runway.runsOutOn}`;
  if (runway.runsOutBeforeReset) return chalk.yellow(`Key limit: ${pace}, it runs out about ${runway.runsOutOn}, before it resets on ${runway.resetsOn}`);
  return `Key limit: ${pace}, it lasts until it resets on ${runway.resetsOn}`;
}

function capText(limit: number, remaining: number | null, reset: string | null): string {
  const left = remaining !== null ? `${formatUsd(remaining)} left of ${formatUsd(limit)}` : `${formatUsd(limit)} cap`;
  return reset ? `${left}, resets ${sanitize(reset)}` : left;
}

const TIME_GROUPINGS: readonly GroupBy[] = ['day', 'week', 'month', 'hour'];

function breakdownLines(report: Report, options: TextOptions): string[] {
  const { chalk } = options;
  const by = options.by ?? 'model';
  const { breakdown } = report;
  if (breakdown.status === 'needs-management-key') {
    return [chalk.dim(`Recent ${groupTitle(by)}: set OPENROUTER_MGMT_KEY (a management key) to see where the money went.`)];
  }
  if (breakdown.status === 'failed') return [chalk.yellow(`Recent ${groupTitle(by)}: unavailable (/activity failed; see the warning)`)];

  const b = breakdown.value;
  if (b.source === 'analytics') return analyticsLines(b, report, by, options);
  const whose = b.scope === 'key' ? ', this key' : b.workspace ? `, workspace ${sanitize(b.workspace.name, 80)}` : '';
  const lines = [chalk.bold(`Recent ${groupTitle(by)} (${b.days}d${whose}):`)];
  const rows = breakdownRows(b, by, options.fullNames === true);
  if (b.models.length === 0) {
    lines.push(chalk.dim(`No activity in the last ${b.days} completed UTC days (${b.from} to ${b.to}).`));
  } else if (b.groups) {
    lines.push(...barLines(rows, chalk));
  } else if (options.details) {
    lines.push(...detailsTable(rows, by, options));
  } else {
    lines.push(...bulletLines(rows, by === 'day' ? 0 : options.top, by, chalk));
  }
  if (b.days > 1 && b.models.length > 0) {
    const { min, max, average } = b.trend;
    lines.push(
      `Trend: ${sparkline(b.daily.map((d) => d.usage))}  ${chalk.dim(`min ${formatUsd(min)} · avg ${formatUsd(average)}/day · max ${formatUsd(max)}`)}`,
    );
  }
  return lines;
}

/** The breakdown through now (analytics): the window's days named, today marked live, time groupings as bars. */
function analyticsLines(b: ReportBreakdown, report: Report, by: GroupBy, options: TextOptions): string[] {
  const { chalk } = options;
  const today = report.fetchedAt.slice(0, 10);
  const span =
    b.from === b.to && b.to === today
      ? 'today, live'
      : b.to !== today
        ? `${b.from} to ${b.to}`
        : b.days <= 31
          ? `last ${b.days} days including today, live`
          : `${b.from} to today, live`;
  const lines = [chalk.bold(`${groupTitle(by)} (${span}):`)];
  const rows = breakdownRows(b, by, options.fullNames === true);
  if (b.models.length === 0) {
    lines.push(chalk.dim(`No activity from ${b.from} to ${b.to}.`));
  } else if (TIME_GROUPINGS.includes(by)) {
    lines.push(...barLines(rows, chalk));
  } else if (options.details) {
    lines.push(...detailsTable(rows, by, options));
  } else {
    lines.push(...bulletLines(rows, by === 'day' ? 0 : options.top, by, chalk));
  }
  // The bars of a time grouping are the trend already; a sparkline of more days than a line holds is none.
  if (b.days > 1 && b.models.length > 0 && !TIME_GROUPINGS.includes(by)) {
    const { min, max, average } = b.trend;
    const spark = b.days <= MAX_SPARKLINE_DAYS ? `${sparkline(b.daily.map((d) => d.usage))}  ` : '';
    lines.push(`Trend: ${spark}${chalk.dim(`min ${formatUsd(min)} · avg ${formatUsd(average)}/day · max ${formatUsd(max)}`)}`);
  }
  return lines;
}

const MAX_SPARKLINE_DAYS = 62;

const BAR_WIDTH = 24;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** One line a bucket: its label, a bar as long as its share of the largest, the spend and requests. */
function barLines(rows: readonly Row[], chalk: TextOptions['chalk']): string[] {
  const max = Math.max(0, ...rows.map((r) => r.usage));
  const labelWidth = Math.max(...rows.map((r) => r.name.length));
  const amounts = rows.map((r) => formatUsd(r.usage));
  const amountWidth = Math.max(...amounts.map((a) => a.length));
  return rows.map((row, i) => {
    const eighths = max > 0 ? Math.round((row.usage / max) * BAR_WIDTH * 8) : 0;
    // Any spend at all shows as at least a sliver.
    const filled = row.usage > 0 ? Math.max(1, eighths) : 0;
    const bar = '█'.repeat(Math.floor(filled / 8)) + EIGHTHS[filled % 8];
    return `${row.name.padEnd(labelWidth)}  ${bar.padEnd(BAR_WIDTH)}  ${amounts[i]!.padStart(amountWidth)} ${chalk.dim(`(${formatCount(row.requests)})`)}`;
  });
}

type Row = { name: string } & Pick<GroupTotals, 'usage' | 'byokUsage' | 'requests'> & Partial<GroupTotals>;

function breakdownRows(b: ReportBreakdown, by: GroupBy, fullNames: boolean): Row[] {
  // Key and workspace names are foreign text too; time buckets are this tool's own labels.
  if (b.groups && b.groups.by === by) return b.groups.items.map((g) => ({ ...g, name: shownName(g.name) }));
  if (by === 'workspace') return (b.workspaces ?? []).map((w) => ({ ...w, name: shownName(w.workspace.name) }));
  if (by === 'provider') return b.providers.map((p) => ({ ...p, name: shownName(p.provider) }));
  if (by === 'day') return b.daily.map((d) => ({ name: d.date, usage: d.usage, requests: d.requests, byokUsage: 0 }));
  const names = displayNames(b.models.map((m) => m.model));
  return b.models.map((m) => ({ ...m, name: shownName(fullNames ? m.model : (names.get(m.model) ?? m.model)) }));
}

function bulletLines(rows: readonly Row[], top: number, by: GroupBy, chalk: ChalkInstance): string[] {
  const { shown, rest } = topAndRest(rows, top);
  const lines = shown.map((row) => {
    const byok = row.byokUsage > 0 ? chalk.dim(` + ${formatUsd(row.byokUsage)} BYOK`) : '';
    return `• ${row.name}: ${formatUsd(row.usage)} (${formatCount(row.requests)})${byok}`;
  });
  if (rest) lines.push(chalk.dim(`• ${moreLabel(rest.count, by)}: ${formatUsd(rest.usage)} (${formatCount(rest.requests)})`));
  return lines;
}

function detailsTable(rows: readonly Row[], by: GroupBy, options: TextOptions): string[] {
  const { shown, rest } = topAndRest(rows, by === 'day' ? 0 : options.top);
  const count = (pick: (row: Row) => number | undefined) => shown.map((row) => (pick(row) === undefined ? '-' : formatCount(pick(row)!)));
  const columns: Column[] = [
    { header: by, cells: shown.map((r) => r.name), align: 'left', priority: 99 },
    { header: 'spend', cells: shown.map((r) => formatUsd(r.usage)), align: 'right', priority: 98 },
    { header: 'requests', cells: count((r) => r.requests), align: 'right', priority: 90 },
  ];
  if (by !== 'day') {
    columns.push(
      { header: '$/M tok', cells: shown.map((r) => (r.usdPerMillionTokens == null ? '-' : formatUsd(r.usdPerMillionTokens))), align: 'right', priority: 80 },
      { header: 'prompt', cells: count((r) => r.promptTokens), align: 'right', priority: 60 },
      { header: 'completion', cells: count((r) => r.completionTokens), align: 'right', priority: 50 },
      { header: 'reasoning', cells: count((r) => r.reasoningTokens), align: 'right', priority: 40 },
    );
  }
  if (shown.some((r) => r.byokUsage > 0)) columns.push({ header: 'BYOK', cells: shown.map((r) => formatUsd(r.byokUsage)), align: 'right', priority: 70 });
  const table = fitTable(columns, options.width);
  const [header, ...body] = table.lines;
  const lines = [options.chalk.dim(header!), ...body];
  if (rest) lines.push(options.chalk.dim(`(${moreLabel(rest.count, by)}; --top 0 lists all)`));
  const note = droppedNote(table.dropped);
  if (note) lines.push(options.chalk.dim(note));
  return lines;
}

/** Totals and breakdown come from different places; say so, or readers add them up and are misled. */
function scopeNote(report: Report): string | undefined {
  const parts: string[] = [];
  if (report.key.usage) parts.push(`Today/Week/Month: this API key${report.key.label ? ` (${sanitize(report.key.label)})` : ''}, live`);
  if (report.credits.status === 'ok') parts.push('balance: whole account');
  if (report.breakdown.status === 'ok') {
    const b = report.breakdown.value;
    const whose = b.scope === 'key' ? 'this key' : b.workspace ? `workspace ${sanitize(b.workspace.name, 80)}` : 'whole account';
    const what = b.source === 'analytics' ? (b.to === report.fetchedAt.slice(0, 10) ? 'analytics, today included, live' : 'analytics') : 'completed days';
    parts.push(`breakdown: ${whose}, ${b.from} to ${b.to} (${what})`);
  }
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
}

function accountNote(report: Report): string | undefined {
  if (report.account.status !== 'ok') return undefined;
  if (report.account.value.source === 'analytics') {
    const base = 'Account totals come from the analytics API: every key of every workspace, keys deleted since included.';
    const check = crossCheckSentence(report.account.value);
    return check ? `${base} ${check}` : base;
  }
  const account = report.account.value;
  const { keys, disabledKeys } = account;
  const disabled = disabledKeys > 0 ? `, ${disabledKeys} of them disabled` : '';
  const counted = `the live counters of the ${keys} key${keys === 1 ? '' : 's'} /keys lists`;
  const deleted = 'keys deleted this period are no longer counted';
  switch (account.coverage) {
    case 'workspace':
      return `Workspace totals add up ${counted} of workspace ${sanitize(account.workspace?.name ?? '', 80)}${disabled}; ${deleted}.`;
    case 'default-workspace':
      return `Account totals cover the default workspace only: /keys lists only its keys, and this account has no /workspaces to list the others (HTTP ${account.workspacesStatus ?? 404}). They add up ${counted}${disabled}; ${deleted}.`;
    case 'account': {
      const spaces = account.workspaces?.length ?? 0;
      const where = spaces > 1 ? ` in all ${spaces} workspaces` : '';
      return `Account totals add up ${counted}${where}${disabled}; ${deleted}.`;
    }
  }
}

/** A management key (alone, or in OPENROUTER_API_KEY) gives the account's figures, but spends nothing of its own. */
function managementKeyNote(report: Report): string | undefined {
  if (!report.key.isManagementKey || report.account.status !== 'ok') return undefined;
  return "This key's own live totals need an inference key in OPENROUTER_API_KEY; a management key spends nothing itself.";
}

export { fitLines, visibleWidth } from './table.js';
