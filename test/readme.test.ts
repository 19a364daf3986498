// Every example in README.md is real output: each ```console block is a `$ openrouter-usage … --demo …`
// command and what it prints (stdout), run here on a pinned clock, and the JSON example is the real
// --demo document, abridged. When the tool's output changes, this fails until README shows the new one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

/** The moment every README example is made at (the demo's data follow the clock). */
const PINNED = '2026-11-25T06:46:10Z';
/** A reader's terminal: 80 columns, their zone UTC; stdout no terminal, so no colour. */
const ENV = { FAKE_CLOCK_NOW: PINNED, TZ: 'UTC', COLUMNS: '80' };

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = (language: string) => [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

const examples = blocks('console').map((block) => {
  const [command, ...output] = block.split('\n');
  return { command: command!, output: output.join('\n') };
});

describe('README examples', () => {
  test('there are examples, each a --demo command', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const { command } of examples) expect(command).toMatch(/^\$ openrouter-usage (\S+ )*--demo( \S+)*$/);
  });

  test.each(examples)('$command', async ({ command, output }) => {
    const res = await runCli(command.split(' ').slice(2), { env: ENV, frozenClock: true });
    expect(res.stdout).toBe(output);
  });

  test('the JSON example is the real --demo document, abridged (arrays cut after their first item)', async () => {
    const [example] = blocks('json').filter((block) => block.includes('"generatedAt"'));
    const res = await runCli(['--demo', '--json'], { env: ENV, frozenClock: true });
    expect(res.code).toBe(0);
    expectAbridged(JSON.parse(example!), JSON.parse(res.stdout), '$');
  });
});

/** Every value of `example` is the real one; an array holds the real array's first items. */
function expectAbridged(example: unknown, real: unknown, path: string): void {
  if (Array.isArray(example)) {
    expect(Array.isArray(real), path).toBe(true);
    const realItems = real as unknown[];
    expect(example.length, path).toBeLessThanOrEqual(realItems.length);
    example.forEach((item, i) => expectAbridged(item, realItems[i], `${path}[${i}]`));
  } else if (example !== null && typeof example === 'object') {
    expect(Object.keys(example), path).toEqual(Object.keys(real as object));
    for (const [key, value] of Object.entries(example)) expectAbridged(value, (real as Record<string, unknown>)[key], `${path}.${key}`);
  } else {
    expect(example, path).toEqual(real);
  }
}
