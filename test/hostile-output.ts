// What "clean output" means for issue 13, in one place: the hostile suite and the fuzzing both
// assert it on every format the CLI prints.
import { expect } from 'vitest';
import { leakedPieces } from './run-cli.js';
import { API_KEY, MGMT_KEY, secretOf } from './server.js';

const ESC = '\x1b';

/** The fragments a hostile server puts in names, labels, models and messages. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  `${ESC}[2J${ESC}[H`,
  `${ESC}]52;c;ZWNobyBwd25lZA==\x07`,
  `${ESC}]8;;https://evil.example/${ESC}\\click me${ESC}]8;;${ESC}\\`,
  '\x9b31m',
  'line\rTotal: $0.00',
  'two\nlines',
  'gpt\u202Etxt.exe',
  "=cmd|' /C calc'!A0",
  '+1+2',
  '@SUM(A1)',
  '![x](http://e/b.png)',
  '[link](http://e/)',
  '<img src=x>',
  'a|b',
  '`code`',
  API_KEY,
  secretOf(MGMT_KEY),
  secretOf(API_KEY).toUpperCase(),
  [...secretOf(API_KEY)].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
  `${secretOf(MGMT_KEY).slice(0, 20)}${ESC}[0m${secretOf(MGMT_KEY).slice(20)}`,
  `${secretOf(API_KEY).slice(0, 30)}\u200b${secretOf(API_KEY).slice(30)}`,
];

export const SECRETS = [secretOf(API_KEY), secretOf(MGMT_KEY)];

// eslint-disable-next-line no-control-regex -- exactly what must never be printed
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Key material in any form the fragments use: as is, in any case, %-encoded, split by invisible characters. */
export function keyMaterial(text: string): string[] {
  const decoded = text
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    // eslint-disable-next-line no-control-regex -- what a reader skips over
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff]|\x1b\[[0-9;]*m/g, '')
    .toLowerCase();
  return leakedPieces(decoded, SECRETS);
}

/**
 * No control character (a line feed ends a line; CSV ends lines with CRLF), no escape sequence, no
 * bidi control, no key material; markdown with no live link, image, HTML or cell boundary of a
 * foreign string's making; CSV with no cell a spreadsheet would run.
 */
export function expectCleanOutput(text: string, format: 'text' | 'markdown' | 'csv' | 'oneline' | 'json', what: string): void {
  const lines = format === 'csv' ? text.replace(/\r\n/g, '\n') : text;
  expect(lines, `${what}: control character or escape sequence`).not.toMatch(CONTROL);
  expect(text, `${what}: bidi control`).not.toMatch(BIDI);
  expect(keyMaterial(text), `${what}: key material`).toEqual([]);
  if (format === 'markdown') {
    expect(text, `${what}: live markdown link or image`).not.toMatch(/(?<!\\)\]\(/);
    expect(text, `${what}: unescaped [`).not.toMatch(/(?<!\\)\[/);
    // `<$0.01` is the tool's own and opens nothing; `<` before a letter, `/`, `!` or `?` opens HTML.
    expect(text, `${what}: HTML`).not.toMatch(/(?<!\\)<[A-Za-z/!?]/);
    // Every row of a table has as many cell boundaries as its header.
    let cells: number | undefined;
    for (const line of text.split('\n')) {
      const boundaries = line.startsWith('|') ? (line.match(/(?<!\\)\|/g) ?? []).length : undefined;
      if (boundaries === undefined) cells = undefined;
      else if (cells === undefined) cells = boundaries;
      else expect(boundaries, `${what}: a foreign | made a cell in ${line}`).toBe(cells);
    }
  }
  if (format === 'csv') {
    for (const cell of csvCells(text)) expect(cell, `${what}: formula cell`).not.toMatch(/^[=+\-@\t\r]/);
  }
  if (format === 'json') {
    for (const value of jsonStrings(JSON.parse(text))) expect(keyMaterial(value), `${what}: key material in ${JSON.stringify(value)}`).toEqual([]);
  }
}

/** Every cell of an RFC 4180 document, unquoted. */
export function csvCells(text: string): string[] {
  const cells: string[] = [];
  const cell = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n|$)/gy;
  let match: RegExpExecArray | null;
  while (cell.lastIndex < text.length && (match = cell.exec(text)) !== null) {
    const raw = match[1]!;
    cells.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    if (match[0] === '') break;
  }
  return cells;
}

function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([name, item]) => [name, ...jsonStrings(item)]);
  return [];
}
