// Unix manners: a reader that stops early, Ctrl-C, stdout for the report and stderr for the rest.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, makeSandbox } from './run-cli.js';
import { API_KEY, MGMT_KEY, WITHOUT_ANALYTICS, startStandIn, utcDay, type StandIn } from './server.js';

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn({ now: new Date('2026-03-11T12:00:00.000Z'), modes: WITHOUT_ANALYTICS });
});
afterAll(() => standIn.close());

async function start(args: string[]) {
  const sandbox = await makeSandbox();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: sandbox.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: sandbox.home,
      OPENROUTER_API_KEY: API_KEY,
      OPENROUTER_MGMT_KEY: MGMT_KEY,
      OPENROUTER_BASE_URL: standIn.url,
      // The stand-in's moment, for the real process too (test/fake-clock.mjs).
      NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'test', 'fake-clock.mjs')).href}`,
      FAKE_CLOCK_NOW: standIn.now.toISOString(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, done, stderr: () => stderr, cleanup: () => sandbox.cleanup() };
}

describe('Unix manners', () => {
  test('a reader that stops early (| head): quiet exit 0', async () => {
    // Enough models that the report outgrows the pipe's buffer, so the write really meets EPIPE.
    // Dated yesterday: activity[0] is one of today's rows, which the breakdown leaves out, and then the
    // report stayed a few lines long and never met EPIPE.
    const yesterday = utcDay(standIn.now, -1);
    const rows = Array.from({ length: 6000 }, (_, i) => ({ ...standIn.data.activity[0]!, date: yesterday, model: `vendor/model-${i}`, usage: 1 + i / 1000 }));
    standIn.setData({ activity: rows });
    try {
      const run = await start(['--top', '0']);
      await new Promise<void>((resolve) => run.child.stdout.once('data', () => resolve()));
      run.child.stdout.destroy();
      const { code, signal } = await run.done;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(run.stderr()).toBe('');
      await run.cleanup();
    } finally {
      standIn.setData({ activity: (await import('./server.js')).defaultActivityRows(standIn.now) });
    }
  });

  test('a reader of stderr that has gone (EPIPE on stderr): the report is printed, exit 0, no stack trace', async () => {
    // --debug writes a line per attempt and /credits fails with a warning: plenty for stderr to meet EPIPE.
    standIn.setFault('/credits', { status: 503 });
    try {
      const run = await start(['--debug', '--deadline', '20']);
      run.child.stderr.destroy();
      let stdout = '';
      run.child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const { code, signal } = await run.done;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(stdout).toContain('Balance: unavailable (/credits failed; see the warning)');
      expect(stdout).toMatch(/\* indicates live totals that may not yet appear in model breakdowns\.\n$/);
      expect(stdout).not.toMatch(/^ {4}at /m);
      await run.cleanup();
    } finally {
      standIn.setFault('/credits', undefined);
    }
  });

  test('Ctrl-C (SIGINT) aborts requests in flight: exit 130, one line, no stack', async () => {
    standIn.setFault('/key', { kind: 'hang' });
    try {
      const run = await start([]);
      const deadline = Date.now() + 10_000;
      while (standIn.requestsTo('/key').every((r) => r.endedAt !== undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      run.child.kill('SIGINT');
      const { code } = await run.done;
      expect(code).toBe(130);
      expect(run.stderr()).toBe('openrouter-usage: interrupted\n');
      await run.cleanup();
    } finally {
      standIn.setFault('/key', undefined);
    }
  });

  test('--debug: one stderr line per attempt, stdout untouched, keys masked', async () => {
    const run = await start(['--debug', '--json']);
    let stdout = '';
    run.child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const { code } = await run.done;
    expect(code).toBe(0);
    expect(() => JSON.parse(stdout)).not.toThrow();
    const lines = run.stderr().trim().split('\n');
    for (const path of ['/key', '/credits', '/activity', '/keys']) {
      expect(lines.some((l) => new RegExp(`^debug: GET ${path} attempt 1: HTTP 200 after \\d+ ms`).test(l))).toBe(true);
    }
    expect(run.stderr()).not.toContain(API_KEY.slice(9, 25));
    await run.cleanup();
  });
});
