import { CliError } from './errors.js';
import { isCalendarDate } from './time.js';

/**
 * The command line, declared once: every flag with its syntax, help, parser, choices and default.
 * program.ts builds commander from this table; the status bar's fast path (readStatusBarOptions)
 * and the JSON error document's format detection (requestedFormat) read the same declarations, so
 * a flag cannot mean one thing to commander and another to them. Nothing here loads commander.
 */
export const FORMATS = ['text', 'json', 'markdown', 'csv', 'oneline'] as const;
export type Format = (typeof FORMATS)[number];
export const GROUPS = ['model', 'provider', 'key', 'workspace', 'day', 'week', 'month', 'hour'] as const;
export type GroupBy = (typeof GROUPS)[number];
export const SCOPES = ['account', 'key'] as const;
export type Scope = (typeof SCOPES)[number];

export const MIN_WATCH_SECONDS = 30;
export const DEFAULT_WATCH_SECONDS = 60;
/** The longest --cache: a day. */
export const MAX_CACHE_SECONDS = 86_400;

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

/** A value a flag refuses; program.ts hands the message to commander, which names the flag. */
export class FlagValueError extends Error {}

export interface FlagDeclaration {
  /** commander's syntax: `--days <n>`, `--watch [seconds]`, `--no-color`, `-v, --version`. */
  flags: string;
  description: string;
  parse?: (value: string) => unknown;
  choices?: readonly string[];
  default?: string | number;
  /** Where the flag is accepted: every command (`common`), the report, or `keys`. */
  on: 'common' | 'report' | 'keys';
  /** The status bar's cached refresh may be answered without commander when only such flags are given. */
  statusBar?: true;
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new FlagValueError(
        max === Number.MAX_SAFE_INTEGER ? `expected a whole number of at least ${min}` : `expected a whole number from ${min} to ${max}`,
      );
    }
    return Number(value);
  };
}

export function secondsIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new FlagValueError(`expected seconds from ${min} to ${max}`);
    }
    return Number(value);
  };
}

/** A dollar amount such as 5, 5.5 or $5.50. */
export function usd(value: string): number {
  const match = /^\s*\$?(\d+(\.\d+)?)\s*$/.exec(value);
  if (!match) throw new FlagValueError('expected an amount in USD, e.g. 5 or 2.50');
  return Number(match[1]);
}

/** A UTC day written YYYY-MM-DD, and a real one (no 2026-02-30). */
export function calendarDay(value: string): string {
  const text = value.trim();
  if (!isCalendarDate(text)) throw new FlagValueError('expected a UTC day as YYYY-MM-DD, e.g. 2026-01-31');
  return text;
}

const text = (value: string): string => value;

/** Every flag of every command, in the order --help lists them. */
export const FLAGS = [
  {
    flags: '--days <n>',
    description: 'window in UTC days (1-365): with analytics the last N including today, else N completed days (30 at most)',
    parse: integerIn(1, 365),
    default: 7,
    on: 'report',
  },
  {
    flags: '--since <date>',
    description: 'breakdown from this UTC day (YYYY-MM-DD; up to 365 days back with analytics)',
    parse: calendarDay,
    on: 'report',
  },
  { flags: '--until <date>', description: 'breakdown through this UTC day (YYYY-MM-DD; default today)', parse: calendarDay, on: 'report' },
  {
    flags: '--top <n>',
    description: 'rows listed before the rest are summed in one; 0 lists all',
    parse: integerIn(0, Number.MAX_SAFE_INTEGER),
    default: 4,
    on: 'report',
  },
  { flags: '--by <group>', description: 'group the breakdown by (key, hour need analytics)', choices: GROUPS, default: 'model', on: 'report' },
  {
    flags: '--scope <scope>',
    description: 'breakdown of the whole account, or of the API key in use',
    choices: SCOPES,
    default: 'account',
    on: 'report',
    statusBar: true,
  },
  { flags: '--explain', description: 'the fine print: what each figure covers, when the UTC day ends, the month gap', on: 'report' },
  { flags: '--workspace <workspace>', description: 'limit totals, breakdown and keys to one workspace (name, slug or id)', parse: text, on: 'report' },
  { flags: '--details', description: 'a table with tokens and $ per million tokens', on: 'report' },
  { flags: '--full-names', description: 'full model ids (openai/gpt-4.1) instead of short names', on: 'report' },
  { flags: '--min-balance <usd>', description: 'exit 7 when the balance is below this', parse: usd, on: 'report' },
  { flags: '--max-today <usd>', description: "exit 7 when today's spend is above this", parse: usd, on: 'report' },
  { flags: '--max-month <usd>', description: "exit 7 when this month's spend is above this", parse: usd, on: 'report' },
  { flags: '--max-forecast <usd>', description: 'exit 7 when the month-end projection is above this (analytics)', parse: usd, on: 'report' },
  {
    flags: '--cache <seconds>',
    description: 'reuse answers fetched less than this long ago (for status bars and agents that poll)',
    parse: integerIn(0, MAX_CACHE_SECONDS),
    on: 'report',
    statusBar: true,
  },
  {
    flags: '--watch [seconds]',
    description: `redraw the report in place every N seconds (minimum ${MIN_WATCH_SECONDS}, default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`,
    parse: integerIn(MIN_WATCH_SECONDS, 86_400),
    on: 'report',
  },
  { flags: '--json', description: 'print one JSON document (schemaVersion 1); short for --format json', on: 'common' },
  {
    flags: '--format <format>',
    description: 'output: text, json, markdown, csv (the breakdown) or oneline (status bars)',
    choices: FORMATS,
    on: 'common',
    statusBar: true,
  },
  // undici times a wait for headers on a clock of about one second: a shorter limit would not be kept.
  { flags: '--timeout <seconds>', description: 'limit for each HTTP attempt, 1 to 600', parse: secondsIn(1, 600), default: 20, on: 'common' },
  {
    flags: '--deadline <seconds>',
    description: 'limit for the whole run, retries included, 1 to 3600',
    parse: secondsIn(1, 3600),
    default: 45,
    on: 'common',
  },
  {
    flags: '--base-url <url>',
    description: 'API base URL (https, or http to localhost only) (env: OPENROUTER_BASE_URL)',
    parse: text,
    on: 'common',
    statusBar: true,
  },
  { flags: '--credentials-file <path>', description: 'read keys from this file (dotenv format)', parse: text, on: 'common', statusBar: true },
  { flags: '--no-color', description: 'no colours (also: NO_COLOR, or stdout not a terminal)', on: 'common', statusBar: true },
  { flags: '--demo', description: 'use sample data shipped in the package: no key, no network', on: 'common' },
  { flags: '--debug', description: 'log each HTTP attempt to stderr (keys masked)', on: 'common' },
  { flags: '--include-disabled', description: 'list disabled keys too', on: 'keys' },
  { flags: '--workspace <workspace>', description: 'only the keys of this workspace (name, slug or id)', parse: text, on: 'keys' },
] as const satisfies readonly FlagDeclaration[];

