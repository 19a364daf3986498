// Every format from one report: snapshots with fixed data and a fixed clock, and a check that
// each format carries the same numbers.
import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import { demoResponses } from '../src/demo/responses.js';
import { formatUsd } from '../src/format.js';
import { csvField, renderCsv, renderKeysCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderKeysJson } from '../src/render/json.js';
import { renderKeysText } from '../src/render/keys.js';
import { renderKeysMarkdown, renderMarkdown } from '../src/render/markdown.js';
import { renderOneline, renderKeysOneline } from '../src/render/oneline.js';
import { renderText } from '../src/render/text.js';
import { buildKeysReport } from '../src/keys-report.js';
import { buildReport } from '../src/report.js';

const now = new Date('2026-03-10T15:00:00Z');
const plain = new Chalk({ level: 0 });
const responses = demoResponses(now);
const report = buildReport(responses, { days: 7, now, demo: true, configWarnings: [] });
const keysReport = buildKeysReport(responses.keys.status === 'ok' ? responses.keys.value : [], { includeDisabled: true, now, demo: true, warnings: [] });

const outputs = {
  text: renderText(report, { top: 8, chalk: plain, timeZone: 'UTC' }),
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
    expect(renderText(report, { top: 8, chalk: plain, timeZone: 'UTC', explain: true, width: 80 })).toMatchSnapshot();
  });
  test('--details and --by provider', () => {
    expect(renderText(report, { top: 3, chalk: plain, timeZone: 'UTC', details: true, by: 'provider' })).toMatchSnapshot();
  });
  test('keys view in every format', () => {
    expect(renderKeysText(keysReport, { chalk: plain })).toMatchSnapshot();
    expect(renderKeysJson(keysReport)).toMatchSnapshot();
    expect(renderKeysCsv(keysReport)).toMatchSnapshot();
    expect(renderKeysMarkdown(keysReport)).toMatchSnapshot();
    expect(renderKeysOneline(keysReport)).toMatchSnapshot();
  });
});

describe('every format carries the same numbers', () => {
  const doc = JSON.parse(outputs.json);
  const items: { model: string; usage: number; requests: number }[] = doc.models.items;

  test('per-model spend and requests', () => {
    const csvRows = outputs.csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(csvRows.map((r) => [r[0], Number(r[1]), Number(r[3])])).toEqual(items.map((i) => [i.model, i.usage, i.requests]));
    for (const item of items) {
      const short = item.model.slice(item.model.lastIndexOf('/') + 1);
      expect(outputs.text).toContain(`• ${short}: ${formatUsd(item.usage)} (${item.requests})`);
      expect(outputs.markdown).toContain(`| ${short} | ${formatUsd(item.usage)} | ${item.requests} |`);
    }
  });

  test('totals and balance', () => {
    const { key, account, credits } = doc;
    expect(outputs.text).toContain(`Today: ${formatUsd(key.usage.today)}* | Week: ${formatUsd(key.usage.week)} | Month: ${formatUsd(key.usage.month)}`);
    expect(outputs.text).toContain(`Balance: ${formatUsd(credits.remaining)} / ${formatUsd(credits.total)}`);
    expect(outputs.markdown).toContain(`| This key | ${formatUsd(key.usage.today)} | ${formatUsd(key.usage.week)} | ${formatUsd(key.usage.month)} |`);
    expect(outputs.markdown).toContain(`**Balance:** ${formatUsd(credits.remaining)} of ${formatUsd(credits.total)}`);
    expect(outputs.oneline).toBe(`OR acct ${formatUsd(account.usage.today)} today · ${formatUsd(credits.remaining)} left (demo)\n`);
  });

  test('keys view: rows and totals agree across formats', () => {
    const keysDoc = JSON.parse(renderKeysJson(keysReport));
    const csvRows = renderKeysCsv(keysReport).trim().split('\r\n').slice(1);
    expect(csvRows).toHaveLength(keysDoc.keys.length);
    for (const k of keysDoc.keys) expect(renderKeysText(keysReport, { chalk: plain })).toContain(formatUsd(k.usage.month));
    expect(renderKeysOneline(keysReport)).toContain(formatUsd(keysDoc.totals.usage.month));
  });
});

describe('CSV quoting (RFC 4180)', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [null, ''],
    [0.1, '0.1'],
  ])('%j → %j', (value, expected) => expect(csvField(value)).toBe(expected));

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
    expect(renderOneline(noCredits)).toMatch(/^OR key \$1\.23 today · \$\d+\.\d\d this month\n$/);
    expect(renderOneline(noCredits, '5m')).toMatch(/ \(stale 5m\)\n$/);
  });
});
