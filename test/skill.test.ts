// SKILL.md must match the real tool: every command it shows parses, and every JSON field it names
// exists in the real output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, test } from 'vitest';
import { buildProgram } from '../src/program.js';
import { ROOT, runCli } from './run-cli.js';

const skill = readFileSync(join(ROOT, 'SKILL.md'), 'utf8');

const commands = [...skill.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split('\n'))
  .map((line) => line.trim())
  .filter((line) => line.startsWith('npx -y openrouter-usage'));

function parse(args: string[]): { command: 'report' | 'keys'; options: Record<string, unknown> } {
  let seen: { command: 'report' | 'keys'; options: Record<string, unknown> } | undefined;
  const program = buildProgram({
    report: (options) => {
      seen = { command: 'report', options: options as unknown as Record<string, unknown> };
      return Promise.resolve();
    },
    keys: (options) => {
      seen = { command: 'keys', options: options as unknown as Record<string, unknown> };
      return Promise.resolve();
    },
  });
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.parse(args, { from: 'user' });
  if (!seen) throw new Error(`nothing ran for ${args.join(' ')}`);
  return seen;
}

function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? paths(value[0], prefix) : [];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...paths(v, `${prefix}${k}.`)]);
  }
  return [];
}

describe('SKILL.md', () => {
  test('shows commands', () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
  });

  test.each(commands)('parses: %s', (line) => {
    const args = line.split(/\s+/).slice(3);
    expect(() => parse(args)).not.toThrow(CommanderError);
  });

  test('every field it names exists in the JSON the tool prints', async () => {
    // A threshold the demo crosses, so that `alerts` has an item whose fields can be checked too.
    // The demo's figures follow the date, so the run's clock is pinned: a mid-month Wednesday.
    const result = await runCli(['--demo', '--json', '--max-today', '0.01'], { env: { FAKE_CLOCK_NOW: '2026-03-11T12:00:00.000Z' } });
    expect(result.code).toBe(7);
    const doc = JSON.parse(result.stdout);
    const known = new Set(paths(doc));
    const leafNames = new Set([...known].map((p) => p.split('.').at(-1)));

    const table = skill.slice(skill.indexOf('## Reading the JSON'), skill.indexOf('## Exit codes'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const [first, meaning] = row.split(' | ');
      for (const [, field] of first!.matchAll(/`([^`]+)`/g)) expect(known, `field ${field}`).toContain(field);
      for (const [, word] of (meaning ?? '').matchAll(/`([a-zA-Z.]+)`/g)) {
        if (/^[a-z][a-zA-Z]*$/.test(word!) && !['null', 'true', 'false'].includes(word!)) expect(leafNames, `field ${word}`).toContain(word);
      }
    }
    for (const field of ['reasoningTokens', 'completionTokens', 'byokUsage', 'utcDayEndsAt', 'schemaVersion']) expect(leafNames).toContain(field);
  });

  test('the exit codes it lists are the ones --help lists', async () => {
    const help = (await runCli(['--help'])).stdout;
    const listed = [...skill.slice(skill.indexOf('## Exit codes')).matchAll(/^\| (\d+) \|/gm)].map((m) => m[1]);
    // At least the codes every run can end with (so the loop below cannot pass over an empty table).
    expect(listed).toEqual(expect.arrayContaining(['0', '2', '3', '4', '5', '6', '7']));
    for (const code of listed) expect(help).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  });
});
