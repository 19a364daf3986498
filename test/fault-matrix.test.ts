// The fault matrix: every fault on every endpoint, run through the CLI (in-process). For each: the exit
// code, exactly one clean line on stderr, no stack trace, no key material, the whole run within
// RUN_BOUND_MS, and the totals still shown when only an optional endpoint failed.
import { describe, expect, test, type TestContext } from 'vitest';
import { leakedPieces, runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, secretOf, startStandIn, type Fault, type FaultPath, type StandIn, WITHOUT_ANALYTICS } from './server.js';

/**
 * Every run gets --timeout 3 --deadline 8; nothing may outlast RUN_BOUND_MS. The per-attempt
 * timeout leaves room for a machine busy with the rest of the suite: an answer late by a second
 * must not read as a dead server.
 */
const RUN_BOUND_MS = 11_000;
const ARGS = ['--timeout', '3', '--deadline', '8', '--no-color'];

/**
 * The stand-in's data and every run's clock: Wednesday 2026-03-11, noon UTC. API_KEY's live totals
 * are then 60 % of the account's 10.55545 today, 14.53883 this week, 29.3373 this month (see
 * test/e2e.test.ts for the sums).
 */
const NOW = '2026-03-11T12:00:00.000Z';
const TOTALS_LINE = 'Today: $6.33* | Week: $8.72 | Month: $17.60 (this key)';
/** Every key /keys lists, summed (6.33327 + 4.22218 + 0 = 10.55545, and so on); without /keys there is no account line. */
const ACCOUNT_LINE = 'Account: Today: $10.56* | Week: $14.54 | Month: $29.34 (3 keys)';

type Expect = 'fatal' | 'warn' | 'ok';

interface Case {
  name: string;
  fault: (standIn: StandIn, path: FaultPath) => Fault;
  /** What happens when the fault is on /key (fatal: that exit code); elsewhere it is a warning. */
  keyExit: number;
  /** On optional endpoints most faults are a warning; some are absorbed (retried to success). */
  optional?: Expect;
  /** The one stderr line when the fault is on /key and fails the run. */
  keyMessage?: string;
  /** The warning's text after `warning: <path>: ` when the fault is on an optional endpoint; `{field}` is the spend field the fault touched there. */
  warning?: string;
  /** Arguments instead of ARGS. */
  args?: string[];
}

function validBody(standIn: StandIn, path: FaultPath): { data: unknown } {
  const d = standIn.data;
  if (path === '/key') return { data: d.apiKeyInfo };
  if (path === '/credits') return { data: d.credits };
  if (path === '/activity') return { data: d.activity };
  return { data: d.keys };
}

/** The body with one spend field replaced (or removed), as raw JSON text. */
function withSpend(standIn: StandIn, path: FaultPath, value: string | undefined): string {
  const body = JSON.parse(JSON.stringify(validBody(standIn, path))) as { data: Record<string, unknown> | Record<string, unknown>[] };
  const field = path === '/key' ? 'usage_daily' : path === '/credits' ? 'total_usage' : path === '/activity' ? 'usage' : 'usage_monthly';
  const target = Array.isArray(body.data) ? body.data[0]! : body.data;
  if (value === undefined) delete target[field];
  else target[field] = '__VALUE__';
  return JSON.stringify(body).replace('"__VALUE__"', value ?? '');
}

const json200 = (body: string): Fault => ({ status: 200, body, headers: { 'content-type': 'application/json' } });
const error = (status: number) => ({
  status,
  body: JSON.stringify({ error: { code: status, message: `stand-in says ${status}` } }),
  headers: { 'content-type': 'application/json' },
});

