import type { ActivityRow, KeyListItem, Workspace } from '../api/schemas.js';
import { cleanSum } from '../format.js';
import { sanitize } from '../sanitize.js';
import { groupRows, type Totals } from './breakdown.js';

/** What /workspaces said: the list, or that the account has no such endpoint (HTTP 403 or 404). */
export interface WorkspacesAnswer {
  /** False for accounts without /workspaces: every key is then in the default workspace. */
  supported: boolean;
  /** The HTTP status of the refusal, when not supported. */
  status?: number | undefined;
  workspaces: Workspace[];
}

/** A workspace as the output names it. */
export interface WorkspaceRef {
  id: string;
  name: string;
}

/** The name a person gave it; its slug or id when it has none. */
export function workspaceName(workspace: Pick<Workspace, 'id' | 'name' | 'slug'>): string {
  return workspace.name?.trim() || workspace.slug?.trim() || workspace.id;
}

export function refOf(workspace: Pick<Workspace, 'id' | 'name' | 'slug'>): WorkspaceRef {
  return { id: workspace.id, name: workspaceName(workspace) };
}

/** A workspace id as the output names it: by the list's name for it, else by the id itself. */
export function refById(id: string, workspaces: readonly Workspace[]): WorkspaceRef {
  const found = workspaces.find((w) => w.id === id);
  return found ? refOf(found) : { id, name: id };
}

export type WorkspaceMatch = { status: 'ok'; workspace: Workspace } | { status: 'unknown' | 'ambiguous'; message: string };

/**
 * `--workspace` names a workspace by id, slug or name (slug and name case-insensitively), in that
 * order of precedence: an id or slug is unique, a name need not be.
 */
export function findWorkspace(workspaces: readonly Workspace[], wanted: string): WorkspaceMatch {
  const query = wanted.trim();
  const lower = query.toLowerCase();
  const byId = workspaces.find((w) => w.id === query);
  if (byId) return { status: 'ok', workspace: byId };
  const bySlug = workspaces.filter((w) => w.slug?.toLowerCase() === lower);
  if (bySlug.length === 1) return { status: 'ok', workspace: bySlug[0]! };
  const byName = workspaces.filter((w) => w.name?.trim().toLowerCase() === lower);
  if (byName.length === 1) return { status: 'ok', workspace: byName[0]! };
  const shown = sanitize(query, 80);
  if (byName.length > 1) {
    return { status: 'ambiguous', message: `--workspace "${shown}" names ${byName.length} workspaces; give its slug or id: ${describeWorkspaces(byName)}` };
  }
  const known = workspaces.length > 0 ? `known: ${describeWorkspaces(workspaces)}` : 'the account lists none';
  return { status: 'unknown', message: `--workspace "${shown}" is not a workspace of this account; ${known}` };
}

/** `Research (slug research, id …)` for each, for a message that lets the reader pick. */
function describeWorkspaces(workspaces: readonly Workspace[]): string {
  return workspaces
    .map((w) => {
      const name = sanitize(workspaceName(w), 80);
      const slug = w.slug && w.slug !== name ? `slug ${sanitize(w.slug, 80)}, ` : '';
      return `${name} (${slug}id ${sanitize(w.id, 80)})`;
    })
    .join('; ');
}

export interface WorkspaceTotals extends WorkspaceRef {
  keys: number;
  disabledKeys: number;
  usage: { today: number; week: number; month: number };
  byokUsage: { today: number; week: number; month: number };
}

/**
 * The live counters of each workspace's keys, in the order /workspaces lists the workspaces (keys
 * whose workspace the list does not name come last, under their id). Workspaces without keys are
 * listed too, with zeros: an empty workspace is a fact, not a gap.
 */
export function workspaceTotals(keys: readonly KeyListItem[], workspaces: readonly Workspace[]): WorkspaceTotals[] {
  const ids = [...workspaces.map((w) => w.id)];
  for (const key of keys) if (key.workspace_id && !ids.includes(key.workspace_id)) ids.push(key.workspace_id);
  return ids.map((id) => {
    const own = keys.filter((k) => k.workspace_id === id);
    const sum = (pick: (key: KeyListItem) => number | null | undefined): number => cleanSum(own.reduce((total, key) => total + (pick(key) ?? 0), 0));
    return {
      ...refById(id, workspaces),
      keys: own.length,
      disabledKeys: own.filter((k) => k.disabled === true).length,
      usage: { today: sum((k) => k.usage_daily), week: sum((k) => k.usage_weekly), month: sum((k) => k.usage_monthly) },
      byokUsage: { today: sum((k) => k.byok_usage_daily), week: sum((k) => k.byok_usage_weekly), month: sum((k) => k.byok_usage_monthly) },
    };
  });
}

export type WorkspaceItem = { workspace: WorkspaceRef } & Totals;

/** `/activity?group_by=workspace` summed per workspace over [from, to], highest spend first, named from /workspaces. */
export function aggregateWorkspaces(rows: readonly ActivityRow[], from: string, to: string, workspaces: readonly Workspace[]): WorkspaceItem[] {
  return groupRows(rows, from, to, (row) => row.workspace_id ?? '').map(([id, totals]) => ({
    workspace: id === '' ? { id: '', name: '(no workspace)' } : refById(id, workspaces),
    ...totals,
  }));
}
