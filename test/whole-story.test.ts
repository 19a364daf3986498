// Every format tells the whole story: what --top leaves out is summed in one row, and a table that
// loses columns on a narrow terminal says which. The demo's data, on a pinned clock.
import { describe, expect, test } from 'vitest';
import { visibleWidth } from '../src/render/table.js';
import { runCli } from './run-cli.js';

const env = { FAKE_CLOCK_NOW: '2026-11-25T06:46:10Z' };

// The demo's 7 days: gpt-4.1 $1.4928 (56 requests), claude-sonnet-4 $1.0914 (9), gemini-2.5-pro
// $0.4437 (23), deepseek-chat-v3.1 $0.0376 (49), llama-3.3-70b-instruct:free $0 (46).
describe('--top in markdown and CSV', () => {
  test('markdown: the rest in one row, as text does', async () => {
    const res = await runCli(['--demo', '--format', 'markdown', '--top', '2'], { env });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      [
        '| Model | Spend | Requests |',
        '|---|---:|---:|',
        '| gpt-4.1 | $1.49 | 56 |',
        '| claude-sonnet-4 | $1.09 | 9 |',
        '| _3 more models_ | _$0.48_ | _118_ |',
        '',
      ].join('\n'),
    );
  });

  test('markdown: one left out is one more model', async () => {
    const res = await runCli(['--demo', '--format', 'markdown', '--top', '4'], { env });
    expect(res.stdout).toContain('| deepseek-chat-v3.1 | $0.04 | 49 |\n| _1 more model_ | _$0.00_ | _46_ |\n');
  });

  test('CSV with --top: that many rows and one for the rest, whose columns still add up', async () => {
    const res = await runCli(['--demo', '--format', 'csv', '--top', '2'], { env });
    expect(res.code).toBe(0);
    expect(res.stdout.split('\r\n')).toEqual([
      'model,usage,byok_usage,requests,prompt_tokens,completion_tokens,reasoning_tokens,usd_per_million_tokens',
      'openai/gpt-4.1,1.4928,0,56,267600,39000,0,4.8689',
      'anthropic/claude-sonnet-4,1.0914,0,9,153000,41650,10200,5.607',
      // 0.4813 / (217,750 + 54,125) tokens × 1e6 = 1.77030…
      '3 more models,0.4813,0,118,217750,54125,18125,1.7703',
      '',
    ]);
  });

  test('CSV without --top lists every model (a spreadsheet wants them all)', async () => {
    const res = await runCli(['--demo', '--format', 'csv'], { env });
    expect(res.stdout.split('\r\n').filter(Boolean)).toHaveLength(6);
    expect(res.stdout).not.toContain('more models');
  });

  test('--by day with --top lists every day and says why on stderr', async () => {
    const res = await runCli(['--demo', '--by', 'day', '--top', '3', '--format', 'markdown'], { env });
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter((line) => /^\| 2026-11-\d\d \|/.test(line))).toHaveLength(7);
    expect(res.stderr).toBe('note: --by day lists every day of the window; --top picks models or providers (shorten the window with --days)\n');
  });

  test('--by day without --top says nothing', async () => {
    const res = await runCli(['--demo', '--by', 'day'], { env });
    expect(res.stderr).toBe('');
  });
});

describe('tables on a narrow terminal', () => {
  test('--details names the columns it left out', async () => {
    const res = await runCli(['--demo', '--details', '--top', '0'], { env, terminal: { columns: 50 } });
    expect(res.code).toBe(0);
    const out = res.stdout.split('\n');
    const header = out.indexOf('model                        spend  requests');
    expect(header).toBeGreaterThan(0);
    // The note itself breaks between words at 50 columns.
    expect(out.slice(header + 6, header + 8)).toEqual(['(narrow terminal: $/M tok, prompt, completion,', 'reasoning not shown)']);
  });

  test('--details on a wide terminal leaves nothing out and says nothing', async () => {
    const res = await runCli(['--demo', '--details', '--top', '0'], { env, terminal: { columns: 120 } });
    expect(res.stdout).toContain('model                        spend  requests  $/M tok   prompt  completion  reasoning');
    expect(res.stdout).not.toContain('narrow terminal');
  });

  test('keys names the columns it left out', async () => {
    const res = await runCli(['keys', '--demo'], { env, terminal: { columns: 40 } });
    // The note breaks between words at 40 columns.
    expect(res.stdout).toContain('total (2 keys)  $1.28  $2.22  $11.51\n(narrow terminal: label, limit, left,\nresets not shown)\n');
  });
});

describe('the keys view on a narrow terminal', () => {
  test('no line is wider than the terminal', async () => {
    const res = await runCli(['keys', '--demo'], { env, terminal: { columns: 40 } });
    expect(res.code).toBe(0);
    for (const line of res.stdout.slice(0, -1).split('\n')) expect(visibleWidth(line), line).toBeLessThanOrEqual(40);
  });
});
