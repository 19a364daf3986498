import type { ChalkInstance } from 'chalk';
import { formatCount, formatUsd } from '../format.js';
import { displayNames, type ModelItem, type Report } from '../report.js';

export interface TextOptions {
  /** Models listed before the rest are summed into one line; 0 lists all. */
  top: number;
  chalk: ChalkInstance;
}

/** The "💰 OpenRouter Usage" block, in the original script's format, with every gap said in words. */
export function renderText(report: Report, { top, chalk }: TextOptions): string {
  const dim = chalk.dim;
  const lines: string[] = [];
  lines.push(chalk.bold(`💰 OpenRouter Usage${report.demo ? ' (demo data)' : ''}`));

  const { key } = report;
  if (key.usage) {
    lines.push(`Today: ${formatUsd(key.usage.today)}* | Week: ${formatUsd(key.usage.week)} | Month: ${formatUsd(key.usage.month)}`);
    const byok = key.byokUsage;
    if (byok && (byok.today > 0 || byok.week > 0 || byok.month > 0)) {
      lines.push(
        `BYOK: Today: ${formatUsd(byok.today)} | Week: ${formatUsd(byok.week)} | Month: ${formatUsd(byok.month)} ${dim('(billed by your own provider keys)')}`,
      );
    }
  } else {
    lines.push(
      chalk.yellow('Today / Week / Month: not shown: OPENROUTER_API_KEY is a management key, which cannot spend; use an inference key there for live totals'),
    );
  }

  const capLine = key.limit !== null ? `Key limit: ${capText(key.limit, key.limitRemaining, key.limitReset)}` : undefined;
  switch (report.credits.status) {
    case 'ok':
      lines.push(`Balance: ${formatUsd(report.credits.value.remaining)} / ${formatUsd(report.credits.value.total)}`);
      if (capLine) lines.push(capLine);
      break;
    case 'needs-management-key':
      lines.push(capLine ?? dim('Balance: set OPENROUTER_MGMT_KEY (a management key) to see the account balance'));
      break;
    case 'failed':
      lines.push(chalk.yellow('Balance: unavailable (/credits failed; see the warning)'));
      if (capLine) lines.push(capLine);
      break;
  }

  lines.push('');
  const models = report.models;
  if (models.status === 'ok') {
    const { days, from, to, items } = models.value;
    lines.push(chalk.bold(`Recent Models (${days}d):`));
    if (items.length === 0) lines.push(dim(`No activity in the last ${days} completed UTC days (${from} to ${to}).`));
    else lines.push(...modelLines(items, top, chalk));
  } else if (models.status === 'needs-management-key') {
    lines.push(dim('Recent Models: set OPENROUTER_MGMT_KEY (a management key) to see which models the money went to.'));
  } else {
    lines.push(chalk.yellow('Recent Models: unavailable (/activity failed; see the warning)'));
  }

  lines.push('');
  const scope = scopeNote(report);
  if (scope) lines.push(dim(scope));
  lines.push(dim('* indicates live totals that may not yet appear in model breakdowns.'));
  return `${lines.join('\n')}\n`;
}

function modelLines(items: readonly ModelItem[], top: number, chalk: TextOptions['chalk']): string[] {
  const names = displayNames(items.map((item) => item.model));
  const shown = top === 0 ? items : items.slice(0, top);
  const lines = shown.map((item) => {
    const byok = item.byokUsage > 0 ? chalk.dim(` + ${formatUsd(item.byokUsage)} BYOK`) : '';
    return `• ${names.get(item.model)}: ${formatUsd(item.usage)} (${formatCount(item.requests)})${byok}`;
  });
  const rest = items.slice(shown.length);
  if (rest.length > 0) {
    const usage = rest.reduce((sum, item) => sum + item.usage, 0);
    const requests = rest.reduce((sum, item) => sum + item.requests, 0);
    lines.push(chalk.dim(`• ${rest.length} more model${rest.length === 1 ? '' : 's'}: ${formatUsd(usage)} (${formatCount(requests)})`));
  }
  return lines;
}

function capText(limit: number, remaining: number | null, reset: string | null): string {
  const left = remaining !== null ? `${formatUsd(remaining)} left of ${formatUsd(limit)}` : `${formatUsd(limit)} cap`;
  return reset ? `${left}, resets ${reset}` : left;
}

/** Totals and breakdown come from different places; say so, or readers add them up and are misled. */
function scopeNote(report: Report): string | undefined {
  const parts: string[] = [];
  if (report.key.usage) parts.push(`Today/Week/Month: this API key${report.key.label ? ` (${report.key.label})` : ''}, UTC`);
  const accountWide = [report.credits.status === 'ok' ? 'balance' : undefined, report.models.status === 'ok' ? 'models' : undefined].filter(Boolean);
  if (accountWide.length > 0) parts.push(`${accountWide.join(' and ')}: whole account`);
  if (report.models.status === 'ok') parts.push(`models cover ${report.models.value.from} to ${report.models.value.to} (completed UTC days)`);
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
}
