import { DIMENSION_DAYS, HISTORY_DAYS, type AnalyticsPlan } from '../api/analytics.js';
import { accountFrom } from './analytics.js';
import { addDays, completedDaysWindow, daysBetween, utcDay } from '../base/time.js';
import { CliError } from '../base/errors.js';
import type { GroupBy } from '../base/options.js';

/**
 * Which UTC days a breakdown covers. With the analytics API: the last N days including today (live),
 * or --since/--until, up to a year back. Without it, /activity's last 30 completed days: a window
 * only analytics can serve is then an error, never a quietly shorter window.
 */
export interface WindowRequest {
  days: number;
  /** --days as typed (not the default): --by hour otherwise covers today alone. */
  daysGiven?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
  by: GroupBy;
}

export interface DayWindow {
  /** First and last UTC day, inclusive. */
  from: string;
  to: string;
  days: number;
}

/** How many days --by hour may cover: 72 bars is as many as a terminal shows usefully. */
export const MAX_HOUR_DAYS = 3;

/** Groupings only the analytics API has (`workspace` /activity gives too, with group_by=workspace). */
export const ANALYTICS_ONLY: readonly GroupBy[] = ['key', 'hour'];

/** The window analytics answers; a usage error (exit 2) for one it cannot. */
export function analyticsWindow(now: Date, request: WindowRequest): DayWindow {
  const today = utcDay(now);
  let from: string;
  let to: string;
  const days = request.by === 'hour' && !request.daysGiven ? 1 : request.days;
  if (request.since !== undefined) {
    from = request.since;
    to = request.until ?? today;
  } else {
    to = request.until ?? today;
    from = addDays(to, -(days - 1));
  }
  if (to > today) throw new CliError('usage', `--until ${to} is after today (${today}, UTC)`);
  if (from > to)
    throw new CliError('usage', request.until === undefined ? `--since ${from} is after today (${today}, UTC)` : `--since ${from} is after --until ${to}`);
  const oldest = addDays(today, -(HISTORY_DAYS - 1));
  if (from < oldest) {
    throw new CliError(
      'usage',
      `${request.since !== undefined ? `--since ${from}` : `the window from ${from}`} is more than ${HISTORY_DAYS} days back; OpenRouter's analytics keeps ${HISTORY_DAYS} days (from ${oldest})`,
    );
  }
  if (request.by === 'provider') {
    const providerOldest = addDays(today, -(DIMENSION_DAYS.provider - 1));
    if (from < providerOldest) {
      throw new CliError(
        'usage',
        `--by provider covers the last ${DIMENSION_DAYS.provider} days only (OpenRouter keeps providers that long): the window starts ${from}, before ${providerOldest}; use --days ${DIMENSION_DAYS.provider} or less, or a later --since`,
      );
    }
  }
  const span = daysBetween(from, to) + 1;
  if (request.by === 'hour' && span > MAX_HOUR_DAYS) {
    throw new CliError(
      'usage',
      `--by hour shows at most ${MAX_HOUR_DAYS} days (${MAX_HOUR_DAYS * 24} hours); this window has ${span}: use --days ${MAX_HOUR_DAYS} or less`,
    );
  }
  return { from, to, days: span };
}

/**
 * The window /activity can serve (completed days, the last 30), or why it cannot: the sentence that
 * completes "... needs the analytics API".
 */
export function activityWindow(now: Date, request: WindowRequest): DayWindow | { needs: string } {
  const today = utcDay(now);
  if (ANALYTICS_ONLY.includes(request.by)) return { needs: `--by ${request.by}` };
  if (request.since === undefined && request.until === undefined) {
    if (request.days > 30) return { needs: `--days ${request.days} (/activity holds the last 30 completed days)` };
    return { days: request.days, ...completedDaysWindow(now, request.days) };
  }
  const yesterday = addDays(today, -1);
  const to = request.until !== undefined && request.until < yesterday ? request.until : yesterday;
  const from = request.since ?? addDays(to, -(request.days - 1));
  if (from < addDays(today, -30)) return { needs: `a window from ${from} (/activity holds the last 30 completed days)` };
  if (from > to) return { needs: `a window of today alone (/activity holds completed days only)` };
  return { from, to, days: daysBetween(from, to) + 1 };
}

/** The analytics questions of one report (see src/api/analytics.ts); a usage error for a window analytics cannot serve. */
export function planAnalytics(now: Date, request: WindowRequest): AnalyticsPlan {
  const window = analyticsWindow(now, request);
  return {
    from: window.from,
    to: window.to,
    asOf: now.toISOString(),
    granularity: request.by === 'hour' ? 'hour' : 'day',
    providers: window.from >= addDays(utcDay(now), -(DIMENSION_DAYS.provider - 1)),
    providersNeeded: request.by === 'provider',
    group: request.by === 'key' ? 'api_key_id' : request.by === 'workspace' ? 'workspace' : null,
    accountFrom: accountFrom(now),
  };
}