const cases: Case[] = [
  {
    name: '400',
    fault: () => error(400),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: unexpected HTTP 400: stand-in says 400',
    warning: 'unexpected HTTP 400: stand-in says 400',
  },
  {
    name: '401',
    warning: 'OpenRouter rejected OPENROUTER_MGMT_KEY (HTTP 401: stand-in says 401); check that the key is complete and not revoked',
    fault: () => error(401),
    keyExit: 3,
    keyMessage: 'openrouter-usage: /key: OpenRouter rejected OPENROUTER_API_KEY (HTTP 401: stand-in says 401); check that the key is complete and not revoked',
  },
  {
    name: '402',
    fault: () => error(402),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: unexpected HTTP 402: stand-in says 402',
    warning: 'unexpected HTTP 402: stand-in says 402',
  },
  {
    name: '403',
    warning: 'OPENROUTER_MGMT_KEY may not call this endpoint (HTTP 403: stand-in says 403); is it a management key (Settings \u2192 Management keys)?',
    fault: () => error(403),
    keyExit: 3,
    keyMessage: 'openrouter-usage: /key: OPENROUTER_API_KEY may not call this endpoint (HTTP 403: stand-in says 403)',
  },
  {
    name: '404',
    fault: () => error(404),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: not found (HTTP 404: stand-in says 404); check --base-url',
    warning: 'not found (HTTP 404: stand-in says 404); check --base-url',
  },
  {
    name: '408 always',
    fault: () => error(408),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 408) after 4 attempts',
    warning: 'server error (HTTP 408) after 4 attempts',
  },
  { name: '429 Retry-After 1 s, once', fault: () => ({ ...error(429), headers: { 'retry-after': '1' }, times: 1 }), keyExit: 0, optional: 'ok' },
  {
    name: '429 Retry-After as HTTP date, once',
    // One second after the run's clock starts (NOW).
    fault: () => ({ ...error(429), headers: { 'retry-after': new Date(Date.parse(NOW) + 1000).toUTCString() }, times: 1 }),
    keyExit: 0,
    optional: 'ok',
  },
  { name: '429 retry-after-ms 300, once', fault: () => ({ ...error(429), headers: { 'retry-after-ms': '300' }, times: 1 }), keyExit: 0, optional: 'ok' },
  {
    name: '429 Retry-After 86400 (absurd)',
    warning: 'HTTP 429, and the server asked to wait 86400 s before retrying, longer than this tool waits; try again later',
    fault: () => ({ ...error(429), headers: { 'retry-after': '86400' } }),
    keyExit: 4,
    keyMessage: 'openrouter-usage: /key: HTTP 429, and the server asked to wait 86400 s before retrying, longer than this tool waits; try again later',
  },
  {
    name: '429 without Retry-After, always',
    warning: 'still rate-limited (HTTP 429) after 4 attempts; try again later',
    fault: () => error(429),
    keyExit: 4,
    keyMessage: 'openrouter-usage: /key: still rate-limited (HTTP 429) after 4 attempts; try again later',
  },
  {
    name: '500 always',
    fault: () => error(500),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 500) after 4 attempts',
    warning: 'server error (HTTP 500) after 4 attempts',
  },
  { name: '500 once', fault: () => ({ ...error(500), times: 1 }), keyExit: 0, optional: 'ok' },
  {
    name: '502 HTML page',
    warning: 'server error (HTTP 502) after 4 attempts',
    fault: () => ({ kind: 'html', status: 502 }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 502) after 4 attempts',
  },
  {
    name: '503 always',
    fault: () => error(503),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 503) after 4 attempts',
    warning: 'server error (HTTP 503) after 4 attempts',
  },
  {
    name: '504 always',
    fault: () => error(504),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 504) after 4 attempts',
    warning: 'server error (HTTP 504) after 4 attempts',
  },
  {
    name: '524 HTML page',
    warning: 'server error (HTTP 524) after 4 attempts',
    fault: () => ({ kind: 'html', status: 524 }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: server error (HTTP 524) after 4 attempts',
  },
  {
    name: 'empty body',
    fault: () => json200(''),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: an empty body',
    warning: 'invalid response: an empty body',
  },
  {
    name: 'truncated JSON',
    fault: () => ({ kind: 'truncated-json' }),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: malformed JSON',
    warning: 'invalid response: malformed JSON',
  },
  {
    name: 'not JSON',
    warning: 'invalid response: text/plain instead of JSON',
    fault: () => ({ status: 200, body: 'hello, world', headers: { 'content-type': 'text/plain' } }),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: text/plain instead of JSON',
  },
  {
    name: 'JSON array instead of an object',
    warning: 'invalid response: the body should be an object, got an array',
    fault: () => json200('[]'),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: the body should be an object, got an array',
  },
  {
    name: 'missing field',
    warning: 'invalid response: {field} is missing',
    fault: (s, p) => json200(withSpend(s, p, undefined)),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily is missing',
  },
  {
    name: 'null where a number belongs',
    warning: 'invalid response: {field} should be a number, got null',
    fault: (s, p) => json200(withSpend(s, p, 'null')),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily should be a number, got null',
  },
  {
    name: 'number as a string',
    warning: 'invalid response: {field} should be a number, got the string "1.5"',
    fault: (s, p) => json200(withSpend(s, p, '"1.5"')),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily should be a number, got the string "1.5"',
  },
  {
    name: 'negative spend',
    warning: 'invalid response: {field} should not be negative, got -1',
    fault: (s, p) => json200(withSpend(s, p, '-1')),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily should not be negative, got -1',
  },
  {
    name: 'NaN as a string',
    warning: 'invalid response: {field} should be a number, got the string "NaN"',
    fault: (s, p) => json200(withSpend(s, p, '"NaN"')),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily should be a number, got the string "NaN"',
  },
  {
    name: 'a number beyond a double (1e400)',
    warning: 'invalid response: {field} should be a number, got Infinity',
    fault: (s, p) => json200(withSpend(s, p, '1e400')),
    keyExit: 6,
    keyMessage: 'openrouter-usage: /key: invalid response: data.usage_daily should be a number, got Infinity',
  },
  {
    name: 'a 10 MB body of the right shape',
    fault: (s, p) => ({ kind: 'json', body: { ...validBody(s, p), padding: 'x'.repeat(10 * 1024 * 1024) } }),
    keyExit: 0,
    optional: 'ok',
  },
  {
    name: 'slow drip (1 byte / 200 ms)',
    warning: 'timed out (response too slow) after 1 attempt',
    fault: () => ({ kind: 'slow-drip', intervalMs: 200 }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: timed out (response too slow) after 1 attempt',
  },
  {
    name: 'connection reset',
    warning: 'network error (connection reset) after 4 attempts',
    fault: () => ({ kind: 'reset' }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: network error (connection reset) after 4 attempts',
  },
  {
    name: 'reset halfway through the body',
    warning: 'network error (connection closed early) after 4 attempts',
    fault: () => ({ kind: 'reset-mid-body' }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: network error (connection closed early) after 4 attempts',
  },
  {
    name: 'never answers',
    warning: "no complete answer within the run's deadline; giving up",
    fault: () => ({ kind: 'hang' }),
    // The 3 s deadline falls inside the first 8 s attempt. Retried attempts cut by the deadline read
    // "timed out after N attempts" instead whenever this busy process (132 runs, 10 MB bodies) runs
    // its timers late, so the wording would depend on the machine's load; here the deadline's timer
    // is always due first.
    args: ['--timeout', '8', '--deadline', '3', '--no-color'],
    keyExit: 5,
    keyMessage: "openrouter-usage: /key: no complete answer within the run's deadline; giving up",
  },
  {
    name: 'redirect to another host',
    warning: 'unexpected redirect (HTTP 302 to elsewhere.example), not followed; check --base-url',
    fault: () => ({ kind: 'redirect', location: 'https://elsewhere.example/api/v1/key' }),
    keyExit: 5,
    keyMessage: 'openrouter-usage: /key: unexpected redirect (HTTP 302 to elsewhere.example), not followed; check --base-url',
  },
];

const endpoints: FaultPath[] = ['/key', '/credits', '/activity', '/keys'];
const optionalEndpoints: FaultPath[] = ['/credits', '/activity', '/keys'];
/** The spend field `withSpend` touches on each endpoint, as the warning names it. */
const FIELD: Partial<Record<FaultPath, string>> = { '/credits': 'data.total_usage', '/activity': 'data[0].usage', '/keys': 'data[0].usage_monthly' };
const matrixSize = endpoints.length * cases.length;
/** On /key: the faults that fail the run, and those it recovers from. */
const keyFailures = cases.filter((c) => c.keyExit !== 0).map((c) => [c.name, c.keyExit, c] as const);
const keyRecoveries = cases.filter((c) => c.keyExit === 0).map((c) => [c.name, c] as const);
/** Elsewhere: the faults that leave one warning, and those absorbed (retried to success). */
const warned = optionalEndpoints.flatMap((path) =>
  cases.filter((c) => (c.optional ?? 'warn') === 'warn').map((c) => [path, c.name, c, path === '/keys' ? undefined : ACCOUNT_LINE] as const),
);
const absorbed = optionalEndpoints.flatMap((path) => cases.filter((c) => c.optional === 'ok').map((c) => [path, c.name, c] as const));

/** A stand-in of the test's own, closed when that test ends (tests here run side by side). */
async function ownStandIn(context: TestContext): Promise<StandIn> {
  const standIn = await startStandIn({ now: new Date(NOW), modes: WITHOUT_ANALYTICS });
  // The context's hook, not the global one: with concurrent tests the global one may attach to
  // whichever test is current, and close this server under a test still using it.
  context.onTestFinished(() => standIn.close());
  return standIn;
}

function assertClean(result: { stdout: string; stderr: string; ms: number; timedOut: boolean }): void {
  expect(result.timedOut).toBe(false);
  expect(result.ms).toBeLessThan(RUN_BOUND_MS);
  // A quoted "NaN" is the server's own value named in the message; a bare one would be ours.
  expect(result.stderr).not.toMatch(/\n\s+at |Error: |node:internal|undefined|(?<!")NaN(?!")/);
  expect(leakedPieces(result.stdout + result.stderr, [secretOf(API_KEY), secretOf(MGMT_KEY)])).toEqual([]);
}

/** The CLI with both keys against `standIn`, its clock at NOW. */
function runAgainst(standIn: StandIn, c: Case): ReturnType<typeof runCli> {
  return runCli([...(c.args ?? ARGS)], {
    env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: NOW },
    killAfterMs: RUN_BOUND_MS + 2000,
  });
}

describe.concurrent(`fault matrix: ${cases.length} faults × ${endpoints.length} endpoints = ${matrixSize} runs`, () => {
  test.for(keyFailures)('/key: %s → exit %i, one line, nothing on stdout', async ([, exit, c], context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', c.fault(standIn, '/key'));
    const result = await runAgainst(standIn, c);
    assertClean(result);
    expect(result.code, result.stderr).toBe(exit);
    expect(result.stderr).toBe(`${c.keyMessage}\n`);
    expect(result.stdout).toBe('');
  });

  test.for(keyRecoveries)('/key: %s → recovered, the report as usual', async ([, c], context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', c.fault(standIn, '/key'));
    const result = await runAgainst(standIn, c);
    assertClean(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toContain(TOTALS_LINE);
  });

  // An optional endpoint never fails the run and never hides the totals.
  test.for(warned)('%s: %s → one warning, exit 0, the totals', async ([path, , c, account], context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault(path, c.fault(standIn, path));
    const result = await runAgainst(standIn, c);
    assertClean(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toContain(TOTALS_LINE);
    expect(result.stdout.split('\n').find((l) => l.startsWith('Account:'))).toBe(account);
    expect(result.stderr).toBe(`warning: ${path}: ${c.warning!.replace('{field}', FIELD[path]!)}\n`);
  });

  test.for(absorbed)('%s: %s → absorbed, no warning', async ([path, , c], context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault(path, c.fault(standIn, path));
    const result = await runAgainst(standIn, c);
    assertClean(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toContain(TOTALS_LINE);
    expect(result.stderr).toBe('');
  });
});

describe('faults outside any one endpoint', () => {
  test('connection refused: exit 5, one line, fast', async () => {
    const result = await runCli(ARGS, {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1', FAKE_CLOCK_NOW: NOW },
    });
    assertClean(result);
    expect(result.code).toBe(5);
    expect(result.stderr).toBe('openrouter-usage: /key: network error (connection refused) after 4 attempts\n');
  });

  test('the deadline caps retries and waits together', async (context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', { kind: 'hang' });
    const result = await runCli(['--timeout', '20', '--deadline', '2'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: NOW },
    });
    assertClean(result);
    expect(result.code).toBe(5);
    expect(result.ms).toBeLessThan(5000);
    expect(result.stderr).toBe("openrouter-usage: /key: no complete answer within the run's deadline; giving up\n");
  });

  test('a wait asked for beyond the deadline: an immediate, explained exit 4', async (context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', { ...error(429), headers: { 'retry-after': '15' } });
    const result = await runCli(['--deadline', '5'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: NOW } });
    assertClean(result);
    expect(result.code).toBe(4);
    expect(result.ms).toBeLessThan(3000);
    expect(result.stderr).toBe(
      "openrouter-usage: /key: HTTP 429, and the server asked to wait 15 s before retrying, beyond the run's deadline; try again later\n",
    );
  });
});