/** The long name of a declaration (`--max-today <usd>` → `--max-today`). */
export function longName(declaration: Pick<FlagDeclaration, 'flags'>): string {
  const name = /--[a-z-]+/.exec(declaration.flags)?.[0];
  if (name === undefined) throw new Error(`no long name in ${declaration.flags}`);
  return name;
}

/** The option key commander gives a flag (`--max-today` → maxToday; `--no-color` → color). */
export function attributeName(declaration: Pick<FlagDeclaration, 'flags'>): string {
  return longName(declaration)
    .slice(2)
    .replace(/^no-/, '')
    .replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A flag's value in a command line: parsed, and checked against its choices. */
function valueOf(declaration: FlagDeclaration, word: string): unknown {
  if (declaration.choices && !declaration.choices.includes(word)) throw new FlagValueError(`not one of ${declaration.choices.join(', ')}`);
  return declaration.parse ? declaration.parse(word) : word;
}

/** The defaults of the report's flags, as commander gives them when a flag is not typed. */
export const REPORT_DEFAULTS: Pick<CliOptions, 'days' | 'top' | 'by' | 'scope' | 'timeout' | 'deadline' | 'color'> = Object.fromEntries([
  ...FLAGS.flatMap((flag) => ('default' in flag ? [[attributeName(flag), flag.default]] : [])),
  ['color', true],
]) as Pick<CliOptions, 'days' | 'top' | 'by' | 'scope' | 'timeout' | 'deadline' | 'color'>;

/**
 * The options of a status bar's cached refresh (`--format oneline --cache N` and only flags marked
 * `statusBar`), read with the table's own parsers and defaults; undefined for any other command
 * line, which then goes to commander to be parsed (and refused) in full. `--cache 0` refreshes the
 * cache: that run fetches, so it is not one.
 */
export function readStatusBarOptions(argv: readonly string[]): CliOptions | undefined {
  const options: Record<string, unknown> = { ...REPORT_DEFAULTS };
  const byName = new Map<string, FlagDeclaration>(FLAGS.filter((flag) => 'statusBar' in flag).map((flag) => [longName(flag), flag]));
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const eq = word.indexOf('=');
    const declaration = byName.get(eq > 0 ? word.slice(0, eq) : word);
    if (!declaration) return undefined;
    if (!declaration.flags.includes('<')) {
      if (eq > 0) return undefined;
      options[attributeName(declaration)] = !declaration.flags.startsWith('--no-');
      continue;
    }
    const value = eq > 0 ? word.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    try {
      options[attributeName(declaration)] = valueOf(declaration, value);
    } catch {
      return undefined;
    }
  }
  const read = options as unknown as CliOptions;
  return read.format === 'oneline' && read.cache !== undefined && read.cache > 0 ? read : undefined;
}

/**
 * The format a command line asks for, read from its words as far as they say (for the JSON error
 * document of a command line commander refused): `--json`, or the last `--format`.
 */
export function requestedFormat(argv: readonly string[]): Format | 'unclear' {
  let json = false;
  let format: string | undefined;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const word = argv[i] ?? '';
    if (word === '--json') json = true;
    else if (word === '--format') format = argv[++i];
    else if (word.startsWith('--format=')) format = word.slice('--format='.length);
  }
  try {
    return formatOf({ json, format: format === undefined ? undefined : (valueOf(FLAGS_BY_NAME.format, format) as Format) });
  } catch {
    return 'unclear';
  }
}

const FLAGS_BY_NAME = { format: FLAGS.find((flag) => flag.flags.startsWith('--format')) as FlagDeclaration };

/** --json is the short form of --format json; asking for two different formats is a usage error. */
export function formatOf(options: Pick<CommonOptions, 'json' | 'format'>): Format {
  if (options.json && options.format && options.format !== 'json') {
    throw new CliError('usage', `--json and --format ${options.format} ask for different outputs`);
  }
  return options.json ? 'json' : (options.format ?? 'text');
}
