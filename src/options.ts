import { InvalidArgumentError } from 'commander';
import { isCalendarDate } from './calendar.js';
import { CliError } from './errors.js';

/** What the command line asked for, after commander has parsed and checked it. */
export const FORMATS = ['text', 'json', 'markdown', 'csv', 'oneline'] as const;
export type Format = (typeof FORMATS)[number];
export const GROUPS = ['model', 'provider', 'key', 'workspace', 'day', 'week', 'month', 'hour'] as const;
export type GroupBy = (typeof GROUPS)[number];
export const SCOPES = ['account', 'key'] as const;
export type Scope = (typeof SCOPES)[number];

export const MIN_WATCH_SECONDS = 30;
export const DEFAULT_WATCH_SECONDS = 60;

export interface CommonOptions {
  json?: boolean | undefined;
  format?: Format | undefined;
  timeout: number;
  deadline: number;
  baseUrl?: string | undefined;
  credentialsFile?: string | undefined;
  color: boolean;
  demo?: boolean | undefined;
  debug?: boolean | undefined;
}

export interface CliOptions extends CommonOptions {
  days: number;
  top: number;
  scope: Scope;
  by: GroupBy;
  details?: boolean | undefined;
  fullNames?: boolean | undefined;
  minBalance?: number | undefined;
  maxToday?: number | undefined;
  maxMonth?: number | undefined;
  /** Exit 7 when the month-end projection (analytics) is above this. */
  maxForecast?: number | undefined;
  /** First and last UTC day of the breakdown (YYYY-MM-DD, inclusive); needs analytics beyond /activity's 30 days. */
  since?: string | undefined;
  until?: string | undefined;
  /** Whether --days was typed rather than defaulted (--by hour alone shows today). */
  daysGiven?: boolean | undefined;
  /** `--workspace <name|slug|id>`: the account totals, the breakdown and the keys of one workspace. */
  workspace?: string | undefined;
  /** Seconds a cached answer may be reused; 0 refreshes the cache without reading it. */
  cache?: number | undefined;
  /** Seconds between redraws; true when --watch is given without a value. */
  watch?: number | true | undefined;
  /** The fine print of the text report: scope of each figure, UTC reset, how account totals are made, the month gap. */
  explain?: boolean | undefined;
  /** Whether --top was on the command line (CSV lists every row unless it was). */
  topGiven?: boolean | undefined;
}

export interface KeysOptions extends CommonOptions {
  includeDisabled?: boolean | undefined;
  workspace?: string | undefined;
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `expected a whole number of at least ${min}` : `expected a whole number from ${min} to ${max}`,
      );
    }
    return Number(value);
  };
}

export function secondsIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected seconds from ${min} to ${max}`);
    }
    return Number(value);
  };
}

/** A dollar amount such as 5, 5.5 or $5.50. */
export function usd(value: string): number {
  const match = /^\s*\$?(\d+(\.\d+)?)\s*$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected an amount in USD, e.g. 5 or 2.50');
  return Number(match[1]);
}

/** A UTC day written YYYY-MM-DD, and a real one (no 2026-02-30). */
export function calendarDay(value: string): string {
  const text = value.trim();
  if (!isCalendarDate(text)) throw new InvalidArgumentError('expected a UTC day as YYYY-MM-DD, e.g. 2026-01-31');
  return text;
}

/** --json is the short form of --format json; asking for two different formats is a usage error. */
export function formatOf(options: CommonOptions): Format {
  if (options.json && options.format && options.format !== 'json') {
    throw new CliError('usage', `--json and --format ${options.format} ask for different outputs`);
  }
  return options.json ? 'json' : (options.format ?? 'text');
}
