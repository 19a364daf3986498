// Every format from one report: snapshots with fixed data and a fixed clock, and a check that
// each format carries the same numbers.
import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import { demoResponses } from '../src/sources/demo.js';
import { renderCsv, renderKeysCsv } from '../src/render/csv.js';
import { csvCell } from '../src/safety/sanitize.js';
import { renderJson } from '../src/render/json.js';
import { renderKeysJson } from '../src/render/json.js';
import { renderKeysText } from '../src/render/keys.js';
import { renderKeysMarkdown, renderMarkdown } from '../src/render/markdown.js';
import { renderOneline, renderKeysOneline } from '../src/render/oneline.js';
import { renderText } from '../src/render/text.js';
import { buildKeysReport } from '../src/model/keys-report.js';
import { buildReport } from '../src/model/report.js';

const now = new Date('2026-03-10T15:00:00Z');
const plain = new Chalk({ level: 0 });
const responses = demoResponses(now);
const report = buildReport(responses, { days: 7, now, demo: true, configWarnings: [] });
const keysReport = buildKeysReport(responses.keys.status === 'ok' ? responses.keys.value : [], { includeDisabled: true, now, demo: true, warnings: [] });

const outputs = {
  text: renderText(report, { top: 8, chalk: plain, utcOffset: () => 0 }),
  json: renderJson(report),
  markdown: renderMarkdown(report, { top: 8 }),
  csv: renderCsv(report),
  oneline: renderOneline(report),
};

describe('snapshots (fixed data, fixed clock)', () => {
  test.each(Object.entries(outputs))('%s', (_format, output) => {
    expect(output).toMatchSnapshot();
  });
  test('--explain at 80 columns', () => {
    expect(renderText(report, { top: 8, chalk: plain, utcOffset: () => 0, explain: true, width: 80 })).toMatchSnapshot();
  });
  test('--details and --by provider', () => {
    expect(renderText(report, { top: 3, chalk: plain, utcOffset: () => 0, details: true, by: 'provider' })).toMatchSnapshot();
  });
  test('keys view in every format', () => {
    expect(renderKeysText(keysReport, { chalk: plain })).toMatchSnapshot();
    expect(renderKeysJson(keysReport)).toMatchSnapshot();
    expect(renderKeysCsv(keysReport)).toMatchSnapshot();
    expect(renderKeysMarkdown(keysReport)).toMatchSnapshot();
    expect(renderKeysOneline(keysReport)).toMatchSnapshot();
  });
});

