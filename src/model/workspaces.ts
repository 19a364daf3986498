import type { ActivityRow, KeyListItem, Workspace } from '../api/schemas.js';
import { accountTotals } from './account.js';
import { groupRows, type Totals } from './breakdown.js';
import { workspaceName } from '../api/schemas.js';

export type { WorkspacesAnswer } from '../api/workspaces.js';

/** A workspace as the output names it. */
export interface WorkspaceRef {
  id: string;
  name: string;
}

export function refOf(workspace: Pick<Workspace, 'id' | 'name' | 'slug'>): WorkspaceRef {
  return { id: workspace.id, name: workspaceName(workspace) };
}

/** A workspace id as the output names it: by the list's name for it, else by the id itself. */
export function refById(id: string, workspaces: readonly Workspace[]): WorkspaceRef {
  const found = workspaces.find((w) => w.id === id);
  return found ? refOf(found) : { id, name: id };
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
    return { ...refById(id, workspaces), ...accountTotals(own) };
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
