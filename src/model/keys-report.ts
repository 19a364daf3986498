import type { KeyListItem, Workspace } from '../api/schemas.js';
import { CliError } from '../base/errors.js';
import { byokTotals } from './account.js';
import { cleanSum } from '../base/money.js';
import { refById, refOf, type WorkspaceRef, type WorkspacesAnswer } from './workspaces.js';
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
  /** Where the key lives; null when the account has no /workspaces (or the demo). */
  workspace: WorkspaceRef | null;
}

export interface WorkspaceSubtotal extends WorkspaceRef {
  keys: number;
  usage: Totals;
}

export interface KeysReport {
  demo: boolean;
  generatedAt: string;
  includeDisabled: boolean;
  /** Highest month spend first; grouped by workspace, in /workspaces' order, when `byWorkspace`. */
  keys: KeyRow[];
  /** Sum over the listed keys. */
  totals: { keys: number; usage: Totals };
  /** Disabled keys left out of `keys` (without --include-disabled). */
  hiddenDisabled: number;
  /** The --workspace the listing is limited to. */
  workspace: WorkspaceRef | null;
  /** The listed keys summed per workspace; null when /workspaces gave no list. */
  workspaces: WorkspaceSubtotal[] | null;
  /** The account has more than one workspace and all are listed: views show a workspace column and subtotals. */
  byWorkspace: boolean;
  warnings: Warning[];
}

export function buildKeysReport(
  items: readonly KeyListItem[],
  options: {
    includeDisabled: boolean;
    now: Date;
    demo: boolean;
    warnings: Warning[];
    workspaces?: WorkspacesAnswer | undefined;
    workspace?: Workspace | undefined;
  },
): KeysReport {
  const list = options.workspaces?.supported ? options.workspaces.workspaces : undefined;
  const rows = items.map((item) => toRow(item, list));
  const listed = options.includeDisabled ? rows : rows.filter((row) => !row.disabled);
  const byWorkspace = !options.workspace && list !== undefined && list.length > 1;
  const order = (row: KeyRow): number => {
    const at = list?.findIndex((w) => w.id === row.workspace?.id) ?? -1;
    return at === -1 ? Number.MAX_SAFE_INTEGER : at;
  };
  listed.sort(
    (a, b) =>
      (byWorkspace ? order(a) - order(b) : 0) || b.usage.month - a.usage.month || b.usage.today - a.usage.today || (a.name ?? '').localeCompare(b.name ?? ''),
  );
  return {
    demo: options.demo,
    generatedAt: options.now.toISOString(),
    includeDisabled: options.includeDisabled,
    keys: listed,
    totals: { keys: listed.length, usage: sumOf(listed) },
    hiddenDisabled: rows.length - listed.length,
    workspace: options.workspace ? refOf(options.workspace) : null,
    workspaces: list ? subtotals(listed, options.workspace ? [options.workspace] : list) : null,
    byWorkspace,
    warnings: options.warnings,
  };
}

function sumOf(rows: readonly KeyRow[]): Totals {
  const sum = (pick: (t: Totals) => number, field: string) => {
    const total = cleanSum(rows.reduce((subtotal, row) => subtotal + pick(row.usage), 0));
    if (!Number.isFinite(total)) {
      throw new CliError('invalid-response', `/keys: invalid response: the keys' ${field} add up to more than a number can hold`, { endpoint: '/keys' });
    }
    return total;
  };
  return {
    today: sum((t) => t.today, 'usage_daily'),
    week: sum((t) => t.week, 'usage_weekly'),
    month: sum((t) => t.month, 'usage_monthly'),
    total: sum((t) => t.total, 'usage'),
  };
}

/** Every workspace in /workspaces' order, empty ones too, then any a key names that the list does not. */
function subtotals(rows: readonly KeyRow[], workspaces: readonly Workspace[]): WorkspaceSubtotal[] {
  const refs = workspaces.map(refOf);
  for (const row of rows) if (row.workspace && !refs.some((r) => r.id === row.workspace!.id)) refs.push(row.workspace);
  return refs.map((ref) => {
    const own = rows.filter((row) => row.workspace?.id === ref.id);
    return { ...ref, keys: own.length, usage: sumOf(own) };
  });
}

function toRow(item: KeyListItem, workspaces: readonly Workspace[] | undefined): KeyRow {
  return {
    hash: item.hash,
    name: item.name ?? null,
    label: item.label ?? null,
    disabled: item.disabled === true,
    usage: { today: item.usage_daily, week: item.usage_weekly, month: item.usage_monthly, total: item.usage },
    byokUsage: byokTotals(item),
    limit: item.limit ?? null,
    limitRemaining: item.limit_remaining ?? null,
    limitReset: item.limit_reset ?? null,
    workspace: workspaces && item.workspace_id ? refById(item.workspace_id, workspaces) : null,
  };
}
