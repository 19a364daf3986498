// Issue 10, "the whole account, every figure right": workspaces, a balance never faked, a
// management key alone. In-process runs (runCli) against the stand-in, with a small account set up
// by hand so every expected figure is a literal worked out here:
//
//   workspace          key        disabled  today  week   month  usage
//   Default Workspace  default    no        1.10   2.20   5.50   10.00   (OPENROUTER_API_KEY)
//   Default Workspace  ci         no        0.40   1.00   3.00    4.00
//   Research           notebook   no        0.25   0.75   2.25    6.00
//   Research           old        yes       0.00   0.05   0.50    1.00
//
//   Default Workspace: 1.50 / 3.20 / 8.50 (2 keys)    Research: 0.25 / 0.80 / 2.75 (2 keys)
//   account:           1.75 / 4.00 / 11.25 (4 keys, 1 disabled); without the disabled key 1.75 / 3.95 / 10.75
//
// /keys without workspace_id lists the Default Workspace's keys only, as the real API does.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JsonDocument, JsonKeysDocument } from '../src/render/json-contract.js';
import { expectCleanRun, lines, makeSandbox, runCli, type CliResult, type Sandbox } from './run-cli.js';
import {
  API_KEY,
  MGMT_KEY,
  fakeKey,
  keyHashOf,
  madeBy,
  maskKey,
  secretOf,
  startStandIn,
  type ActivityRow,
  type KeyListItem,
  type StandIn,
  type Workspace,
  WITHOUT_ANALYTICS,
} from './server.js';

const NOW = '2026-03-11T12:00:00.000Z';
const YESTERDAY = '2026-03-10';
const TEN_SECONDS_LATER = '2026-03-11T12:00:10.000Z';
const DEFAULT_ID = '11111111-1111-4111-a111-111111111111';
const RESEARCH_ID = '22222222-2222-4222-a222-222222222222';
const SECRETS = [API_KEY, MGMT_KEY].map(secretOf);
const BOTH = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY };

function workspace(id: string, name: string, slug: string): Workspace {
  return { id, name, slug, description: null, created_at: '2025-09-01T00:00:00.000Z', updated_at: null, created_by: 'user_1' };
}

const WORKSPACES = [workspace(DEFAULT_ID, 'Default Workspace', 'default'), workspace(RESEARCH_ID, 'Research', 'research')];

function key(
  name: string,
  workspaceId: string | null,
  c: { today: number; week: number; month: number; usage: number },
  extra: Partial<KeyListItem> = {},
): KeyListItem {
  return {
    hash: keyHashOf(name),
    name,
    label: maskKey(fakeKey('k', name)),
    disabled: false,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    usage: c.usage,
    usage_daily: c.today,
    usage_weekly: c.week,
    usage_monthly: c.month,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    created_at: '2025-09-10T00:00:00.000Z',
    updated_at: null,
    creator_user_id: 'user_1',
    external_user: null,
    workspace_id: workspaceId,
    ...extra,
  };
}

const KEYS: KeyListItem[] = [
  key('default', DEFAULT_ID, { today: 1.1, week: 2.2, month: 5.5, usage: 10 }, { label: maskKey(API_KEY) }),
  key('ci', DEFAULT_ID, { today: 0.4, week: 1, month: 3, usage: 4 }),
  key('notebook', RESEARCH_ID, { today: 0.25, week: 0.75, month: 2.25, usage: 6 }),
  key('old', RESEARCH_ID, { today: 0, week: 0.05, month: 0.5, usage: 1 }, { disabled: true }),
];

function activityRow(model: string, usage: number, requests: number): ActivityRow {
  return {
    date: YESTERDAY,
    model,
    model_permaslug: model,
    endpoint_id: `endpoint-${model}`,
    provider_name: 'OpenAI',
    usage,
    byok_usage_inference: 0,
    requests,
    prompt_tokens: requests * 100,
    completion_tokens: requests * 10,
    reasoning_tokens: 0,
  };
}

/** Yesterday: $2.00 in 10 requests by `default` (Default Workspace), $0.75 in 3 by `notebook` (Research). */
const ACTIVITY = [
  madeBy(activityRow('openai/gpt-4.1', 2, 10), keyHashOf('default')),
  madeBy(activityRow('openai/gpt-4.1-mini', 0.75, 3), keyHashOf('notebook')),
];

