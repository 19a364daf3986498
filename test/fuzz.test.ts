// Property-based: whatever JSON the API sends, the pipeline (validate → aggregate → render) either
// renders a report whose every figure is a real number, or fails with a clean invalid-response error.
import type { StandIn } from './server.js';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { activitySchema, creditsSchema, keyListSchema, keySchema } from '../src/api/schemas.js';
import { parseBody } from '../src/api/parse-body.js';
import { CliError } from '../src/base/errors.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { buildCheckedReport, buildReport, type Outcome } from '../src/model/report.js';
import { alertSentence } from '../src/render/sentences.js';

const now = new Date('2026-03-10T15:00:00Z');
const plain = new Chalk({ level: 0 });

/**
 * Strings that cannot themselves spell what the properties look for in the output (a label or a
 * model name of "NaN" or "$-" is printed as given, sanitised; hostile strings have their own tests).
 */
const innocent = (text: string): boolean => !/NaN|undefined|Infinity|\$|\[object Object\]/.test(text);
const text = fc.string().filter(innocent);
const anyJson = fc.jsonValue().filter((v) => innocent(JSON.stringify(v) ?? ''));

/** Sometimes a plausible value, sometimes anything at all, sometimes absent. */
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: plausible },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(text, fc.double(), fc.boolean(), anyJson) },
  );
}

const money = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.double() },
);
const count = fc.oneof(fc.nat(), fc.integer(), fc.double());
const day = fc.integer({ min: -3, max: 35 }).map((n) => new Date(now.getTime() - n * 86_400_000).toISOString().slice(0, 10));
const model = fc.oneof(fc.constantFrom('openai/gpt-4.1', 'groq/gpt-oss-120b', 'openai/gpt-oss-120b', 'x', 'a/b/c/'), text);

