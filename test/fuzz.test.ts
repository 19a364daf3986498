// Property-based: whatever JSON the API sends, the pipeline (validate → aggregate → render) either
// renders a report whose every figure is a real number, or fails with a clean invalid-response error.
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { activitySchema, creditsSchema, keyListSchema, keySchema } from '../src/api/schemas.js';
import { parseBody } from '../src/api/validate.js';
import { CliError } from '../src/errors.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { buildCheckedReport, buildReport, type Outcome } from '../src/report.js';
import { alertSentence } from '../src/render/sentences.js';

const now = new Date('2026-03-10T15:00:00Z');
const plain = new Chalk({ level: 0 });

/** Sometimes a plausible value, sometimes anything at all, sometimes absent. */
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: plausible },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.jsonValue()) },
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
const model = fc.oneof(fc.constantFrom('openai/gpt-4.1', 'groq/gpt-oss-120b', 'openai/gpt-oss-120b', 'x', 'a/b/c/'), fc.string());

const keyBody = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue() },
  {
    weight: 8,
    arbitrary: fc.record(
      {
        data: fc.record(
          {
            label: field(fc.string()),
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
  fc.jsonValue(),
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
    name: field(fc.string()),
    label: field(fc.string()),
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
const keyListBody = fc.oneof({ weight: 1, arbitrary: fc.jsonValue() }, { weight: 6, arbitrary: fc.record({ data: fc.array(keyListItem, { maxLength: 10 }) }) });
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

const activityBody = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 6, arbitrary: fc.record({ data: fc.array(activityRow, { maxLength: 40 }) }) },
);

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
          const { report, thresholdFailure } = buildCheckedReport(
            { key, credits, activity, keys },
            { days, now, demo: false, configWarnings: [], scope, thresholds: limits },
          );
          if (thresholdFailure) expect(thresholdFailure).toBeInstanceOf(CliError);
          for (const alert of report.alerts) expect(alertSentence(alert)).toMatch(/^alert: [^\n]+\$\d/);
          const text = renderText(report, { ...options, chalk: plain, timeZone: 'UTC' });
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

describe('fuzzed responses through the built CLI', () => {
  test('exit 0 with a clean report, or exit 6 with one clean line; never NaN, undefined, Infinity or a stack', async () => {
    const { startStandIn, API_KEY, MGMT_KEY } = await import('./server.js');
    const { runCli } = await import('./run-cli.js');
    const standIn = await startStandIn();
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(keyBody, creditsBody, activityBody, keyListBody, async (kb, cb, ab, lb) => {
          const bodies = { '/key': kb, '/credits': cb, '/activity': ab, '/keys': lb } as const;
          for (const [path, body] of Object.entries(bodies)) {
            standIn.setFault(path as keyof typeof bodies, { status: 200, body: JSON.stringify(body) ?? '', headers: { 'content-type': 'application/json' } });
          }
          const result = await runCli(['--json'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url } });
          runs += 1;
          expect([0, 6]).toContain(result.code);
          expect(result.stderr).not.toMatch(/\n\s+at |undefined|Infinity|(?<!")NaN(?!")/);
          if (result.code === 6) {
            // With --json a failure is one error document, carrying the stderr line's message.
            expect(JSON.parse(result.stdout)).toEqual({
              schemaVersion: 1,
              error: { message: result.stderr.replace(/^openrouter-usage: /, '').trimEnd(), exitCode: 6, source: 'key' },
            });
            expect(result.stderr).toMatch(/^openrouter-usage: \/key: invalid response: [^\n]+\n$/);
          } else {
            expect(everyNumberIsReal(JSON.parse(result.stdout))).toBe(true);
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      await standIn.close();
    }
    expect(runs).toBe(25);
  }, 60_000);
});