/** The two-workspace account above, on a stand-in of its own. */
async function account(opts: { latencyMs?: number } = {}): Promise<StandIn> {
  const s = await startStandIn({ now: new Date(NOW), workspaces: 'multi', modes: WITHOUT_ANALYTICS, ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}) });
  s.setData({
    workspaces: WORKSPACES,
    keys: KEYS,
    activity: ACTIVITY,
    credits: { total_credits: 100, total_usage: 40 },
    apiKeyInfo: {
      ...s.data.apiKeyInfo,
      usage: 10,
      usage_daily: 1.1,
      usage_weekly: 2.2,
      usage_monthly: 5.5,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      workspace_id: DEFAULT_ID,
    },
  });
  return s;
}

const it = test.extend<{ s: StandIn }>({
  // eslint-disable-next-line no-empty-pattern
  s: async ({}, use) => {
    const s = await account();
    await use(s);
    await s.close();
  },
});

async function run(s: StandIn, args: string[], env: Record<string, string> = BOTH, sandbox?: Sandbox): Promise<CliResult> {
  const res = await runCli(args, { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW, ...env }, ...(sandbox ? { sandbox } : {}) });
  expectCleanRun(res, SECRETS);
  return res;
}

function json<T = JsonDocument>(res: CliResult): T {
  return JSON.parse(res.stdout) as T;
}

function stderrLines(res: CliResult): string[] {
  return res.stderr.split('\n').filter((l) => l.trim() !== '');
}

const queryOf = (s: StandIn, path: string) => s.requestsTo(path).map((r) => r.query.toString());

describe('every workspace counts (point 1)', () => {
  it('text, JSON, markdown and oneline show the sum of every key of both workspaces', async ({ s }) => {
    // The note on what the account totals cover is fine print: shown with --explain, on a terminal wide enough for it.
    const text = await run(s, ['--explain'], { ...BOTH, COLUMNS: '1000' });
    expect(text.code).toBe(0);
    expect(lines(text.stdout)).toContain('Account: Today: $1.75* | Week: $4.00 | Month: $11.25 (4 keys in 2 workspaces)');
    expect(text.stdout).toContain('Account totals add up the live counters of the 4 keys /keys lists in all 2 workspaces, 1 of them disabled;');

    const doc = json(await run(s, ['--json']));
    expect(doc.account).toEqual({
      usage: { today: 1.75, week: 4, month: 11.25 },
      byokUsage: { today: 0, week: 0, month: 0 },
      keys: 4,
      disabledKeys: 1,
      coverage: 'account',
      workspace: null,
      source: 'keys',
      listedKeys: null,
      crossCheck: null,
      workspaces: [
        {
          id: DEFAULT_ID,
          name: 'Default Workspace',
          usage: { today: 1.5, week: 3.2, month: 8.5 },
          byokUsage: { today: 0, week: 0, month: 0 },
          keys: 2,
          disabledKeys: 0,
        },
        {
          id: RESEARCH_ID,
          name: 'Research',
          usage: { today: 0.25, week: 0.8, month: 2.75 },
          byokUsage: { today: 0, week: 0, month: 0 },
          keys: 2,
          disabledKeys: 1,
        },
      ],
    });

    const markdown = await run(s, ['--format', 'markdown']);
    expect(lines(markdown.stdout)).toContain('| Account (4 keys in 2 workspaces) | $1.75 | $4.00 | $11.25 |');

    const oneline = await run(s, ['--format', 'oneline']);
    expect(oneline.stdout).toBe('OR acct $1.75 today · $60.00 left\n');
  });

  it('keys: a workspace column, a subtotal per workspace and the grand total, equal to the account totals', async ({ s }) => {
    // A terminal wide enough for every column (at 80, label, limit and resets are left out, and named).
    const res = await run(s, ['keys', '--include-disabled'], { ...BOTH, COLUMNS: '1000' });
    expect(res.code).toBe(0);
    const out = lines(res.stdout).map((l) => l.replace(/ +/g, ' '));
    expect(out[1]).toBe('name workspace label today week month limit left resets');
    expect(out).toContain('Default Workspace (2 keys) $1.50 $3.20 $8.50');
    expect(out).toContain('Research (2 keys) $0.25 $0.80 $2.75');
    expect(out).toContain('total (4 keys, 2 workspaces) $1.75 $4.00 $11.25');
    // Each workspace's keys, then its subtotal.
    const names = out.slice(2, 8).map((l) => l.split(' ')[0]);
    expect(names).toEqual(['default', 'ci', 'Default', 'notebook', 'old', 'Research']);

    const doc = json<JsonKeysDocument>(await run(s, ['keys', '--include-disabled', '--json']));
    expect(doc.keys.map((k) => [k.name, k.workspace])).toEqual([
      ['default', { id: DEFAULT_ID, name: 'Default Workspace' }],
      ['ci', { id: DEFAULT_ID, name: 'Default Workspace' }],
      ['notebook', { id: RESEARCH_ID, name: 'Research' }],
      ['old', { id: RESEARCH_ID, name: 'Research' }],
    ]);
    expect(doc.totals).toEqual({ keys: 4, usage: { today: 1.75, week: 4, month: 11.25, total: 21 } });
    expect(doc.workspaces).toEqual([
      { id: DEFAULT_ID, name: 'Default Workspace', keys: 2, usage: { today: 1.5, week: 3.2, month: 8.5, total: 14 } },
      { id: RESEARCH_ID, name: 'Research', keys: 2, usage: { today: 0.25, week: 0.8, month: 2.75, total: 7 } },
    ]);

    const markdown = lines((await run(s, ['keys', '--include-disabled', '--format', 'markdown'])).stdout);
    expect(markdown).toContain('| _Research (2)_ |  |  | $0.25 | $0.80 | $2.75 |  |');
    expect(markdown).toContain('| **Total (4)** |  |  | $1.75 | $4.00 | $11.25 |  |');

    // Without --include-disabled the disabled key is left out of every sum shown.
    const plain = lines((await run(s, ['keys'])).stdout).map((l) => l.replace(/ +/g, ' '));
    expect(plain).toContain('total (3 keys, 2 workspaces) $1.75 $3.95 $10.75');
    expect(plain).toContain('Research (1 key) $0.25 $0.75 $2.25');
  });

  it('asks /workspaces and the unscoped /keys together, then only the other workspace', async ({ s }) => {
    await run(s, []);
    expect(queryOf(s, '/workspaces')).toEqual(['offset=0&limit=100']);
    expect(queryOf(s, '/keys')).toEqual(['include_disabled=true&offset=0', `include_disabled=true&offset=0&workspace_id=${RESEARCH_ID}`]);
  });

  it('a key listed twice, in one page or in two workspaces, counts once', async ({ s }) => {
    const twice = KEYS[1]!;
    s.setData({ keys: [...KEYS, { ...twice }] });
    s.setFault('/keys', { kind: 'json', body: { data: [KEYS[0], twice, twice] }, times: 1 });
    const doc = json(await run(s, ['--json']));
    expect(doc.account?.keys).toBe(4);
    expect(doc.account?.usage).toEqual({ today: 1.75, week: 4, month: 11.25 });
  });
});

