// Keys never come out: not in errors, warnings, debug lines or the report, even when a server
// or proxy echoes them back in bodies, messages or headers.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createRedactor } from '../src/safety/redact.js';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, secretOf, startStandIn, type Fault, type FaultPath, type StandIn } from './server.js';

describe('redact', () => {
  const redact = createRedactor(['my-very-secret-value']);
  test('removes the configured secrets wherever they appear', () => {
    expect(redact('a my-very-secret-value b my-very-secret-value')).toBe('a [redacted] b [redacted]');
  });

  test('removes anything shaped like an OpenRouter key, and bearer tokens', () => {
    expect(redact(`key ${API_KEY} here`)).not.toContain(secretOf(API_KEY).slice(0, 12));
    expect(redact('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [redacted]');
  });

  test('keeps the masked label the API itself returns', () => {
    expect(redact('sk-or-v1-au7...890')).toBe('sk-or-v1-au7...890');
  });
});

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn({ now: new Date('2026-03-11T12:00:00.000Z') });
});
afterAll(() => standIn.close());
afterEach(() => {
  for (const path of ['/key', '/credits', '/activity', '/keys'] as const) standIn.setFault(path, undefined);
});

function assertNoKey(text: string): void {
  for (const key of [API_KEY, MGMT_KEY]) {
    const secret = secretOf(key);
    for (let i = 0; i + 12 <= secret.length; i += 4) expect(text).not.toContain(secret.slice(i, i + 12));
  }
}

const echo = (key: string) => `{"error":{"code":401,"message":"Key ${key} is not valid (Authorization: Bearer ${key})"}}`;

const planted: [string, FaultPath, Fault][] = [
  ['401 body echoing the key', '/key', { status: 401, body: echo(API_KEY) }],
  ['403 body echoing the key', '/key', { status: 403, body: echo(API_KEY) }],
  ['400 body echoing the key', '/key', { status: 400, body: echo(API_KEY) }],
  ['500 body and header echoing the key', '/key', { status: 500, body: echo(API_KEY), headers: { 'x-debug': API_KEY } }],
  ['redirect with the key in its location', '/key', { kind: 'redirect', location: `https://elsewhere.example/?k=${API_KEY}` }],
  ['/credits 403 echoing the management key', '/credits', { status: 403, body: echo(MGMT_KEY) }],
  ['/activity 401 echoing the management key', '/activity', { status: 401, body: echo(MGMT_KEY) }],
  ['/activity wrong shape holding the key', '/activity', { kind: 'json', body: { data: [{ date: API_KEY, model: MGMT_KEY }] } }],
  ['/key wrong shape holding the key', '/key', { kind: 'json', body: { data: { label: API_KEY, usage: API_KEY } } }],
];

describe('no key in any output', () => {
  test.each(planted)('%s (text, JSON and --debug)', async (_name, path, fault) => {
    standIn.setFault(path, fault);
    for (const args of [['--debug'], ['--json', '--debug']]) {
      const result = await runCli([...args, '--deadline', '10'], {
        env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, FAKE_CLOCK_NOW: standIn.now.toISOString() },
      });
      assertNoKey(result.stdout);
      assertNoKey(result.stderr);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