// The demo data at 2026-03-10 (src/demo/sample.ts): per model over 03-03 … 03-09, gpt-4.1 1.4928 in 56
// requests, claude-sonnet-4 1.0914 (9), gemini-2.5-pro 0.4437 (23), deepseek-chat-v3.1 0.0376 (49),
// the free llama 0 (46); the laptop key (this key) 1.23412 / 1.5445 / 3.56461; the account (3 keys)
// 1.27532 / 1.79262 / 5.15947; credits 50 bought, 7.68 left; keys by month: laptop 3.56461, agent in
// CI 1.59486, old phone 0 (disabled).
describe('every format carries the same numbers', () => {
  const ITEMS: Array<[model: string, usage: number, requests: number, short: string, spend: string]> = [
    ['openai/gpt-4.1', 1.4928, 56, 'gpt-4.1', '$1.49'],
    ['anthropic/claude-sonnet-4', 1.0914, 9, 'claude-sonnet-4', '$1.09'],
    ['google/gemini-2.5-pro', 0.4437, 23, 'gemini-2.5-pro', '$0.44'],
    ['deepseek/deepseek-chat-v3.1', 0.0376, 49, 'deepseek-chat-v3.1', '$0.04'],
    ['meta-llama/llama-3.3-70b-instruct:free', 0, 46, 'llama-3.3-70b-instruct:free', '$0.00'],
  ];

  test('per-model spend and requests', () => {
    const doc = JSON.parse(outputs.json) as { models: { items: Array<{ model: string; usage: number; requests: number }> } };
    expect(doc.models.items.map((i) => [i.model, i.usage, i.requests])).toEqual(ITEMS.map(([model, usage, requests]) => [model, usage, requests]));
    const csvRows = outputs.csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(csvRows.map((r) => [r[0], Number(r[1]), Number(r[3])])).toEqual(ITEMS.map(([model, usage, requests]) => [model, usage, requests]));
    for (const [, , requests, short, spend] of ITEMS) {
      expect(outputs.text).toContain(`• ${short}: ${spend} (${requests})`);
      expect(outputs.markdown).toContain(`| ${short} | ${spend} | ${requests} |`);
    }
  });

  test('totals and balance', () => {
    expect(outputs.text).toContain('Today: $1.23* | Week: $1.54 | Month: $3.56 (this key)');
    expect(outputs.text).toContain('Account: Today: $1.28* | Week: $1.79 | Month: $5.16 (3 keys)');
    expect(outputs.text).toContain('Balance: $7.68 / $50.00');
    expect(outputs.markdown).toContain('| This key | $1.23 | $1.54 | $3.56 |');
    expect(outputs.markdown).toContain('| Account (3 keys) | $1.28 | $1.79 | $5.16 |');
    expect(outputs.markdown).toContain('**Balance:** $7.68 of $50.00');
    expect(outputs.oneline).toBe('OR acct $1.28 today · $7.68 left (demo)\n');
  });

  test('keys view: rows and totals agree across formats', () => {
    const keysDoc = JSON.parse(renderKeysJson(keysReport)) as { keys: Array<{ name: string; usage: { month: number } }>; totals: { usage: { month: number } } };
    expect(keysDoc.keys.map((k) => [k.name, k.usage.month])).toEqual([
      ['laptop', 3.56461],
      ['agent in CI', 1.59486],
      ['old phone', 0],
    ]);
    // 3.56461 + 1.59486 + 0 = 5.15947
    expect(keysDoc.totals.usage.month).toBeCloseTo(5.15947, 9);
    expect(renderKeysCsv(keysReport).trim().split('\r\n').slice(1)).toHaveLength(3);
    const text = renderKeysText(keysReport, { chalk: plain }).split('\n');
    const cells = (l: string): string[] => l.split(/ {2,}/);
    expect(text.filter((l) => /^(laptop|agent in CI|old phone) /.test(l)).map((l) => cells(l)[4])).toEqual(['$3.56', '$1.59', '$0.00']);
    expect(cells(text.find((l) => l.startsWith('total'))!)).toEqual(['total (3 keys)', '$1.28', '$1.79', '$5.16']);
    expect(renderKeysOneline(keysReport)).toBe('OR 3 keys · $1.28 today · $5.16 month\n');
  });
});

describe('CSV quoting (RFC 4180)', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    // One line per row: a line break inside a foreign string becomes a space.
    ['two\nlines', 'two lines'],
    [null, ''],
    [0.1, '0.1'],
    [-0.5, '-0.5'],
    ['=cmd|', "'=cmd|"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['+1', "'+1"],
    ['=HYPERLINK("http://e","x")', '"\'=HYPERLINK(""http://e"",""x"")"'],
  ])('%j → %j', (value, expected) => expect(csvCell(value)).toBe(expected));

  test('a header and CRLF line ends; no breakdown means the header alone', () => {
    const none = buildReport({ ...responses, activity: { status: 'needs-management-key' } }, { days: 7, now, demo: false, configWarnings: [] });
    expect(renderCsv(none)).toBe('model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens\r\n');
    expect(renderCsv(report, 'day').split('\r\n')[0]).toBe('date,usage,requests');
    expect(renderCsv(report, 'day').trim().split('\r\n')).toHaveLength(8);
  });
});

describe('markdown', () => {
  test('cells cannot break the table', () => {
    const odd = buildReport(
      { ...responses, activity: { status: 'ok', value: [{ date: '2026-03-09', model: 'evil/a|b', usage: 1, requests: 1 }] } },
      { days: 7, now, demo: false, configWarnings: [] },
    );
    expect(renderMarkdown(odd, { top: 8 })).toContain('| a\\|b | $1.00 | 1 |');
  });
});

describe('oneline', () => {
  test('without a balance: the month; with a stale marker; never more than one line', () => {
    const noCredits = buildReport(
      { ...responses, credits: { status: 'needs-management-key' }, keys: { status: 'needs-management-key' } },
      { days: 7, now, demo: false, configWarnings: [] },
    );
    // The laptop key's own today (1.23412) and month (3.56461).
    expect(renderOneline(noCredits)).toBe('OR key $1.23 today · $3.56 this month\n');
    expect(renderOneline(noCredits, '5m')).toBe('OR key $1.23 today · $3.56 this month (stale 5m)\n');
  });
});