describe('the workspace list is cached for a day (point 1)', () => {
  test('cold: two round trips; warm: one, every workspace listed at once; a day later: asked again', async () => {
    const s = await account({ latencyMs: 150 });
    const sandbox = await makeSandbox();
    try {
      const cold = await run(s, [], BOTH, sandbox);
      expect(cold.code).toBe(0);
      const [workspacesAsked] = s.requestsTo('/workspaces');
      const [unscoped, research] = s.requestsTo('/keys');
      expect(unscoped!.startedAt).toBeLessThan(workspacesAsked!.endedAt!);
      expect(research!.query.get('workspace_id')).toBe(RESEARCH_ID);
      expect(research!.startedAt).toBeGreaterThanOrEqual(workspacesAsked!.endedAt!);
      const files = readdirSync(join(sandbox.home, '.cache', 'openrouter-usage'));
      expect(files).toHaveLength(1);

      s.requests.length = 0;
      const warm = await run(s, [], BOTH, sandbox);
      expect(lines(warm.stdout)).toContain('Account: Today: $1.75* | Week: $4.00 | Month: $11.25 (4 keys in 2 workspaces)');
      expect(s.requestsTo('/workspaces')).toHaveLength(0);
      const listings = s.requestsTo('/keys');
      expect(listings.map((r) => r.query.get('workspace_id'))).toEqual([DEFAULT_ID, RESEARCH_ID]);
      const [first] = s.requestsTo('/key');
      for (const listing of listings) expect(listing.startedAt).toBeLessThan(first!.endedAt!);

      // 25 hours later the list is old: asked again.
      s.requests.length = 0;
      const later = await runCli([], { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: '2026-03-12T13:00:00.000Z', ...BOTH }, sandbox });
      expect(later.code).toBe(0);
      expect(s.requestsTo('/workspaces')).toHaveLength(1);
    } finally {
      await sandbox.cleanup();
      await s.close();
    }
  });

  it('--cache 0 refreshes the workspace list too', async ({ s }) => {
    const sandbox = await makeSandbox();
    try {
      await run(s, [], BOTH, sandbox);
      s.requests.length = 0;
      await run(s, ['--cache', '0'], BOTH, sandbox);
      expect(s.requestsTo('/workspaces')).toHaveLength(1);
      s.requests.length = 0;
      await run(s, [], BOTH, sandbox);
      expect(s.requestsTo('/workspaces')).toHaveLength(0);
    } finally {
      await sandbox.cleanup();
    }
  });

  it('a cache file that fails validation is discarded and the list fetched again', async ({ s }) => {
    const sandbox = await makeSandbox();
    try {
      await run(s, [], BOTH, sandbox);
      const dir = join(sandbox.home, '.cache', 'openrouter-usage');
      const [file] = readdirSync(dir);
      writeFileSync(join(dir, file!), JSON.stringify({ version: 1, fetchedAt: NOW, value: { supported: true, workspaces: [{ name: 'no id' }] } }));
      s.requests.length = 0;
      const res = await run(s, ['--json'], BOTH, sandbox);
      expect(json(res).account?.usage).toEqual({ today: 1.75, week: 4, month: 11.25 });
      expect(s.requestsTo('/workspaces')).toHaveLength(1);
      expect(existsSync(join(dir, file!))).toBe(true);
    } finally {
      await sandbox.cleanup();
    }
  });

  it('a cached workspace that is gone (404) makes the run ask for the list again, once', async ({ s }) => {
    const sandbox = await makeSandbox();
    try {
      await run(s, [], BOTH, sandbox);
      // Research is deleted, its keys with it.
      s.setData({ workspaces: [WORKSPACES[0]!], keys: KEYS.slice(0, 2) });
      s.requests.length = 0;
      const res = await run(s, ['--json'], BOTH, sandbox);
      expect(res.code).toBe(0);
      expect(json(res).account?.usage).toEqual({ today: 1.5, week: 3.2, month: 8.5 });
      expect(s.requestsTo('/workspaces')).toHaveLength(1);
    } finally {
      await sandbox.cleanup();
    }
  });
  it('a cached list older than the workspace /key names is fetched again', async ({ s }) => {
    const sandbox = await makeSandbox();
    try {
      await run(s, [], BOTH, sandbox);
      // A workspace made since the list was cached, holding a key of $0.05 today, and the API key moved there.
      const marketing = workspace('33333333-3333-4333-a333-333333333333', 'Marketing', 'marketing');
      s.setData({
        workspaces: [...WORKSPACES, marketing],
        keys: [...KEYS, key('campaigns', marketing.id, { today: 0.05, week: 0.05, month: 0.05, usage: 0.05 })],
        apiKeyInfo: { ...s.data.apiKeyInfo, workspace_id: marketing.id },
      });
      s.requests.length = 0;
      const res = await run(s, ['--json'], BOTH, sandbox);
      expect(json(res).account?.usage).toEqual({ today: 1.8, week: 4.05, month: 11.3 });
      expect(s.requestsTo('/workspaces')).toHaveLength(1);
    } finally {
      await sandbox.cleanup();
    }
  });
});

