import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import { demoResponses } from '../src/demo/responses.js';
import { CliError } from '../src/errors.js';
import { toJsonDocument } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { buildReport, type Report } from '../src/report.js';

const plain = new Chalk({ level: 0 });
const now = new Date('2026-03-10T15:00:00Z');

function report(overrides: Partial<Report> = {}): Report {
  return {
    demo: false,
    generatedAt: now.toISOString(),
    key: {
      label: 'sk-or-v1-abc...xyz',
      isManagementKey: false,
      isFreeTier: false,
      usage: { today: 1.234, week: 4.56, month: 7.891, total: 20 },
      byokUsage: { today: 0, week: 0, month: 0, total: 0 },
      limit: null,
      limitRemaining: null,
      limitReset: null,
    },
    credits: { status: 'ok', value: { total: 10, used: 2.32, remaining: 7.68 } },
    models: {
      status: 'ok',
      value: {
        days: 7,
        from: '2026-03-03',
        to: '2026-03-09',
        items: [
          { model: 'openai/gpt-4.1', usage: 1.1, byokUsage: 0, requests: 42, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 },
          { model: 'anthropic/claude-sonnet-4', usage: 0.9, byokUsage: 0, requests: 7, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 },
          { model: 'x/cheap', usage: 0.001, byokUsage: 0, requests: 1234, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 },
        ],
      },
    },
    warnings: [],
    ...overrides,
  };
}

describe('renderText', () => {
  test('the original layout', () => {
    expect(renderText(report(), { top: 8, chalk: plain })).toBe(
      [
        '💰 OpenRouter Usage',
        'Today: $1.23* | Week: $4.56 | Month: $7.89',
        'Balance: $7.68 / $10.00',
        '',
        'Recent Models (7d):',
        '• gpt-4.1: $1.10 (42)',
        '• claude-sonnet-4: $0.90 (7)',
        '• cheap: <$0.01 (1,234)',
        '',
        'Today/Week/Month: this API key (sk-or-v1-abc...xyz), UTC; balance and models: whole account; models cover 2026-03-03 to 2026-03-09 (completed UTC days).',
        '* indicates live totals that may not yet appear in model breakdowns.',
        '',
      ].join('\n'),
    );
  });

  test('--top cuts the list and sums the rest in one line', () => {
    const text = renderText(report(), { top: 1, chalk: plain });
    expect(text).toContain('• gpt-4.1: $1.10 (42)\n• 2 more models: $0.90 (1,241)\n');
    expect(text).not.toContain('claude');
    expect(renderText(report(), { top: 0, chalk: plain })).toContain('• cheap:');
  });

  test('without a management key: the key cap instead of a balance, and a hint instead of models', () => {
    const text = renderText(
      report({
        key: { ...report().key, limit: 5, limitRemaining: 3.2, limitReset: 'monthly' },
        credits: { status: 'needs-management-key' },
        models: { status: 'needs-management-key' },
      }),
      { top: 8, chalk: plain },
    );
    expect(text).toContain('Key limit: $3.20 left of $5.00, resets monthly\n');
    expect(text).not.toContain('Balance: $');
    expect(text).toContain('Recent Models: set OPENROUTER_MGMT_KEY');
    expect(text.trimEnd().split('\n').at(-1)).toBe('* indicates live totals that may not yet appear in model breakdowns.');
  });

  test('without a management key or a cap: says where the balance comes from, prints no amount', () => {
    const text = renderText(report({ credits: { status: 'needs-management-key' } }), { top: 8, chalk: plain });
    expect(text).toContain('Balance: set OPENROUTER_MGMT_KEY (a management key) to see the account balance');
    expect(text).not.toMatch(/Balance: \$/);
  });

  test('failed parts say so in place', () => {
    const text = renderText(report({ credits: { status: 'failed', message: 'x' }, models: { status: 'failed', message: 'y' } }), { top: 8, chalk: plain });
    expect(text).toContain('Balance: unavailable (/credits failed; see the warning)');
    expect(text).toContain('Recent Models: unavailable (/activity failed; see the warning)');
  });

  test('an empty window is said, not shown as $0.00', () => {
    const text = renderText(report({ models: { status: 'ok', value: { days: 3, from: '2026-03-07', to: '2026-03-09', items: [] } } }), { top: 8, chalk: plain });
    expect(text).toContain('Recent Models (3d):\nNo activity in the last 3 completed UTC days (2026-03-07 to 2026-03-09).');
  });

  test('a management key: no fake live totals', () => {
    const text = renderText(report({ key: { ...report().key, isManagementKey: true, usage: null, byokUsage: null } }), { top: 8, chalk: plain });
    expect(text).not.toContain('Today: $');
    expect(text).toContain('OPENROUTER_API_KEY is a management key');
  });

  test('BYOK spend is shown apart, never added in', () => {
    const base = report();
    const text = renderText(
      report({
        key: { ...base.key, byokUsage: { today: 0.5, week: 1, month: 2, total: 3 } },
        models: { status: 'ok', value: { days: 7, from: '2026-03-03', to: '2026-03-09', items: [{ ...(base.models.status === 'ok' ? base.models.value.items[0]! : ({} as never)), byokUsage: 0.25 }] } },
      }),
      { top: 8, chalk: plain },
    );
    expect(text).toContain('Today: $1.23* | Week: $4.56 | Month: $7.89\nBYOK: Today: $0.50 | Week: $1.00 | Month: $2.00');
    expect(text).toContain('• gpt-4.1: $1.10 (42) + $0.25 BYOK');
  });

  test('demo data is marked', () => {
    expect(renderText(report({ demo: true }), { top: 8, chalk: plain }).split('\n')[0]).toBe('💰 OpenRouter Usage (demo data)');
  });

  test('colour only when the chalk instance has it', () => {
    expect(renderText(report(), { top: 8, chalk: plain })).not.toContain('\u001b[');
    expect(renderText(report(), { top: 8, chalk: new Chalk({ level: 1 }) })).toContain('\u001b[');
  });
});

describe('JSON document', () => {
  test('absent parts are null and failures are warnings', () => {
    const doc = toJsonDocument(report({ credits: { status: 'needs-management-key' }, models: { status: 'failed', message: 'y' } }));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.credits).toBeNull();
    expect(doc.models).toBeNull();
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'generatedAt', 'demo', 'key', 'credits', 'models', 'warnings']);
  });
});

describe('demo', () => {
  test('runs the sample through validation and aggregation, with a full window', () => {
    const built = buildReport(demoResponses(now), { days: 7, now, demo: true, configWarnings: [] });
    expect(built.models.status).toBe('ok');
    if (built.models.status !== 'ok') return;
    expect(built.models.value.items.length).toBeGreaterThan(3);
    expect(built.models.value.to).toBe('2026-03-09');
    expect(built.credits.status).toBe('ok');
    expect(built.key.usage?.today).toBeGreaterThan(0);
  });

  test('the demo report never depends on an error path', () => {
    expect(() => demoResponses(new Date('2030-01-01T00:00:00Z'))).not.toThrow(CliError);
  });
});
