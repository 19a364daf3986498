// --watch in-process: a terminal the test chose, stopped by aborting the run's signal (what Ctrl-C
// does in the real process). Warnings use the one format every path shares.
import { afterEach, describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn, type StandIn, WITHOUT_ANALYTICS } from './server.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('--watch warnings', () => {
  test('a failed optional endpoint: one "warning: /activity: …" line, the same text JSON carries', async () => {
    standIn = await startStandIn({ now: new Date('2026-03-10T15:00:00Z'), modes: WITHOUT_ANALYTICS });
    standIn.setFault('/activity', {
      status: 400,
      body: JSON.stringify({ error: { code: 400, message: 'bad date' } }),
      headers: { 'content-type': 'application/json' },
    });
    // A fixed moment, so nothing here depends on the day the test runs.
    const env = {
      FAKE_CLOCK_NOW: '2026-03-10T15:00:00Z',
      OPENROUTER_API_KEY: API_KEY,
      OPENROUTER_MGMT_KEY: MGMT_KEY,
      OPENROUTER_BASE_URL: standIn.url,
    };

    const json = await runCli(['--json'], { env });
    expect(json.code).toBe(0);
    const warnings = (JSON.parse(json.stdout) as { warnings: { source: string; message: string }[] }).warnings;
    expect(warnings).toEqual([{ source: 'activity', message: '/activity: unexpected HTTP 400: bad date' }]);
    expect(json.stderr).toBe('warning: /activity: unexpected HTTP 400: bad date\n');

    const watch = await runCli(['--watch', '30', '--no-color'], { env, terminal: { columns: 100 }, killAfterMs: 1500 });
    expect(watch.code).toBe(0);
    expect(watch.stdout.split('\n').filter((line) => line.startsWith('warning'))).toEqual(['warning: /activity: unexpected HTTP 400: bad date']);
    expect(watch.stdout).toContain('Recent Models: unavailable (/activity failed; see the warning)');
    expect(watch.stdout).not.toContain('warning: warning');
    expect(watch.stdout).toMatch(/Refreshed \d\d:\d\d:\d\d; next in 30 s\. Ctrl-C to stop\./);
  });
});
