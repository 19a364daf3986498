/**
 * Every string the tool did not write itself (server data, error messages, file contents) is
 * hostile until it passes through here, at the output edge: a terminal obeys escape sequences,
 * a spreadsheet runs formulas and a markdown viewer loads images. JSON output keeps the original
 * strings, because JSON escapes control characters itself.
 *
 * Where: `sanitize` for every foreign string in the text and keys views and --watch, and for every
 * stderr line (src/edge.ts); `csvCell` for every CSV cell; `markdownText` for every foreign string in
 * markdown (it sanitises first, so do not sanitise twice: the escapes would be doubled).
 */

/** Long enough for any model, provider or key name, short enough that a padded one cannot flood a screen. */
export const DEFAULT_MAX_LENGTH = 1000;

/*
 * ECMA-48 escape sequences, 7-bit (ESC + letter) and 8-bit (a C1 introducer):
 * - control strings (OSC `ESC ]`/0x9d, DCS `ESC P`/0x90, SOS `ESC X`/0x98, PM `ESC ^`/0x9e,
 *   APC `ESC _`/0x9f) run to BEL or ST (`ESC \` or 0x9c); one left open runs to the next ESC or
 *   the end, as a terminal would swallow it, so an OSC 52 or OSC 8 payload never shows as text;
 * - CSI (`ESC [`/0x9b): parameters, intermediates, one final byte;
 * - every other escape: ESC, intermediates, one final byte (`ESC c`, `ESC 7`, `ESC ( B`).
 * Whatever a sequence leaves unmatched loses its ESC below, so it can no longer act.
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b[\x20-\x2f]*[\x30-\x7e]/y;

/** Characters that break a line in a terminal or an editor; NEL (U+0085) is also a C1 control. */
const LINE_BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;

/** C0, DEL, C1, and the bidi controls that reorder what follows them (U+202E shows `exe.txt` as `txt.exe`). */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The length of the escape sequence starting at `index` (0 if none starts there), so the redactor
 * can look through sequences exactly as the sanitiser removes them.
 */
export function escapeSequenceLength(text: string, index: number): number {
  ESCAPE_SEQUENCE.lastIndex = index;
  const match = ESCAPE_SEQUENCE.exec(text);
  return match ? match[0].length : 0;
}

/**
 * Foreign text made safe for one line of a terminal: escape sequences, controls and bidi controls
 * removed, line breaks and tabs turned to spaces, runs of spaces collapsed, ends trimmed, and at
 * most `maxLength` code points (the last one `…` when cut).
 */
export function sanitize(text: string, maxLength: number = DEFAULT_MAX_LENGTH): string {
  let input = text;
  let cut = false;
  // A hostile server may send megabytes in one name; no more than this can survive the cap anyway,
  // and escape sequences rarely take more than a few times the visible text.
  const budget = maxLength * 8 + 1024;
  if (input.length > budget) {
    input = input.slice(0, isHighSurrogate(input.charCodeAt(budget - 1)) ? budget - 1 : budget);
    cut = true;
  }
  const clean = stripEscapeSequences(input).replace(LINE_BREAKS, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
  return cap(clean, maxLength, cut);
}

function stripEscapeSequences(text: string): string {
  if (!/[\x1b\x90\x98\x9b\x9d\x9e\x9f]/.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x1b && !(code >= 0x90 && code <= 0x9f)) continue;
    const length = escapeSequenceLength(text, i);
    if (length === 0) continue;
    out += text.slice(from, i);
    from = i + length;
    i = from - 1;
  }
  return out + text.slice(from);
}

function cap(text: string, maxLength: number, cut: boolean): string {
  if (maxLength < 1) return '';
  // UTF-16 length is never less than the code point count, so most strings need no counting.
  if (!cut && text.length <= maxLength) return text;
  const points = Array.from(text);
  if (!cut && points.length <= maxLength) return text;
  return `${points
    .slice(0, maxLength - 1)
    .join('')
    .trimEnd()}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cells a spreadsheet would read as a formula (or as the start of one, after a tab or CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell, RFC 4180 quoted. Numbers stay numbers (a negative figure is not a formula); a string
 * is sanitised and, if a spreadsheet would take it for a formula, prefixed with `'` (OWASP's advice),
 * so `=HYPERLINK(…)` in a model name stays text. A figure that is not finite has no honest cell: empty.
 */
export function csvCell(value: string | number | boolean | null, maxLength: number = DEFAULT_MAX_LENGTH): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  let text = sanitize(value, maxLength);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every character that can open or close markdown syntax inside a line: links, images, HTML, code, emphasis, table cells. */
const MARKDOWN_SPECIAL = /[\\|[\]()!<>`*_~]/g;

/**
 * Foreign text for a markdown line or table cell: sanitised (one line, no controls), then every
 * character that could start a link, an image, HTML, code, emphasis or a cell boundary is
 * backslash-escaped, so `![](https://…)` shows as text and loads nothing.
 */
export function markdownText(text: string, maxLength: number = DEFAULT_MAX_LENGTH): string {
  return sanitize(text, maxLength).replace(MARKDOWN_SPECIAL, '\\$&');
}
