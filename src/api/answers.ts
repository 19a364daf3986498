import type { AnalyticsOutcome } from './analytics.js';
import type { ActivityRow, CreditsData, KeyData, KeyListItem, Workspace } from './schemas.js';
import type { WorkspacesAnswer } from './workspaces.js';
import type { Failure } from '../base/errors.js';

/**
 * The validated answers of one report, as every source hands them on (the API, the cache, the
 * demo): the one input of the report model.
 */
/** Something the reader should know that did not stop the run: one type, printed once, the same on stderr and in JSON. */
export interface Warning {
  source: 'config' | 'cache' | 'credits' | 'activity' | 'keys' | 'analytics';
  message: string;
}

/** What came back from the API (or the demo), before any arithmetic. */
export interface Responses {
  key: KeyData;
  credits: Outcome<CreditsData>;
  activity: Outcome<ActivityRow[]>;
  /** /keys over every workspace (or the --workspace one), for account-wide live totals. */
  keys: Outcome<KeyListItem[]>;
  /** The analytics API (breakdown through now, account totals, pace); absent where it was not asked (--scope key, the demo). */
  analytics?: AnalyticsOutcome | undefined;
  /** /workspaces; absent where it was not asked (the demo, answers cached by older versions). */
  workspaces?: Outcome<WorkspacesAnswer> | undefined;
  /** The workspace `--workspace` limits the totals, the breakdown and the keys to. */
  workspace?: Workspace | undefined;
}

/**
 * An answer, or why there is none: the renderers explain each case in place. `note` says why a
 * figure that was answered is nevertheless not one (a warning then says so).
 */
export type Outcome<T> = { status: 'ok'; value: T } | { status: 'needs-management-key'; note?: string | undefined } | { status: 'failed'; error: Failure };

/** Config and cache warnings arrive as sentences that may carry their own prefix; the model keeps them bare. */
export function configWarnings(lines: readonly string[]): Warning[] {
  return lines.map((line) => ({ source: 'config', message: line.replace(/^warning: /, '') }));
}
