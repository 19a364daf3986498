// Issue "One pipeline", item 1: one account, one set of figures, whatever prints them and however
// they were reached. For each account shape below (a stand-in configuration), every figure that
// oneline, text, JSON, markdown and CSV print must agree across
//
//   - a fresh run (--cache 0, which also writes the cache entry; for oneline also no --cache),
//   - a cache hit (--cache 600, same identity: keys, base URL, scope, window), which asks nothing,
//     and for oneline both the status bar's fast path (exactly `--format oneline --cache 600`) and
//     the ordinary path from the same entry (`--days 7` is no word of the fast path),
//   - the stale line after a failure (12 minutes later every endpoint answers 500, `--format
//     oneline --cache 1`): the last good figures, marked `(stale 12m)`.
//
// JSON is the reference: each format's figures are read off its own output (every dollar amount
// printed must be one the extractor knows, so none goes unchecked) and compared with the JSON
// document's, rounded to cents where the format prints cents. The JSON figures themselves are
// checked against plain sums over the stand-in's spend events (test/server.ts), never against
// anything computed by src/. A recent bug this guards: the cached oneline printed `OR acct $4.23
// today` (the /keys sum) where a fresh run printed `$4.73` (the analytics total). Only an account
// whose analytics holds spend /keys does not list (a key deleted this month) tells the two apart.
//
// The clock is pinned (FAKE_CLOCK_NOW, frozen), so each run sees the same instant and a cache entry
// written by one run is exactly 0 s old for the next. Shapes run concurrently, each on its own
// stand-in and sandbox; runs within a shape are sequential (they share one cache entry).
import { join } from 'node:path';
import { describe, test, type ExpectStatic } from 'vitest';
import { readStatusBarOptions } from '../src/base/options.js';
import type { JsonDocument } from '../src/render/json-contract.js';
import { expectCleanRun, makeSandbox, runCli, type CliResult } from './run-cli.js';
import {
  API_KEY,
  MGMT_KEY,
  dayOf,
  periodStarts,
  secretOf,
  startStandIn,
  utcDay,
  WITHOUT_ANALYTICS,
  type FaultPath,
  type SpendEvent,
  type StandIn,
  type StandInOptions,
} from './server.js';

// ---------------------------------------------------------------------------------------------
// Account shapes.

/** Mid-month, a Wednesday: this week and this month both hold completed days. */
const MID_MONTH = '2026-03-11T12:00:00.000Z';
/** The 1st of a month, a Wednesday, early: this week reaches into last month, this month is today only. */
const FIRST_OF_MONTH = '2026-04-01T06:30:00.000Z';
/** How long after the cached run the stale line is printed. */
const STALE_AFTER_MS = 12 * 60_000;
const STALE_MARK = ' (stale 12m)';

type Keys = 'both' | 'management' | 'inference';

interface Shape {
  name: string;
  now: string;
  standIn: StandInOptions;
  keys: Keys;
  /** Whether the stand-in offers the analytics API (only a management key can use it). */
  analytics: boolean;
  /** Anything the stand-in needs beyond its options. */
  setup?: (s: StandIn) => void;
}

const ZERO_CREDITS = (s: StandIn): void => s.setFault('/credits', { kind: 'json', body: { data: { total_credits: 0, total_usage: 0 } } });

