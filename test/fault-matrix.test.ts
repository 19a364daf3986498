// The fault matrix: every fault on every endpoint, run against the built CLI. For each: the exit
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

type Expect = 'fatal' | 'warn' | 'ok';

interface Case {
  name: string;
  fault: (standIn: StandIn, path: FaultPath) => Fault;
  /** What happens when the fault is on /key (fatal: that exit code); elsewhere it is a warning. */
  keyExit: number;
  /** On optional endpoints most faults are a warning; some are absorbed (retried to success). */
  optional?: Expect;
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
  { name: '400', fault: () => error(400), keyExit: 5 },
  { name: '401', fault: () => error(401), keyExit: 3 },
  { name: '402', fault: () => error(402), keyExit: 5 },
  { name: '403', fault: () => error(403), keyExit: 3 },
  { name: '404', fault: () => error(404), keyExit: 5 },
  { name: '408 always', fault: () => error(408), keyExit: 5 },
  { name: '429 Retry-After 1 s, once', fault: () => ({ ...error(429), headers: { 'retry-after': '1' }, times: 1 }), keyExit: 0, optional: 'ok' },
  {
    name: '429 Retry-After as HTTP date, once',
    fault: () => ({ ...error(429), headers: { 'retry-after': new Date(Date.now() + 1000).toUTCString() }, times: 1 }),
    keyExit: 0,
    optional: 'ok',
  },
  { name: '429 retry-after-ms 300, once', fault: () => ({ ...error(429), headers: { 'retry-after-ms': '300' }, times: 1 }), keyExit: 0, optional: 'ok' },
  { name: '429 Retry-After 86400 (absurd)', fault: () => ({ ...error(429), headers: { 'retry-after': '86400' } }), keyExit: 4 },
  { name: '429 without Retry-After, always', fault: () => error(429), keyExit: 4 },
  { name: '500 always', fault: () => error(500), keyExit: 5 },
  { name: '500 once', fault: () => ({ ...error(500), times: 1 }), keyExit: 0, optional: 'ok' },
  { name: '502 HTML page', fault: () => ({ kind: 'html', status: 502 }), keyExit: 5 },
  { name: '503 always', fault: () => error(503), keyExit: 5 },
  { name: '504 always', fault: () => error(504), keyExit: 5 },
  { name: '524 HTML page', fault: () => ({ kind: 'html', status: 524 }), keyExit: 5 },
  { name: 'empty body', fault: () => json200(''), keyExit: 6 },
  { name: 'truncated JSON', fault: () => ({ kind: 'truncated-json' }), keyExit: 6 },
  { name: 'not JSON', fault: () => ({ status: 200, body: 'hello, world', headers: { 'content-type': 'text/plain' } }), keyExit: 6 },
  { name: 'JSON array instead of an object', fault: () => json200('[]'), keyExit: 6 },
  { name: 'missing field', fault: (s, p) => json200(withSpend(s, p, undefined)), keyExit: 6 },
  { name: 'null where a number belongs', fault: (s, p) => json200(withSpend(s, p, 'null')), keyExit: 6 },
  { name: 'number as a string', fault: (s, p) => json200(withSpend(s, p, '"1.5"')), keyExit: 6 },
  { name: 'negative spend', fault: (s, p) => json200(withSpend(s, p, '-1')), keyExit: 6 },
  { name: 'NaN as a string', fault: (s, p) => json200(withSpend(s, p, '"NaN"')), keyExit: 6 },
  { name: 'a number beyond a double (1e400)', fault: (s, p) => json200(withSpend(s, p, '1e400')), keyExit: 6 },
  {
    name: 'a 10 MB body of the right shape',
    fault: (s, p) => ({ kind: 'json', body: { ...validBody(s, p), padding: 'x'.repeat(10 * 1024 * 1024) } }),
    keyExit: 0,
    optional: 'ok',
  },
  { name: 'slow drip (1 byte / 200 ms)', fault: () => ({ kind: 'slow-drip', intervalMs: 200 }), keyExit: 5 },
  { name: 'connection reset', fault: () => ({ kind: 'reset' }), keyExit: 5 },
  { name: 'reset halfway through the body', fault: () => ({ kind: 'reset-mid-body' }), keyExit: 5 },
  { name: 'never answers', fault: () => ({ kind: 'hang' }), keyExit: 5 },
  { name: 'redirect to another host', fault: () => ({ kind: 'redirect', location: 'https://elsewhere.example/api/v1/key' }), keyExit: 5 },
];

const endpoints: FaultPath[] = ['/key', '/credits', '/activity', '/keys'];
const matrix = endpoints.flatMap((path) => cases.map((c) => [path, c.name, c] as const));

/** A stand-in of the test's own, closed when that test ends (tests here run side by side). */
async function ownStandIn(context: TestContext): Promise<StandIn> {
  const standIn = await startStandIn({ modes: WITHOUT_ANALYTICS });
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

describe.concurrent(`fault matrix: ${cases.length} faults × ${endpoints.length} endpoints = ${matrix.length} runs`, () => {
  test.for(matrix)('%s: %s', async ([path, , c], context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault(path, c.fault(standIn, path));
    const result = await runCli([...ARGS], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url },
      killAfterMs: RUN_BOUND_MS + 2000,
    });
    assertClean(result);
    const stderrLines = result.stderr.split('\n').filter(Boolean);

    if (path === '/key') {
      expect(result.code, result.stderr).toBe(c.keyExit);
      if (c.keyExit === 0) {
        expect(result.stderr).toBe('');
        expect(result.stdout).toMatch(/^Today: \$/m);
      } else {
        expect(stderrLines).toHaveLength(1);
        expect(stderrLines[0]).toMatch(/^openrouter-usage: \/key: /);
        expect(result.stdout).toBe('');
      }
      return;
    }
    // An optional endpoint never fails the run and never hides the totals.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Today: \$\d+\.\d\d\* \| Week: \$/m);
    if ((c.optional ?? 'warn') === 'ok') {
      expect(result.stderr).toBe('');
    } else {
      expect(stderrLines).toHaveLength(1);
      expect(stderrLines[0]).toMatch(new RegExp(`^warning: ${path.replace('/', '\\/')}: `));
    }
  });
});

describe('faults outside any one endpoint', () => {
  test('connection refused: exit 5, one line, fast', async () => {
    const result = await runCli(ARGS, {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1' },
    });
    assertClean(result);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^openrouter-usage: \/key: network error \(connection refused\) after 4 attempts\n$/);
  });

  test('the deadline caps retries and waits together', async (context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', { kind: 'hang' });
    const result = await runCli(['--timeout', '20', '--deadline', '2'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url },
    });
    assertClean(result);
    expect(result.code).toBe(5);
    expect(result.ms).toBeLessThan(5000);
    expect(result.stderr).toContain('deadline');
  });

  test('a wait asked for beyond the deadline: an immediate, explained exit 4', async (context) => {
    const standIn = await ownStandIn(context);
    standIn.setFault('/key', { ...error(429), headers: { 'retry-after': '15' } });
    const result = await runCli(['--deadline', '5'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url } });
    assertClean(result);
    expect(result.code).toBe(4);
    expect(result.ms).toBeLessThan(3000);
    expect(result.stderr).toMatch(/asked to wait 15 s before retrying, beyond the run's deadline/);
  });
});