const keyBody = fc.oneof(
  { weight: 1, arbitrary: anyJson },
  {
    weight: 8,
    arbitrary: fc.record(
      {
        data: fc.record(
          {
            label: field(text),
            usage: field(money),
            usage_daily: field(money),
            usage_weekly: field(money),
            usage_monthly: field(money),
            byok_usage: field(money),
            byok_usage_daily: field(money),
            byok_usage_weekly: field(money),
            byok_usage_monthly: field(money),
            limit: field(fc.oneof(money, fc.double())),
            limit_remaining: field(fc.double()),
            limit_reset: field(fc.constantFrom('daily', 'weekly', 'monthly')),
            is_management_key: field(fc.boolean()),
            is_free_tier: field(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  },
);

const creditsBody = fc.oneof(
  anyJson,
  fc.record({ data: fc.record({ total_credits: field(money), total_usage: field(money) }, { requiredKeys: [] }) }, { requiredKeys: [] }),
);

const activityRow = fc.record(
  {
    date: field(day),
    model: field(model),
    usage: field(money),
    byok_usage_inference: field(money),
    requests: field(count),
    prompt_tokens: field(count),
    completion_tokens: field(count),
    reasoning_tokens: field(count),
  },
  { requiredKeys: [] },
);
const keyListItem = fc.record(
  {
    hash: field(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 64 })),
    name: field(text),
    label: field(text),
    disabled: field(fc.boolean()),
    usage: field(money),
    usage_daily: field(money),
    usage_weekly: field(money),
    usage_monthly: field(money),
    limit: field(fc.double()),
    limit_remaining: field(fc.double()),
  },
  { requiredKeys: [] },
);
const keyListBody = fc.oneof({ weight: 1, arbitrary: anyJson }, { weight: 6, arbitrary: fc.record({ data: fc.array(keyListItem, { maxLength: 10 }) }) });
const textOptions = fc.record({
  top: fc.integer({ min: 0, max: 10 }),
  by: fc.constantFrom('model' as const, 'provider' as const, 'day' as const),
  details: fc.boolean(),
  fullNames: fc.boolean(),
  width: fc.option(fc.integer({ min: 10, max: 200 }), { nil: undefined }),
});
const thresholds = fc.record({
  minBalance: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
  maxToday: fc.option(fc.nat(50), { nil: undefined }),
});

const activityBody = fc.oneof({ weight: 1, arbitrary: anyJson }, { weight: 6, arbitrary: fc.record({ data: fc.array(activityRow, { maxLength: 40 }) }) });

function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { status: 'ok', value: fn() };
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return { status: 'failed', error: error as CliError };
  }
}

function everyNumberIsReal(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(everyNumberIsReal);
  if (value && typeof value === 'object') return Object.values(value).every(everyNumberIsReal);
  return true;
}

describe('fuzzed responses', () => {
  test('the report renders cleanly or the run fails with a clean invalid-response error', () => {
    let rendered = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        keyBody,
        creditsBody,
        activityBody,
        keyListBody,
        fc.integer({ min: 1, max: 30 }),
        textOptions,
        thresholds,
        fc.constantFrom('account' as const, 'key' as const),
        (kb, cb, ab, lb, days, options, limits, scope) => {
          let key;
          try {
            key = parseBody('/key', JSON.stringify(kb) ?? '', 'application/json', keySchema).data;
          } catch (error) {
            expect(error).toBeInstanceOf(CliError);
            expect((error as CliError).exitCode).toBe(6);
            expect((error as CliError).message).toMatch(/^\/key: invalid response: [^\n]+$/);
            refused += 1;
            return;
          }
          const credits = outcome(() => parseBody('/credits', JSON.stringify(cb) ?? '', 'application/json', creditsSchema).data);
          const activity = outcome(() => parseBody('/activity', JSON.stringify(ab) ?? '', 'application/json', activitySchema).data);
          const keys = outcome(() => parseBody('/keys', JSON.stringify(lb) ?? '', 'application/json', keyListSchema).data);
          let checked;
          try {
            checked = buildCheckedReport({ key, credits, activity, keys }, { days, now, demo: false, configWarnings: [], scope, thresholds: limits });
          } catch (error) {
            // Figures so large that what is worked out from them is no number (today above the month,
            // near the double's limit): the run is refused naming the field, never printed as Infinity.
            expect(error).toBeInstanceOf(CliError);
            expect((error as CliError).exitCode).toBe(6);
            expect((error as CliError).message).toMatch(/^invalid response: [\w.]+ is not a finite number \(the amounts sent are too large to work with\)$/);
            refused += 1;
            return;
          }
          const { report, thresholdFailure } = checked;
          // A threshold whose figure is missing fails the run (the first in the order they are checked);
          // one that can be checked alerts exactly when it is crossed. Worked out from the report's own figures.
          const balance = report.credits.status === 'ok' ? report.credits.value.remaining : undefined;
          // Account totals that failed block the threshold rather than narrow it to this key's own figures.
          const totals =
            report.account.status === 'ok' ? report.account.value.usage : report.account.status === 'failed' ? undefined : (report.key.usage ?? undefined);
          const blocked =
            limits.minBalance !== undefined && balance === undefined
              ? '--min-balance needs the balance, which is unavailable: '
              : limits.maxToday !== undefined && totals === undefined
                ? "--max-today needs today's spend, which is unavailable: "
                : undefined;
          expect(thresholdFailure?.message.slice(0, blocked?.length ?? 0)).toBe(blocked);
          const crossed = [
            ...(limits.minBalance !== undefined && balance !== undefined && balance < limits.minBalance ? ['min-balance'] : []),
            ...(limits.maxToday !== undefined && totals !== undefined && totals.today > limits.maxToday ? ['max-today'] : []),
          ];
          expect(report.alerts.map((a) => a.threshold)).toEqual(blocked === undefined ? crossed : []);
          for (const alert of report.alerts) expect(alertSentence(alert)).toMatch(/^alert: [^\n]+\$\d/);
          const text = renderText(report, { ...options, chalk: plain, utcOffset: () => 0 });
          const json = renderJson(report);
          expect(text).not.toMatch(/NaN|undefined|Infinity|-\$0\.00|\$-|\[object Object\]/);
          expect(json).not.toMatch(/NaN|undefined|Infinity/);
          expect(everyNumberIsReal(JSON.parse(json))).toBe(true);
          // Wherever the totals carry the asterisk, its note ends the block (broken between words on a narrow terminal).
          const endsWithFootnote = /\* indicates live totals that may not yet appear in model breakdowns\.$/.test(text.replace(/\s+/g, ' ').trimEnd());
          expect(endsWithFootnote).toBe(report.key.usage !== null || report.account.status === 'ok');
          rendered += 1;
        },
      ),
      { numRuns: 1500 },
    );
    // The generators must exercise both outcomes, or the property proves little.
    expect(rendered).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  test('JSON numbers too large for a double are refused, not printed as Infinity', () => {
    expect(() => parseBody('/credits', '{"data":{"total_credits":1e400,"total_usage":1}}', 'application/json', creditsSchema)).toThrow(CliError);
  });

  test('sums that overflow make the breakdown fail, not print Infinity', () => {
    const rows = [0, 1].map(() => ({ date: '2026-03-09', model: 'a/b', usage: 1.7e308, requests: 1 }));
    const key = parseBody('/key', JSON.stringify({ data: { usage: 1, usage_daily: 1, usage_weekly: 1, usage_monthly: 1 } }), undefined, keySchema).data;
    const report = buildReport(
      { key, credits: { status: 'needs-management-key' }, activity: { status: 'ok', value: rows }, keys: { status: 'needs-management-key' } },
      { days: 7, now, demo: false, configWarnings: [] },
    );
    expect(report.breakdown.status).toBe('failed');
    expect(report.warnings[0]?.message).toContain('too large to add up');
  });
});

/** A /key body every printed figure can come from: the four required counters non-negative numbers, the rest plausible or absent. */
const validKeyBody = fc.record({
  data: fc.record(
    {
      label: fc.option(text, { nil: null }),
      usage: fc.double({ min: 0, max: 1e6, noNaN: true }),
      usage_daily: fc.double({ min: 0, max: 1e6, noNaN: true }),
      usage_weekly: fc.double({ min: 0, max: 1e6, noNaN: true }),
      usage_monthly: fc.double({ min: 0, max: 1e6, noNaN: true }),
      byok_usage: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      limit: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      limit_remaining: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      limit_reset: fc.option(fc.constantFrom('daily', 'weekly', 'monthly'), { nil: null }),
      is_management_key: fc.boolean(),
      is_free_tier: fc.boolean(),
    },
    { requiredKeys: ['usage', 'usage_daily', 'usage_weekly', 'usage_monthly'] },
  ),
});

/** A /key body no report can be built from: no data object, or a required counter missing or not a non-negative number. */
const invalidKeyBody = fc.oneof(
  fc.oneof(fc.constant(null), text, fc.double(), fc.boolean(), fc.array(anyJson)),
  fc.record({ data: fc.oneof(fc.constant(null), text, fc.array(anyJson)) }),
  fc
    .tuple(
      validKeyBody,
      fc.constantFrom('usage', 'usage_daily', 'usage_weekly', 'usage_monthly'),
      fc.oneof(fc.constant(undefined), fc.constant(null), text, fc.boolean(), fc.double({ max: -Number.MIN_VALUE, noNaN: true })),
    )
    .map(([body, field, bad]) => ({ data: { ...body.data, [field]: bad } })),
);

describe('fuzzed responses through the whole CLI (in-process)', () => {
  const NOW = now.toISOString();

  /** One --json run with these bodies from the four endpoints (analytics absent, so /activity's body is the breakdown). */
  async function runWithBodies(standIn: StandIn, bodies: Record<'/key' | '/credits' | '/activity' | '/keys', unknown>) {
    const { API_KEY, MGMT_KEY } = await import('./server.js');
    const { runCli } = await import('./run-cli.js');
    for (const [path, body] of Object.entries(bodies)) {
      standIn.setFault(path as keyof typeof bodies, { status: 200, body: JSON.stringify(body) ?? '', headers: { 'content-type': 'application/json' } });
    }
    return runCli(['--json'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: NOW },
    });
  }

  test('a valid /key, anything else from the other endpoints: exit 0 and a clean JSON report; never NaN, undefined, Infinity or a stack', async () => {
    const { startStandIn, WITHOUT_ANALYTICS } = await import('./server.js');
    const standIn = await startStandIn({ now, modes: WITHOUT_ANALYTICS });
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(validKeyBody, creditsBody, activityBody, keyListBody, async (kb, cb, ab, lb) => {
          const result = await runWithBodies(standIn, { '/key': kb, '/credits': cb, '/activity': ab, '/keys': lb });
          runs += 1;
          expect(result.code).toBe(0);
          // Only warnings (one per endpoint whose answer could not be used) on stderr.
          expect(result.stderr).toMatch(/^(warning: [^\n]+\n)*$/);
          expect(result.stderr).not.toMatch(/\n\s+at |undefined|Infinity|(?<!")NaN(?!")/);
          expect(everyNumberIsReal(JSON.parse(result.stdout))).toBe(true);
        }),
        { numRuns: 20 },
      );
    } finally {
      await standIn.close();
    }
    expect(runs).toBe(20);
  }, 60_000);

  test('an invalid /key: exit 6 with one clean line, and one error document on stdout', async () => {
    const { startStandIn, WITHOUT_ANALYTICS } = await import('./server.js');
    const standIn = await startStandIn({ now, modes: WITHOUT_ANALYTICS });
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(invalidKeyBody, creditsBody, activityBody, keyListBody, async (kb, cb, ab, lb) => {
          const result = await runWithBodies(standIn, { '/key': kb, '/credits': cb, '/activity': ab, '/keys': lb });
          runs += 1;
          expect(result.code).toBe(6);
          // With --json a failure is one error document, carrying the stderr line's message.
          expect(JSON.parse(result.stdout)).toEqual({
            schemaVersion: 1,
            error: { message: result.stderr.replace(/^openrouter-usage: /, '').trimEnd(), exitCode: 6, source: 'key' },
          });
          expect(result.stderr).toMatch(/^openrouter-usage: \/key: invalid response: [^\n]+\n$/);
          expect(result.stderr).not.toMatch(/undefined|Infinity|(?<!")NaN(?!")/);
        }),
        { numRuns: 15 },
      );
    } finally {
      await standIn.close();
    }
    expect(runs).toBe(15);
  }, 60_000);
});