const SHAPES: Shape[] = [
  { name: 'analytics available (default account)', now: MID_MONTH, standIn: {}, keys: 'both', analytics: true },
  { name: 'analytics available, on the 1st of the month', now: FIRST_OF_MONTH, standIn: {}, keys: 'both', analytics: true },
  { name: 'no analytics (/activity only)', now: MID_MONTH, standIn: { modes: WITHOUT_ANALYTICS }, keys: 'both', analytics: false },
  { name: 'multiple workspaces', now: MID_MONTH, standIn: { workspaces: 'multi' }, keys: 'both', analytics: true },
  {
    name: 'multiple workspaces, no analytics, on the 1st of the month',
    now: FIRST_OF_MONTH,
    standIn: { workspaces: 'multi', modes: WITHOUT_ANALYTICS },
    keys: 'both',
    analytics: false,
  },
  { name: 'a key deleted this month', now: MID_MONTH, standIn: { deletedKeyThisMonth: true }, keys: 'both', analytics: true },
  {
    name: 'a key deleted this month, no analytics',
    now: MID_MONTH,
    standIn: { deletedKeyThisMonth: true, modes: WITHOUT_ANALYTICS },
    keys: 'both',
    analytics: false,
  },
  {
    name: 'multiple workspaces and a key deleted this month',
    now: MID_MONTH,
    standIn: { workspaces: 'multi', deletedKeyThisMonth: true },
    keys: 'both',
    analytics: true,
  },
  {
    name: 'multiple workspaces and a key deleted this month, no analytics',
    now: MID_MONTH,
    standIn: { workspaces: 'multi', deletedKeyThisMonth: true, modes: WITHOUT_ANALYTICS },
    keys: 'both',
    analytics: false,
  },
  { name: '/credits answers the inference key with zeros', now: MID_MONTH, standIn: {}, keys: 'inference', analytics: true, setup: ZERO_CREDITS },
  { name: 'management key alone', now: MID_MONTH, standIn: {}, keys: 'management', analytics: true },
  { name: 'management key alone, no analytics', now: MID_MONTH, standIn: { modes: WITHOUT_ANALYTICS }, keys: 'management', analytics: false },
  {
    name: 'management key alone, multiple workspaces and a key deleted this month',
    now: FIRST_OF_MONTH,
    standIn: { workspaces: 'multi', deletedKeyThisMonth: true },
    keys: 'management',
    analytics: true,
  },
  { name: 'inference key alone', now: MID_MONTH, standIn: {}, keys: 'inference', analytics: true },
];

function keyEnv(keys: Keys): Record<string, string> {
  return {
    ...(keys !== 'management' ? { OPENROUTER_API_KEY: API_KEY } : {}),
    ...(keys !== 'inference' ? { OPENROUTER_MGMT_KEY: MGMT_KEY } : {}),
  };
}