describe('accounts without /workspaces (point 1)', () => {
  for (const status of [404, 403] as const) {
    it(`HTTP ${status}: the unscoped /keys, and the notes say the totals cover the default workspace`, async ({ s }) => {
      s.setModes({ workspaces: status });
      // What the totals cover is fine print: shown with --explain, on a terminal wide enough for it.
      const text = await run(s, ['--explain'], { ...BOTH, COLUMNS: '1000' });
      expect(text.code).toBe(0);
      expect(lines(text.stdout)).toContain('Account (default workspace): Today: $1.50* | Week: $3.20 | Month: $8.50 (2 keys)');
      expect(text.stdout).toContain(
        `Account totals cover the default workspace only: /keys lists only its keys, and this account has no /workspaces to list the others (HTTP ${status}).`,
      );
      expect(text.stderr).toBe('');
      expect(queryOf(s, '/keys')).toEqual(['include_disabled=true&offset=0']);
      const doc = json(await run(s, ['--json']));
      expect(doc.account?.coverage).toBe('default-workspace');
      expect(doc.account?.usage).toEqual({ today: 1.5, week: 3.2, month: 8.5 });
      expect(doc.account?.workspaces).toBeNull();
      // The default workspace's month against the whole account's /activity is no like-for-like gap.
      expect(doc.discrepancy).toBeNull();
      expect(text.stdout).not.toContain('Month $8.50 (account, live) vs');
    });
  }
});