describe('hostile strings in every string field of every endpoint, through the CLI', () => {
  test('no output of any format holds a control character, escape sequence, bidi control, live markdown or key material', async () => {
    const { startStandIn, API_KEY, MGMT_KEY } = await import('./server.js');
    const { runCli } = await import('./run-cli.js');
    const { HOSTILE_FRAGMENTS, expectCleanOutput } = await import('./hostile-output.js');
    const hostile = fc
      .array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
          { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
          { weight: 1, arbitrary: fc.constantFrom('openai/gpt-4.1', 'Anthropic', 'monthly', '') },
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((parts) => parts.join(''));
    const amount = fc.double({ min: 0, max: 1000, noNaN: true });
    // Every string field each endpoint sends, those the report ignores included.
    const keyInfo = fc.record({
      label: hostile,
      limit_reset: fc.option(hostile, { nil: null }),
      creator_user_id: hostile,
      organization_id: hostile,
      workspace_id: hostile,
      expires_at: hostile,
    });
    const keyItem = fc.record({
      hash: hostile,
      name: hostile,
      label: hostile,
      limit_reset: fc.option(hostile, { nil: null }),
      created_at: hostile,
      updated_at: hostile,
      creator_user_id: hostile,
      external_user: hostile,
      workspace_id: hostile,
      usage_daily: amount,
    });
    const row = fc.record({
      // Now and then a date that is no date: /activity is then refused, and its warning quotes it.
      date: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 7 }) }, { weight: 1, arbitrary: hostile }),
      model: hostile,
      model_permaslug: hostile,
      endpoint_id: hostile,
      provider_name: hostile,
      usage: amount,
    });
    const message = fc.option(hostile, { nil: undefined });
    const now = new Date('2026-03-10T15:00:00Z');
    const standIn = await startStandIn({ now });
    const base = { key: standIn.data.apiKeyInfo, item: standIn.data.keys[0]!, row: standIn.data.activity[0]! };
    const env = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: now.toISOString() };
    const runs: [string[], 'text' | 'json' | 'markdown' | 'csv' | 'oneline'][] = [
      [['--top', '0', '--details'], 'text'],
      [['--json'], 'json'],
      [['--format', 'markdown', '--by', 'provider'], 'markdown'],
      [['--format', 'markdown', '--full-names'], 'markdown'],
      [['--format', 'csv'], 'csv'],
      [['--format', 'oneline'], 'oneline'],
      [['keys', '--include-disabled'], 'text'],
      [['keys', '--json'], 'json'],
      [['keys', '--format', 'markdown'], 'markdown'],
      [['keys', '--format', 'csv'], 'csv'],
    ];
    let checked = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          keyInfo,
          fc.array(keyItem, { minLength: 1, maxLength: 4 }),
          fc.array(row, { maxLength: 6 }),
          message,
          async (key, items, rows, said) => {
            standIn.setData({
              apiKeyInfo: { ...base.key, ...key, usage_daily: 0 },
              keys: items.map((item) => ({ ...base.item, ...item })),
              activity: rows.map((r) => ({
                ...base.row,
                ...r,
                date: typeof r.date === 'string' ? r.date : new Date(now.getTime() - r.date * 86_400_000).toISOString().slice(0, 10),
              })),
            });
            // Sometimes a part fails with the server's own words, which reach stderr and JSON's warnings.
            standIn.setFault('/credits', said === undefined ? undefined : { status: 403, body: JSON.stringify({ error: { code: 403, message: said } }) });
            for (const [args, format] of runs) {
              const result = await runCli([...args, '--no-color'], { env });
              expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
              expectCleanOutput(result.stdout, format, `${args.join(' ')} stdout`);
              expectCleanOutput(result.stderr, 'text', `${args.join(' ')} stderr`);
              checked += 1;
            }
          },
        ),
        { numRuns: 12 },
      );
    } finally {
      await standIn.close();
    }
    expect(checked).toBe(12 * runs.length);
  }, 120_000);
});
