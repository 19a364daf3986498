import { array, boolean, int, looseObject, nonnegative, nullable, number, optional, refine, string, type output } from 'zod/mini';
import { leadingCalendarDate } from '../base/time.js';

/*
 * Shapes of OpenRouter's answers (see shared/openrouter-api.md). A field a printed figure needs is
 * required; everything else is optional, because the API adds fields over time and older keys answer
 * without newer ones, and a report must not fail over a field it does not show. Unknown fields pass.
 */

const spend = () => number().check(nonnegative());
const optionalSpend = () => optional(nullable(spend()));
const optionalCount = () => optional(nullable(int().check(nonnegative())));

/** A key's live counters and cap, as both /key (one key) and /keys (every key) report them. */
const keyCounters = () => ({
  label: optional(nullable(string())),
  usage: spend(),
  usage_daily: spend(),
  usage_weekly: spend(),
  usage_monthly: spend(),
  byok_usage: optionalSpend(),
  byok_usage_daily: optionalSpend(),
  byok_usage_weekly: optionalSpend(),
  byok_usage_monthly: optionalSpend(),
  limit: optional(nullable(number())),
  limit_remaining: optional(nullable(number())),
  limit_reset: optional(nullable(string())),
});

export const keySchema = looseObject({
  data: looseObject({
    ...keyCounters(),
    include_byok_in_limit: optional(nullable(boolean())),
    is_free_tier: optional(nullable(boolean())),
    is_management_key: optional(nullable(boolean())),
    is_provisioning_key: optional(nullable(boolean())),
    // The key's own workspace: how --scope key tells apart keys whose masked labels look alike.
    workspace_id: optional(nullable(string())),
    // expires_at and free_model_daily_requests pass through unchecked (a loose object keeps them): an
    // odd value there is no reason to refuse the report, so report.ts reads it as absent.
  }),
});

export const creditsSchema = looseObject({
  data: looseObject({
    total_credits: spend(),
    total_usage: spend(),
  }),
});

export const activityRowSchema = looseObject({
  // A real UTC day (never `2026-11-00`, which Date would roll into October); some answers carry a
  // time after it, which the day alone is read from.
  date: string().check(refine((text) => leadingCalendarDate(text) !== undefined, 'not a YYYY-MM-DD date')),
  model: string(),
  /** The versioned slug, which the analytics API names models by: it maps them back to `model`. */
  model_permaslug: optional(nullable(string())),
  usage: spend(),
  byok_usage_inference: optionalSpend(),
  requests: int().check(nonnegative()),
  prompt_tokens: optionalCount(),
  completion_tokens: optionalCount(),
  reasoning_tokens: optionalCount(),
  provider_name: optional(nullable(string())),
  /** Only with `group_by=workspace`. */
  workspace_id: optional(nullable(string())),
});

export const activitySchema = looseObject({
  data: array(activityRowSchema),
});

export const keyListItemSchema = looseObject({
  ...keyCounters(),
  hash: string(),
  name: optional(nullable(string())),
  disabled: optional(nullable(boolean())),
  /** Null or absent for keys from before workspaces, which are listed in the default workspace. */
  workspace_id: optional(nullable(string())),
});

export const keyListSchema = looseObject({
  data: array(keyListItemSchema),
});

export const workspaceSchema = looseObject({
  id: string(),
  name: optional(nullable(string())),
  slug: optional(nullable(string())),
});

/** One page of /workspaces; `total_count` says how many there are in all. */
export const workspaceListSchema = looseObject({
  data: array(workspaceSchema),
  total_count: optional(nullable(int().check(nonnegative()))),
});

export type Workspace = output<typeof workspaceSchema>;
export type KeyListItem = output<typeof keyListItemSchema>;
export type KeyData = output<typeof keySchema>['data'];
export type CreditsData = output<typeof creditsSchema>['data'];
export type ActivityRow = output<typeof activityRowSchema>;

/** The name a person gave it; its slug or id when it has none. */
export function workspaceName(workspace: Pick<Workspace, 'id' | 'name' | 'slug'>): string {
  return workspace.name?.trim() || workspace.slug?.trim() || workspace.id;
}