describe('--workspace (point 2)', () => {
  for (const name of ['Research', 'research', RESEARCH_ID, '  RESEARCH ']) {
    it(`"${name}" limits totals, breakdown and keys to Research`, async ({ s }) => {
      const res = await run(s, ['--workspace', name]);
      expect(res.code).toBe(0);
      expect(lines(res.stdout)).toContain('Workspace Research: Today: $0.25* | Week: $0.80 | Month: $2.75 (2 keys)');
      expect(lines(res.stdout)).toContain('Recent Models (7d, workspace Research):');
      expect(lines(res.stdout)).toContain('• gpt-4.1-mini: $0.75 (3)');
      expect(res.stdout).not.toContain('• gpt-4.1: ');
      expect(queryOf(s, '/activity')).toEqual([`workspace_id=${RESEARCH_ID}`]);
      expect(queryOf(s, '/keys')).toEqual([`include_disabled=true&offset=0&workspace_id=${RESEARCH_ID}`]);
    });
  }

  it('keys --workspace lists only that workspace, without a workspace column', async ({ s }) => {
    const res = await run(s, ['keys', '--workspace', 'research', '--include-disabled']);
    const out = lines(res.stdout).map((l) => l.replace(/ +/g, ' '));
    expect(out[0]).toBe('🔑 OpenRouter Keys 2 listed in workspace Research');
    expect(out[1]).toBe('name label today week month limit left resets');
    expect(out).toContain('total (2 keys) $0.25 $0.80 $2.75');
    const doc = json<JsonKeysDocument>(await run(s, ['keys', '--workspace', 'research', '--json']));
    expect(doc.workspace).toEqual({ id: RESEARCH_ID, name: 'Research' });
    expect(doc.keys.map((k) => k.name)).toEqual(['notebook']);
  });

  it('JSON says which workspace the totals and the breakdown cover', async ({ s }) => {
    const doc = json(await run(s, ['--json', '--workspace', 'default']));
    expect(doc.account?.coverage).toBe('workspace');
    expect(doc.account?.workspace).toEqual({ id: DEFAULT_ID, name: 'Default Workspace' });
    expect(doc.account?.usage).toEqual({ today: 1.5, week: 3.2, month: 8.5 });
    expect(doc.models?.workspace).toEqual({ id: DEFAULT_ID, name: 'Default Workspace' });
    expect(doc.models?.items.map((m) => [m.model, m.usage])).toEqual([['openai/gpt-4.1', 2]]);
    // The balance is the account's: no runway from one workspace's pace.
    expect(doc.runway).toBeNull();
  });

  it('an unknown workspace is exit 2 naming the known ones; nothing is printed on stdout', async ({ s }) => {
    const res = await run(s, ['--workspace', 'Marketing']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(stderrLines(res)).toEqual([
      `openrouter-usage: --workspace "Marketing" is not a workspace of this account; known: Default Workspace (slug default, id ${DEFAULT_ID}); Research (slug research, id ${RESEARCH_ID})`,
    ]);
    const keys = await run(s, ['keys', '--workspace', 'Marketing']);
    expect(keys.code).toBe(2);
  });

  it('a name two workspaces share is exit 2 asking for the slug or id; the slug then works', async ({ s }) => {
    const team = (id: string, slug: string) => workspace(id, 'Team', slug);
    s.setData({ workspaces: [...WORKSPACES, team('33333333-3333-4333-a333-333333333333', 'team-a'), team('44444444-4444-4444-a444-444444444444', 'team-b')] });
    const res = await run(s, ['--workspace', 'team']);
    expect(res.code).toBe(2);
    expect(stderrLines(res)).toEqual([
      'openrouter-usage: --workspace "team" names 2 workspaces; give its slug or id: Team (slug team-a, id 33333333-3333-4333-a333-333333333333); Team (slug team-b, id 44444444-4444-4444-a444-444444444444)',
    ]);
    const bySlug = await run(s, ['--workspace', 'team-b', '--json']);
    expect(bySlug.code).toBe(0);
    expect(json(bySlug).account?.workspace).toEqual({ id: '44444444-4444-4444-a444-444444444444', name: 'Team' });
    expect(json(bySlug).account?.usage).toEqual({ today: 0, week: 0, month: 0 });
  });

  it('on an account without /workspaces, --workspace is exit 2 saying so', async ({ s }) => {
    s.setModes({ workspaces: 404 });
    const res = await run(s, ['--workspace', 'Research']);
    expect(res.code).toBe(2);
    expect(stderrLines(res)).toEqual([
      'openrouter-usage: --workspace: this account has no workspaces to choose from (/workspaces answered HTTP 404); its keys are all in the default workspace',
    ]);
  });
});

describe('--by workspace (point 4)', () => {
  it('the breakdown per workspace, named from /workspaces, in text, JSON and CSV', async ({ s }) => {
    const text = await run(s, ['--by', 'workspace']);
    expect(text.code).toBe(0);
    expect(queryOf(s, '/activity')).toEqual(['group_by=workspace']);
    const out = lines(text.stdout);
    const at = out.indexOf('Recent Workspaces (7d):');
    expect(out.slice(at + 1, at + 3)).toEqual(['• Default Workspace: $2.00 (10)', '• Research: $0.75 (3)']);

    const doc = json(await run(s, ['--by', 'workspace', '--json']));
    expect(doc.workspaces?.map((w) => [w.workspace, w.usage, w.requests])).toEqual([
      [{ id: DEFAULT_ID, name: 'Default Workspace' }, 2, 10],
      [{ id: RESEARCH_ID, name: 'Research' }, 0.75, 3],
    ]);
    // The models are summed over workspaces as before.
    expect(doc.models?.items.map((m) => [m.model, m.usage])).toEqual([
      ['openai/gpt-4.1', 2],
      ['openai/gpt-4.1-mini', 0.75],
    ]);

    const csv = (await run(s, ['--by', 'workspace', '--format', 'csv'])).stdout.split('\r\n');
    expect(csv[0]).toBe('workspace,workspace_id,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens');
    const research = csv[2]!.split(',');
    expect(research.slice(0, 8)).toEqual(['Research', RESEARCH_ID, '0.75', '0', '3', '300', '30', '0']);
    // $0.75 for 330 tokens: 0.75 / 330 × 1,000,000.
    expect(Number(research[8])).toBeCloseTo(2272.7273, 4);
  });

  it('without --by workspace, JSON has no workspace breakdown', async ({ s }) => {
    expect(json(await run(s, ['--json'])).workspaces).toBeNull();
  });
});

describe('--scope key finds the key by workspace and hash (point 5)', () => {
  it('a key in another workspace with the same masked label is not taken for this one', async ({ s }) => {
    // `notebook` in Research shows the same masked label as the API key in the Default Workspace.
    s.setData({ keys: KEYS.map((k) => (k.name === 'notebook' ? { ...k, label: maskKey(API_KEY) } : k)) });
    const res = await run(s, ['--scope', 'key', '--json']);
    expect(res.code).toBe(0);
    expect(queryOf(s, '/activity')).toEqual([`api_key_hash=${keyHashOf('default')}`]);
    expect(json(res).models?.items.map((m) => [m.model, m.usage])).toEqual([['openai/gpt-4.1', 2]]);
  });

  it('two look-alike labels in one workspace: the key whose counters are this key’s', async ({ s }) => {
    s.setData({ keys: KEYS.map((k) => (k.name === 'ci' ? { ...k, label: maskKey(API_KEY) } : k)) });
    const res = await run(s, ['--scope', 'key', '--json']);
    expect(res.code).toBe(0);
    expect(queryOf(s, '/activity')).toEqual([`api_key_hash=${keyHashOf('default')}`]);
  });
});

describe('no fake balance (point 6)', () => {
  const ZERO_CREDITS = { kind: 'json', body: { data: { total_credits: 0, total_usage: 0 } } } as const;
  const API_ONLY = { OPENROUTER_API_KEY: API_KEY };
  const WARNING =
    'warning: /credits answered OPENROUTER_API_KEY with $0.00 bought and $0.00 used while this key shows spend, which is not a real balance; set OPENROUTER_MGMT_KEY (a management key) to see the balance';

  it('{0, 0} beside a key that has spent: no Balance line, credits null, one warning', async ({ s }) => {
    s.setFault('/credits', ZERO_CREDITS);
    const text = await run(s, [], API_ONLY);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('Balance');
    expect(text.stdout).not.toContain('$0.00 / $0.00');
    expect(stderrLines(text)).toEqual([WARNING]);

    const doc = await run(s, ['--json'], API_ONLY);
    expect(json(doc).credits).toBeNull();
    expect(json(doc).warnings).toEqual([{ source: 'credits', message: WARNING.replace('warning: ', '') }]);
    expect(stderrLines(doc)).toEqual([WARNING]);

    const markdown = await run(s, ['--format', 'markdown'], API_ONLY);
    expect(markdown.stdout).not.toContain('Balance');
    expect((await run(s, ['--format', 'oneline'], API_ONLY)).stdout).toBe('OR key $1.10 today · $5.50 this month\n');
  });

  it('--min-balance is the "figure unavailable" error (exit 2), never an alert', async ({ s }) => {
    s.setFault('/credits', ZERO_CREDITS);
    const res = await run(s, ['--min-balance', '5'], API_ONLY);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('Today: $1.10*');
    expect(stderrLines(res)).toEqual([
      WARNING,
      'openrouter-usage: --min-balance needs the balance, which is unavailable: the balance needs a management key: set OPENROUTER_MGMT_KEY',
    ]);
  });

  it('{0, 0} for a key that has never spent is shown: nothing contradicts it', async ({ s }) => {
    s.setFault('/credits', ZERO_CREDITS);
    s.setData({ apiKeyInfo: { ...s.data.apiKeyInfo, usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0 } });
    const res = await run(s, [], API_ONLY);
    expect(lines(res.stdout)).toContain('Balance: $0.00 / $0.00');
    expect(res.stderr).toBe('');
  });
});

describe('a management key alone (point 7)', () => {
  for (const variable of ['OPENROUTER_MGMT_KEY', 'OPENROUTER_API_KEY']) {
    it(`in ${variable}: account figures, a note that per-key totals need an API key, exit 0`, async ({ s }) => {
      // A terminal wide enough that the note about this key's totals stays on one line.
      const res = await run(s, [], { [variable]: MGMT_KEY, COLUMNS: '1000' });
      expect(res.code).toBe(0);
      const out = lines(res.stdout);
      expect(out).toContain('Account: Today: $1.75* | Week: $4.00 | Month: $11.25 (4 keys in 2 workspaces)');
      // The runway at the window's average: $2.75 in 7 days, $0.392857 a day; $60.00 lasts 152.7 days, to 2026-08-10.
      expect(out).toContain('Balance: $60.00 / $100.00 · runway about 152 days (until 2026-08-10)');
      expect(out).toContain('• gpt-4.1: $2.00 (10)');
      expect(out).toContain("This key's own live totals need an inference key in OPENROUTER_API_KEY; a management key spends nothing itself.");
      expect(res.stdout).not.toContain('(this key)');
      expect(res.stderr).toBe('');
      expect(new Set(s.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${MGMT_KEY}`]));

      const doc = json(await run(s, ['--json'], { [variable]: MGMT_KEY }));
      expect(doc.key.usage).toBeNull();
      expect(doc.key.isManagementKey).toBe(true);
      expect(doc.account?.usage).toEqual({ today: 1.75, week: 4, month: 11.25 });
      expect(doc.credits).toEqual({ total: 100, used: 40, remaining: 60 });

      const alert = await run(s, ['--max-today', '1.50'], { [variable]: MGMT_KEY });
      expect(alert.code).toBe(7);
      expect(stderrLines(alert)).toEqual(["alert: today's spend (account) $1.75 is above --max-today $1.50 by $0.25"]);
    });
  }
});

describe('a threshold never narrows silently (point 8)', () => {
  it('a rejected management key: --max-today and --max-month exit 3, not 0 on this key’s figures', async ({ s }) => {
    const env = { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: fakeKey('z', 'revoked management key') };
    for (const flag of ['--max-today', '--max-month']) {
      const res = await runCli([flag, '100'], { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW, ...env } });
      expect(res.code).toBe(3);
      expect(res.stdout).toContain('Today: $1.10*');
      expect(stderrLines(res).at(-1)).toMatch(/^openrouter-usage: --max-(today|month) needs /);
      expect(stderrLines(res).at(-1)).toContain('OpenRouter rejected OPENROUTER_MGMT_KEY (HTTP 401');
    }
    // Without a threshold the same run is a report with warnings.
    const plain = await runCli([], { env: { OPENROUTER_BASE_URL: s.url, FAKE_CLOCK_NOW: NOW, ...env } });
    expect(plain.code).toBe(0);
  });

  it('a failing /keys (an invalid body): exit 6 with --max-today', async ({ s }) => {
    s.setFault('/keys', { kind: 'json', body: { data: 'not a list' } });
    const res = await run(s, ['--max-today', '100']);
    expect(res.code).toBe(6);
    expect(stderrLines(res).at(-1)).toBe(
      'openrouter-usage: --max-today needs today\'s spend, which is unavailable: /keys: invalid response: data should be an array, got the string "not a list"',
    );
  });

  it('a failing /workspaces (HTTP 400): no totals, and --max-month exits 5', async ({ s }) => {
    s.setFault('/workspaces', { status: 400 });
    const res = await run(s, ['--max-month', '100', '--json']);
    expect(res.code).toBe(5);
    expect(json(res).account).toBeNull();
    expect(stderrLines(res).at(-1)).toMatch(/^openrouter-usage: --max-month needs this month's spend, which is unavailable: \/workspaces: unexpected HTTP 400/);
  });
});

describe('paging (point 9)', () => {
  it('a server that ignores offset: the repeated page ends the paging with one warning, each key counted once', async ({ s }) => {
    // 100 keys of $0.01 today each in the Default Workspace, answered to every page.
    const many = Array.from({ length: 100 }, (_, i) => key(`bulk ${i}`, DEFAULT_ID, { today: 0.01, week: 0.02, month: 0.03, usage: 0.04 }));
    s.setModes({ workspaces: 404 });
    s.setFault('/keys', { kind: 'json', body: { data: many } });
    const res = await run(s, ['--json']);
    expect(res.code).toBe(0);
    expect(json(res).account?.keys).toBe(100);
    expect(json(res).account?.usage).toEqual({ today: 1, week: 2, month: 3 });
    expect(s.requestsTo('/keys')).toHaveLength(2);
    expect(stderrLines(res)).toEqual(['warning: /keys: page 2 repeats keys already listed, so paging stopped there; keys after the first 100 may be missing']);
  });

  it('/workspaces beyond one page: every page read, every workspace listed', async ({ s }) => {
    const spaces = [WORKSPACES[0]!, ...Array.from({ length: 104 }, (_, i) => workspace(`ws-${i}`, `Team ${i}`, `team-${i}`)), WORKSPACES[1]!];
    s.setData({ workspaces: spaces });
    const doc = json(await run(s, ['--json']));
    expect(queryOf(s, '/workspaces')).toEqual(['offset=0&limit=100', 'offset=100&limit=100']);
    expect(doc.account?.usage).toEqual({ today: 1.75, week: 4, month: 11.25 });
    expect(doc.account?.workspaces).toHaveLength(106);
  });
});

describe('answers reused with --cache keep every part', () => {
  it('workspace totals, the chosen workspace and a balance that is none come back from the cache as they were', async ({ s }) => {
    const sandbox = await makeSandbox();
    try {
      const first = await run(s, ['--workspace', 'research', '--cache', '60'], BOTH, sandbox);
      s.requests.length = 0;
      // Ten seconds later by the run's clock (each run starts its clock at the pinned time).
      const again = await run(s, ['--workspace', 'research', '--cache', '60'], { ...BOTH, FAKE_CLOCK_NOW: TEN_SECONDS_LATER }, sandbox);
      expect(s.requests).toHaveLength(0);
      expect(again.stdout).toBe(first.stdout);
      expect(lines(again.stdout)).toContain('Workspace Research: Today: $0.25* | Week: $0.80 | Month: $2.75 (2 keys)');

      s.setFault('/credits', { kind: 'json', body: { data: { total_credits: 0, total_usage: 0 } } });
      const api = { OPENROUTER_API_KEY: API_KEY };
      await run(s, ['--cache', '60'], api, sandbox);
      s.requests.length = 0;
      const cached = await run(s, ['--cache', '60', '--json'], { ...api, FAKE_CLOCK_NOW: TEN_SECONDS_LATER }, sandbox);
      expect(s.requests).toHaveLength(0);
      expect(json(cached).credits).toBeNull();
      expect(json(cached).warnings.map((w) => w.source)).toEqual(['credits']);
    } finally {
      await sandbox.cleanup();
    }
  });
});

describe('--demo has one workspace', () => {
  for (const args of [
    ['--workspace', 'research'],
    ['--by', 'workspace'],
    ['keys', '--workspace', 'research'],
  ]) {
    test(`${args.join(' ')} --demo is exit 2, not silently ignored`, async () => {
      const res = await runCli([...args, '--demo']);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(
        `openrouter-usage: ${args.includes('--by') ? '--by workspace' : '--workspace'} cannot be used with --demo: the sample account has a single workspace\n`,
      );
    });
  }
});