const FORMATS = ['oneline', 'text', 'json', 'markdown', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const ENDPOINTS: FaultPath[] = ['/key', '/credits', '/activity', '/keys', '/workspaces', '/analytics/meta', '/analytics/query'];
/** The CLI's default --top: text and markdown list this many rows and one for the rest (CSV lists all unless --top is given). */
const TOP = 4;

// ---------------------------------------------------------------------------------------------
// Money as printed: the test's own rounding to cents (half up on the decimal value), not src/'s.

function usd(amount: number): string {
  if (amount === 0) return '$0.00';
  const cents = Math.round(Number((Math.abs(amount) * 100).toPrecision(12)));
  if (cents === 0) return amount > 0 ? '<$0.01' : '>-$0.01';
  const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount < 0 ? '-' : ''}$${whole}.${String(cents % 100).padStart(2, '0')}`;
}

const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A dollar amount as the formats print it (`$1,234.56`, `<$0.01`). */
const M = String.raw`[<>]?-?\$[\d,]+\.\d\d`;
const MONEY = /\$[\d,]+\.\d\d/g;
const HAS_MONEY = /\$[\d,]+\.\d\d/;
const moneyCount = (text: string): number => (text.match(MONEY) ?? []).length;

/** What a format printed, by label (`account.today`, `model[2].usage` …), every value as printed. */
type Figures = Record<string, string>;

interface Extracted {
  figures: Figures;
  /** Lines holding a dollar amount no rule knows: a figure this test would not check. */
  unknown: string[];
}

/** A model row's name as printed: the full id or the part after the last `/`. */
function nameFits(printed: string, model: string): boolean {
  return printed === model || model.endsWith(`/${printed}`);
}

// ---------------------------------------------------------------------------------------------
// Reading each format.

function readOneline(stdout: string): Extracted {
  const figures: Figures = {};
  const m = new RegExp(String.raw`^OR (acct|key) (${M}) today(?: · (${M}) (left|of cap left|this month))?( · !)?( \(stale \d+[mhd]\))?\n$`).exec(stdout);
  if (!m) return { figures, unknown: [stdout] };
  figures.whose = m[1]!;
  figures.today = m[2]!;
  if (m[3]) figures[m[4]!] = m[3];
  if (m[5]) figures.alert = '!';
  return { figures, unknown: [] };
}

function readText(stdout: string): Extracted {
  const figures: Figures = {};
  const unknown: string[] = [];
  const periods = (prefix: string, m: RegExpExecArray, from = 1): void => {
    figures[`${prefix}.today`] = m[from]!;
    figures[`${prefix}.week`] = m[from + 1]!;
    figures[`${prefix}.month`] = m[from + 2]!;
  };
  const tpm = String.raw`Today: (${M})\*? \| Week: (${M}) \| Month: (${M})`;
  let model = 0;
  for (const line of stdout.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(String.raw`^${tpm} \(this key\)$`).exec(line))) periods('key', m);
    else if ((m = new RegExp(String.raw`^(Account|Account \(default workspace\)|Workspace .+): ${tpm} \((.+)\)$`).exec(line))) {
      periods('account', m, 2);
      figures['account.label'] = `${m[1]} (${m[5]})`;
    } else if ((m = new RegExp(String.raw`^BYOK: Today: (${M}) \| Week: (${M}) \| Month: (${M}) \((this key|account), .+\)$`).exec(line))) {
      periods('byok', m);
      figures['byok.whose'] = m[4]!;
    } else if ((m = new RegExp(String.raw`^Month: (${M}), on pace for (${M}) \(account, at the (\d+)-day average of (${M})/day\)$`).exec(line))) {
      figures['forecast.monthToDate'] = m[1]!;
      figures['forecast.projectedMonth'] = m[2]!;
      figures['forecast.averageDays'] = m[3]!;
      figures['forecast.dailyAverage'] = m[4]!;
    } else if ((m = new RegExp(String.raw`^Balance: (${M}) / (${M})(?: · runway about (\d+) days? \(until (\d{4}-\d\d-\d\d)\))?$`).exec(line))) {
      figures['credits.remaining'] = m[1]!;
      figures['credits.total'] = m[2]!;
      if (m[3]) {
        figures['runway.days'] = m[3];
        figures['runway.until'] = m[4]!;
      }
    } else if ((m = new RegExp(String.raw`^Key limit: (${M}) left of (${M})`).exec(line))) {
      figures['key.limitRemaining'] = m[1]!;
      figures['key.limit'] = m[2]!;
    } else if ((m = new RegExp(String.raw`^• (\d+) more models: (${M}) \(([\d,]+)\)$`).exec(line))) {
      figures['rest.count'] = m[1]!;
      figures['rest.usage'] = m[2]!;
      figures['rest.requests'] = m[3]!;
    } else if ((m = new RegExp(String.raw`^• (.+): (${M}) \(([\d,]+)\)(?: \+ (${M}) BYOK)?$`).exec(line))) {
      figures[`model[${model}].name`] = m[1]!;
      figures[`model[${model}].usage`] = m[2]!;
      figures[`model[${model}].requests`] = m[3]!;
      if (m[4]) figures[`model[${model}].byok`] = m[4];
      model++;
    } else if ((m = new RegExp(String.raw`^Trend: .*min (${M}) · avg (${M})/day · max (${M})$`).exec(line))) {
      figures['trend.min'] = m[1]!;
      figures['trend.average'] = m[2]!;
      figures['trend.max'] = m[3]!;
    } else if ((m = new RegExp(String.raw`^Note: /activity has (${M}) more this month than the live total`).exec(line))) {
      figures['discrepancy.unexplained'] = `-${m[1]}`;
    } else if ((m = new RegExp(String.raw`^Note: the live month is (${M}) above /activity`).exec(line))) {
      figures['discrepancy.unexplained'] = m[1]!;
    } else if (HAS_MONEY.test(line)) unknown.push(line);
  }
  return { figures, unknown };
}

function readMarkdown(stdout: string): Extracted {
  const figures: Figures = {};
  const unknown: string[] = [];
  let model = 0;
  for (const line of stdout.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(String.raw`^\| This key \| (${M}) \| (${M}) \| (${M}) \|$`).exec(line))) {
      figures['key.today'] = m[1]!;
      figures['key.week'] = m[2]!;
      figures['key.month'] = m[3]!;
    } else if ((m = new RegExp(String.raw`^\| ((?:Account|Workspace)[^|]*) \| (${M}) \| (${M}) \| (${M}) \|$`).exec(line))) {
      figures['account.label'] = m[1]!;
      figures['account.today'] = m[2]!;
      figures['account.week'] = m[3]!;
      figures['account.month'] = m[4]!;
    } else if (line.startsWith('**Balance:**') || line.startsWith('**Month:**') || line.startsWith('**Key limit:**') || line.startsWith('**Runway:**')) {
      // One line of ` · `-separated entries.
      let covered = 0;
      for (const entry of line.split(' · ')) {
        if ((m = new RegExp(String.raw`^\*\*Balance:\*\* (${M}) of (${M})$`).exec(entry))) {
          figures['credits.remaining'] = m[1]!;
          figures['credits.total'] = m[2]!;
          covered += 2;
        } else if ((m = new RegExp(String.raw`^\*\*Month:\*\* (${M}), on pace for (${M})$`).exec(entry))) {
          figures['forecast.monthToDate'] = m[1]!;
          figures['forecast.projectedMonth'] = m[2]!;
          covered += 2;
        } else if ((m = /^\*\*Runway:\*\* about (\d+) days? \(until (\d{4}-\d\d-\d\d)\)$/.exec(entry))) {
          figures['runway.days'] = m[1]!;
          figures['runway.until'] = m[2]!;
        } else if ((m = new RegExp(String.raw`^\*\*Key limit:\*\* (${M}) left of (${M})`).exec(entry))) {
          figures['key.limitRemaining'] = m[1]!;
          figures['key.limit'] = m[2]!;
          covered += 2;
        }
      }
      if (covered !== moneyCount(line)) unknown.push(line);
    } else if ((m = new RegExp(String.raw`^\| _(\d+) more models_ \| _(${M})_ \| _([\d,]+)_ \|$`).exec(line))) {
      figures['rest.count'] = m[1]!;
      figures['rest.usage'] = m[2]!;
      figures['rest.requests'] = m[3]!;
    } else if ((m = new RegExp(String.raw`^\| ([^|]+) \| (${M}) \| ([\d,]+) \|$`).exec(line))) {
      figures[`model[${model}].name`] = m[1]!;
      figures[`model[${model}].usage`] = m[2]!;
      figures[`model[${model}].requests`] = m[3]!;
      model++;
    } else if ((m = new RegExp(String.raw`^Daily average (${M}) \(min (${M}), max (${M})\)$`).exec(line))) {
      figures['trend.average'] = m[1]!;
      figures['trend.min'] = m[2]!;
      figures['trend.max'] = m[3]!;
    } else if ((m = /^_(Month \$.*)_$/.exec(line))) {
      // The gap sentence, the very words of JSON's discrepancy.message.
      figures['discrepancy.message'] = m[1]!;
    } else if (HAS_MONEY.test(line)) unknown.push(line);
  }
  return { figures, unknown };
}

/** CSV: the rows as printed, by column name. */
function readCsv(stdout: string): { header: string; rows: string[][] } {
  const lines = stdout.split('\r\n');
  const last = lines.pop();
  if (last !== '') throw new Error(`CSV does not end in CRLF: ${JSON.stringify(stdout.slice(-40))}`);
  return { header: lines[0] ?? '', rows: lines.slice(1).map((l) => l.split(',')) };
}

// ---------------------------------------------------------------------------------------------
// What each format must print, from the JSON document.

type Periods = { today: number; week: number; month: number };
const hasSpend = (p: Periods | null | undefined): p is Periods => !!p && (p.today > 0 || p.week > 0 || p.month > 0);

function expectedOneline(doc: JsonDocument): Figures {
  const f: Figures = {};
  const primary = doc.account ? { whose: 'acct', ...doc.account.usage } : doc.key.usage ? { whose: 'key', ...doc.key.usage } : undefined;
  if (!primary) return f;
  f.whose = primary.whose;
  f.today = usd(primary.today);
  if (doc.credits) f.left = usd(doc.credits.remaining);
  else if (doc.key.limitRemaining !== null) f['of cap left'] = usd(doc.key.limitRemaining);
  else f['this month'] = usd(primary.month);
  if (doc.alerts.length > 0) f.alert = '!';
  return f;
}

/** Models as text and markdown list them: the first TOP by name, the rest summed in one row. */
function modelRows(doc: JsonDocument, f: Figures, withByok: boolean): void {
  const items = doc.models?.items ?? [];
  items.slice(0, TOP).forEach((item, i) => {
    f[`model[${i}].name`] = item.model;
    f[`model[${i}].usage`] = usd(item.usage);
    f[`model[${i}].requests`] = count(item.requests);
    if (withByok && item.byokUsage > 0) f[`model[${i}].byok`] = usd(item.byokUsage);
  });
  const rest = items.slice(TOP);
  if (rest.length > 0) {
    f['rest.count'] = String(rest.length);
    f['rest.usage'] = usd(rest.reduce((sum, i) => sum + i.usage, 0));
    f['rest.requests'] = count(rest.reduce((sum, i) => sum + i.requests, 0));
  }
}

/** Printed model names are short ids: replace each with the JSON id it stands for, when it does. */
function withModelIds(printed: Figures, doc: JsonDocument): Figures {
  const out = { ...printed };
  for (const [label, value] of Object.entries(printed)) {
    const m = /^model\[(\d+)\]\.name$/.exec(label);
    const model = m && doc.models?.items[Number(m[1])]?.model;
    if (model && nameFits(value, model)) out[label] = model;
  }
  return out;
}

function expectedText(doc: JsonDocument): Figures {
  const f: Figures = {};
  const { key, account } = doc;
  if (key.usage) Object.assign(f, { 'key.today': usd(key.usage.today), 'key.week': usd(key.usage.week), 'key.month': usd(key.usage.month) });
  if (account) {
    Object.assign(f, { 'account.today': usd(account.usage.today), 'account.week': usd(account.usage.week), 'account.month': usd(account.usage.month) });
    const spaces = account.workspaces && account.workspaces.length > 1 ? ` in ${account.workspaces.length} workspaces` : '';
    const label = account.coverage === 'default-workspace' ? 'Account (default workspace)' : 'Account';
    f['account.label'] =
      `${label} (${account.source === 'analytics' ? 'all keys, deleted too' : `${account.keys} key${account.keys === 1 ? '' : 's'}${spaces}`})`;
  }
  const byok = key.usage ? key.byokUsage : account?.byokUsage;
  if (hasSpend(byok)) {
    Object.assign(f, { 'byok.today': usd(byok.today), 'byok.week': usd(byok.week), 'byok.month': usd(byok.month) });
    f['byok.whose'] = key.usage ? 'this key' : 'account';
  }
  if (doc.forecast) {
    f['forecast.monthToDate'] = usd(doc.forecast.monthToDate);
    f['forecast.projectedMonth'] = usd(doc.forecast.projectedMonth);
    f['forecast.averageDays'] = String(doc.forecast.basis.averageDays);
    f['forecast.dailyAverage'] = usd(doc.forecast.dailyAverage);
  }
  if (doc.credits) {
    f['credits.remaining'] = usd(doc.credits.remaining);
    f['credits.total'] = usd(doc.credits.total);
  }
  if (doc.runway?.basis === 'credits') {
    f['runway.days'] = String(doc.runway.days);
    f['runway.until'] = doc.runway.until;
  }
  if (key.limit !== null && key.limitRemaining !== null) {
    f['key.limitRemaining'] = usd(key.limitRemaining);
    f['key.limit'] = usd(key.limit);
  }
  modelRows(doc, f, true);
  if (doc.models && doc.models.days > 1 && doc.models.items.length > 0 && doc.trend) {
    Object.assign(f, { 'trend.min': usd(doc.trend.min), 'trend.average': usd(doc.trend.average), 'trend.max': usd(doc.trend.max) });
  }
  if (doc.discrepancy && Math.abs(doc.discrepancy.unexplained) >= 0.005) f['discrepancy.unexplained'] = usd(doc.discrepancy.unexplained);
  return f;
}

function expectedMarkdown(doc: JsonDocument): Figures {
  const f: Figures = {};
  const { key, account } = doc;
  if (key.usage) Object.assign(f, { 'key.today': usd(key.usage.today), 'key.week': usd(key.usage.week), 'key.month': usd(key.usage.month) });
  if (account) {
    Object.assign(f, { 'account.today': usd(account.usage.today), 'account.week': usd(account.usage.week), 'account.month': usd(account.usage.month) });
    const spaces = account.workspaces && account.workspaces.length > 1 ? ` in ${account.workspaces.length} workspaces` : '';
    f['account.label'] =
      account.source === 'analytics'
        ? 'Account (all keys)'
        : account.coverage === 'default-workspace'
          ? `Account, default workspace only (${account.keys} keys)`
          : `Account (${account.keys} keys${spaces})`;
  }
  if (doc.credits) {
    f['credits.remaining'] = usd(doc.credits.remaining);
    f['credits.total'] = usd(doc.credits.total);
  }
  if (key.limit !== null && key.limitRemaining !== null) {
    f['key.limitRemaining'] = usd(key.limitRemaining);
    f['key.limit'] = usd(key.limit);
  }
  if (doc.forecast) {
    f['forecast.monthToDate'] = usd(doc.forecast.monthToDate);
    f['forecast.projectedMonth'] = usd(doc.forecast.projectedMonth);
  }
  if (doc.runway?.basis === 'credits') {
    f['runway.days'] = String(doc.runway.days);
    f['runway.until'] = doc.runway.until;
  }
  modelRows(doc, f, false);
  if (doc.models && doc.models.days > 1 && doc.models.items.length > 0 && doc.trend) {
    Object.assign(f, { 'trend.min': usd(doc.trend.min), 'trend.average': usd(doc.trend.average), 'trend.max': usd(doc.trend.max) });
  }
  if (doc.discrepancy) f['discrepancy.message'] = doc.discrepancy.message;
  return f;
}

const CSV_HEADER = 'model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens';

function expectedCsv(doc: JsonDocument): { header: string; rows: string[][] } {
  const cell = (v: number | null): string => (v === null ? '' : String(v));
  return {
    header: CSV_HEADER,
    rows: (doc.models?.items ?? []).map((i) => [
      i.model,
      cell(i.usage),
      cell(i.byokUsage),
      cell(i.requests),
      cell(i.promptTokens),
      cell(i.completionTokens),
      cell(i.reasoningTokens),
      cell(i.usdPerMillionTokens),
    ]),
  };
}

/** The figures a format printed, in a form `toEqual` compares, and the lines it could not read. */
function figuresOf(format: Exclude<Format, 'json'>, stdout: string, doc: JsonDocument): { figures: unknown; unknown: string[] } {
  switch (format) {
    case 'oneline':
      return readOneline(stdout.replace(STALE_MARK, ''));
    case 'text': {
      const { figures, unknown } = readText(stdout);
      return { figures: withModelIds(figures, doc), unknown };
    }
    case 'markdown': {
      const { figures, unknown } = readMarkdown(stdout);
      return { figures: withModelIds(figures, doc), unknown };
    }
    case 'csv':
      return { figures: readCsv(stdout), unknown: [] };
  }
}

function expectedOf(format: Exclude<Format, 'json'>, doc: JsonDocument): unknown {
  switch (format) {
    case 'oneline':
      return expectedOneline(doc);
    case 'text':
      return expectedText(doc);
    case 'markdown':
      return expectedMarkdown(doc);
    case 'csv':
      return expectedCsv(doc);
  }
}

// ---------------------------------------------------------------------------------------------
// Hand sums over the stand-in's events: what the JSON document must say.

const sum = (events: readonly SpendEvent[], pick: (e: SpendEvent) => number): number => events.reduce((total, e) => total + pick(e), 0);

function periodsOf(events: readonly SpendEvent[], now: Date, pick: (e: SpendEvent) => number): Periods {
  const { today, week, month } = periodStarts(now);
  const from = (first: string) =>
    sum(
      events.filter((e) => dayOf(e) >= first && dayOf(e) <= today),
      pick,
    );
  return { today: from(today), week: from(week), month: from(month) };
}

function expectClose(expect: ExpectStatic, actual: number | undefined, wanted: number, what: string): void {
  // Money in the JSON is rounded to 1e-9; the live counters the stand-in serves to 1e-6 per key.
  expect(Math.abs((actual ?? NaN) - wanted), `${what}: ${actual} vs hand sum ${wanted}`).toBeLessThan(1e-5);
}

function expectPeriods(expect: ExpectStatic, actual: Periods | null | undefined, wanted: Periods, what: string): void {
  expect(actual, what).toBeTruthy();
  for (const p of ['today', 'week', 'month'] as const) expectClose(expect, actual?.[p], wanted[p], `${what}.${p}`);
}

function expectHandSums(expect: ExpectStatic, shape: Shape, s: StandIn, doc: JsonDocument): void {
  const now = new Date(shape.now);
  const events = s.data.events;
  const usage = (e: SpendEvent) => e.usage;
  const byok = (e: SpendEvent) => e.byokUsage;
  const management = shape.keys !== 'inference';
  const viaAnalytics = management && shape.analytics;

  // This key's live counters: its own events.
  if (shape.keys === 'management') {
    expect(doc.key.usage, 'a management key spends nothing of its own').toBeNull();
  } else {
    const own = events.filter((e) => e.keyHash === s.data.apiKeyHash);
    expectPeriods(expect, doc.key.usage, periodsOf(own, now, usage), 'key.usage');
    expectClose(expect, doc.key.usage?.total, sum(own, usage), 'key.usage.total');
    expectPeriods(expect, doc.key.byokUsage, periodsOf(own, now, byok), 'key.byokUsage');
  }

  if (!management) {
    expect(doc.account, 'no account totals without a management key').toBeNull();
    expect(doc.credits, 'no balance without a management key').toBeNull();
    expect(doc.models, 'no breakdown without a management key').toBeNull();
    return;
  }

  // The account: through analytics every key, deleted ones too; else the keys /keys lists, in every workspace.
  const listed = new Set(s.data.keys.map((k) => k.hash));
  const listedEvents = events.filter((e) => listed.has(e.keyHash));
  const accountEvents = viaAnalytics ? events : listedEvents;
  expect(doc.account?.source, 'account.source').toBe(viaAnalytics ? 'analytics' : 'keys');
  expectPeriods(expect, doc.account?.usage, periodsOf(accountEvents, now, usage), 'account.usage');
  expectPeriods(expect, doc.account?.byokUsage, periodsOf(accountEvents, now, byok), 'account.byokUsage');
  if (viaAnalytics) expectPeriods(expect, doc.account?.listedKeys, periodsOf(listedEvents, now, usage), 'account.listedKeys');
  for (const w of doc.account?.workspaces ?? []) {
    const inWorkspace = listedEvents.filter((e) => e.workspaceId === w.id);
    expectPeriods(expect, w.usage, periodsOf(inWorkspace, now, usage), `account.workspaces[${w.name}].usage`);
  }
  expect(doc.account?.workspaces?.length ?? 1, 'workspaces listed').toBe(s.data.workspaces.length);

  // The balance: credits bought less everything spent, by every key ever (deleted ones too).
  const used = sum(events, usage);
  expectClose(expect, doc.credits?.total, s.data.credits.total_credits, 'credits.total');
  expectClose(expect, doc.credits?.used, used, 'credits.used');
  expectClose(expect, doc.credits?.remaining, s.data.credits.total_credits - used, 'credits.remaining');

  // The breakdown: the last 7 days through today (analytics), else the 7 completed UTC days before it.
  const [from, to] = viaAnalytics ? [utcDay(now, -6), utcDay(now, 0)] : [utcDay(now, -7), utcDay(now, -1)];
  expect([doc.models?.from, doc.models?.to], 'breakdown window').toEqual([from, to]);
  const inWindow = events.filter((e) => dayOf(e) >= from && dayOf(e) <= to);
  const byModel = new Map<string, SpendEvent[]>();
  for (const e of inWindow) byModel.set(e.permaslug, [...(byModel.get(e.permaslug) ?? []), e]);
  expect(doc.models?.items.length, 'models in the window').toBe(byModel.size);
  for (const item of doc.models?.items ?? []) {
    const group = [...byModel.values()].find((g) => g[0]!.model === item.model || g[0]!.permaslug === item.model);
    expect(group, `a model the events of ${from} to ${to} hold: ${item.model}`).toBeDefined();
    if (!group) continue;
    expectClose(expect, item.usage, sum(group, usage), `models[${item.model}].usage`);
    expectClose(expect, item.byokUsage, sum(group, byok), `models[${item.model}].byokUsage`);
    expect(item.requests, `models[${item.model}].requests`).toBe(sum(group, (e) => e.requests));
    expect(item.promptTokens, `models[${item.model}].promptTokens`).toBe(sum(group, (e) => e.promptTokens));
    expect(item.completionTokens, `models[${item.model}].completionTokens`).toBe(sum(group, (e) => e.completionTokens));
  }
  // The days of the window and the trend over them.
  const days: number[] = [];
  for (let d = from; d <= to; d = utcDay(new Date(`${d}T00:00:00Z`), 1)) {
    const day = d;
    const daily = sum(
      inWindow.filter((e) => dayOf(e) === day),
      usage,
    );
    days.push(daily);
    expectClose(expect, doc.daily?.find((x) => x.date === d)?.usage, daily, `daily[${d}]`);
  }
  expectClose(expect, doc.trend?.min, Math.min(...days), 'trend.min');
  expectClose(expect, doc.trend?.max, Math.max(...days), 'trend.max');
  expectClose(expect, doc.trend?.average, sum(inWindow, usage) / days.length, 'trend.average');
  if (viaAnalytics) expectClose(expect, doc.forecast?.monthToDate, periodsOf(events, now, usage).month, 'forecast.monthToDate');
}

// ---------------------------------------------------------------------------------------------
// The property.

interface Paths {
  /** No --cache at all (oneline only). */
  plain?: CliResult;
  /** --cache 0: fetched afresh, the entry written. */
  fresh: CliResult;
  /** --cache 600: the entry read (for oneline: the status bar's fast path). */
  hit: CliResult;
}

describe.concurrent('every format prints the same figures, fresh, cached and stale', () => {
  test.for(SHAPES)('$name', async (shape, { expect }) => {
    const s = await startStandIn({ now: new Date(shape.now), ...shape.standIn });
    shape.setup?.(s);
    const sandbox = await makeSandbox();
    const later = new Date(Date.parse(shape.now) + STALE_AFTER_MS).toISOString();
    const env = (at: string) => ({
      ...keyEnv(shape.keys),
      OPENROUTER_BASE_URL: s.url,
      XDG_CACHE_HOME: join(sandbox.root, 'cache'),
      FAKE_CLOCK_NOW: at,
      // No text line wraps: each figure stays on the line that names it.
      COLUMNS: '1000',
    });
    const run = (argv: string[], at = shape.now) => runCli(argv, { sandbox, env: env(at), frozenClock: true });
    try {
      const runs = {} as Record<Format, Paths>;
      for (const format of FORMATS) {
        // Without --cache too for the status bar's line, as the bug was seen (elsewhere --cache 0 is as fresh, and runs cost time).
        const plain = format === 'oneline' ? await run(['--format', format]) : undefined;
        const fresh = await run(['--format', format, '--cache', '0']);
        runs[format] = { ...(plain ? { plain } : {}), fresh, hit: undefined as unknown as CliResult };
      }
      const asked = s.requests.length;
      for (const format of FORMATS) runs[format].hit = await run(['--format', format, '--cache', '600']);
      // The same entry through commander: --days is no word of the fast path.
      const ordinaryArgv = ['--format', 'oneline', '--cache', '600', '--days', '7'];
      expect(readStatusBarOptions(['--format', 'oneline', '--cache', '600']), 'the fast path takes this argv').toBeDefined();
      expect(readStatusBarOptions(ordinaryArgv), 'the fast path leaves this argv to commander').toBeUndefined();
      const ordinaryHit = await run(ordinaryArgv);
      expect(s.requests.length, 'every --cache 600 run is answered from the entry --cache 0 wrote').toBe(asked);

      // 12 minutes later the server fails everywhere: the status bar shows the last good figures, marked stale.
      for (const path of ENDPOINTS) s.setFault(path, { status: 500, headers: { 'retry-after-ms': '0' } });
      const stale = await run(['--format', 'oneline', '--cache', '1'], later);

      const secrets = [API_KEY, MGMT_KEY].map(secretOf);
      for (const r of [...FORMATS.flatMap((f) => Object.values(runs[f])), ordinaryHit, stale]) expectCleanRun(r, secrets);

      // JSON is the reference; its own figures are the events' hand sums.
      const doc = JSON.parse(runs.json.fresh.stdout) as JsonDocument;
      expectHandSums(expect, shape, s, doc);

      for (const format of FORMATS) {
        const { plain, fresh, hit } = runs[format];
        const paths: Array<[string, CliResult]> = [
          ...(plain ? ([['fresh (no --cache)', plain]] as Array<[string, CliResult]>) : []),
          ['fresh (--cache 0)', fresh],
          [format === 'oneline' ? 'cache hit (fast path)' : 'cache hit', hit],
          ...(format === 'oneline' ? ([['cache hit (ordinary path)', ordinaryHit]] as Array<[string, CliResult]>) : []),
        ];
        for (const [path, r] of paths) {
          const where = `${shape.name}: ${format}, ${path}`;
          expect(r.code, `${where}: exit code (stderr: ${r.stderr})`).toBe(0);
          if (format === 'json') {
            expect(JSON.parse(r.stdout), `${where}: the document vs the fresh run's`).toEqual(doc);
          } else {
            const read = figuresOf(format, r.stdout, doc);
            expect(read.unknown, `${where}: dollar amounts this test cannot read`).toEqual([]);
            expect(read.figures, `${where}: figures vs JSON's\n${r.stdout}`).toEqual(expectedOf(format, doc));
          }
          // And nothing else differs either: same words, same warnings.
          expect(r.stdout, `${where}: stdout vs the fresh run's`).toBe(fresh.stdout);
          expect(r.stderr, `${where}: stderr vs the fresh run's`).toBe(fresh.stderr);
        }
      }

      const where = `${shape.name}: oneline, stale line after a failure`;
      expect(stale.code, `${where}: a failed run exits non-zero (stderr: ${stale.stderr})`).not.toBe(0);
      expect(figuresOf('oneline', stale.stdout, doc).figures, `${where}: figures vs JSON's`).toEqual(expectedOneline(doc));
      expect(stale.stdout, where).toBe(runs.oneline.fresh.stdout.replace(/\n$/, `${STALE_MARK}\n`));
    } finally {
      await sandbox.cleanup();
      await s.close();
    }
  });
});
