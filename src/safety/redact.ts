import type { Redactor } from '../base/io.js';
import { escapeSequenceLength } from './sanitize.js';

/**
 * Keys must never leave the process: not in an error body a server or proxy echoes back, not in a
 * label or name a server returns, not on stdout. A key is recognised by its content, not its form:
 * the secret part of each configured key is masked with or without the `sk-or-v1-` prefix, in any
 * letter case, %-encoded, split by control characters, escape sequences, invisible characters or
 * line breaks, and also when only a piece of it (12 characters or more) appears.
 *
 * Where: src/edge.ts builds one redactor per run from the keys in use and passes every write through
 * it, stdout and stderr alike; commands also redact the report model itself (`redactStrings`) before
 * rendering, because JSON escapes a control character into text the redactor could no longer see
 * through, and a table laid out before redaction would lose its alignment.
 */

export type { Redaction, Redactor } from '../base/io.js';

/** What a configured key becomes. */
export const REDACTED = '[redacted]';

/** A piece of a key this long is as good as the key to anyone who can read the rest elsewhere. */
const PIECE = 12;
/** Shorter "keys" (test values, typos) would mask ordinary words. */
const MIN_SECRET = 4;

/** Keys of any kind the tool was not told about: masked by form, since their content is unknown. */
const KEY_PATTERN = /sk-or-[A-Za-z0-9-]*?v\d+-[A-Za-z0-9]{6,}|sk-or-[A-Za-z0-9_-]{12,}/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',;]+/gi;

/** The part of a key that is secret: the prefix names the kind of key and is printed in every label. */
export function secretPart(key: string): string {
  const trimmed = key.trim();
  const prefix = /^sk-or-(?:v\d+-)?/i.exec(trimmed);
  return prefix ? trimmed.slice(prefix[0].length) : trimmed;
}

/**
 * A redactor for this run's keys (undefined and short entries are ignored). Its output is the input
 * with every occurrence of a secret, including the characters hidden inside it, replaced by
 * `[redacted]`; generic `sk-or-…` keys and `Bearer` tokens are masked as well.
 */
export function createRedactor(keys: readonly (string | undefined)[]): Redactor {
  const secrets = [...new Set(keys.filter((k): k is string => typeof k === 'string').map((k) => normalise(secretPart(k))))].filter(
    (s) => s.length >= MIN_SECRET,
  );
  const pieces = new Map<string, { secret: string; offset: number }[]>();
  for (const secret of secrets) {
    for (let offset = 0; offset + PIECE <= secret.length; offset++) {
      const piece = secret.slice(offset, offset + PIECE);
      pieces.set(piece, [...(pieces.get(piece) ?? []), { secret, offset }]);
    }
  }
  const alphabet = new Set<number>();
  for (const secret of secrets) for (let i = 0; i < secret.length; i++) alphabet.add(secret.charCodeAt(i));
  const found: Secrets = { pieces, short: secrets.filter((s) => s.length < PIECE), alphabet };

  return (text: string): string => {
    const masked = secrets.length === 0 ? text : maskSecrets(text, found);
    return masked.replace(BEARER_PATTERN, `$1${REDACTED}`).replace(KEY_PATTERN, '[redacted key]');
  };
}

/**
 * The text as a reader would take it in: %XX decoded, ASCII letters in lower case, and without what
 * a terminal or the sanitiser removes or a reader skips over (controls, escape sequences, invisible
 * characters, white space). Projected character i stands for text[from[i]] up to text[to[i]].
 */
function project(text: string): { codes: Uint16Array; from: Uint32Array; to: Uint32Array; length: number } {
  const codes = new Uint16Array(text.length);
  const from = new Uint32Array(text.length);
  const to = new Uint32Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length;) {
    let code = text.charCodeAt(i);
    const sequence = code === 0x1b || (code >= 0x90 && code <= 0x9f) ? escapeSequenceLength(text, i) : 0;
    if (sequence > 0) {
      i += sequence;
      continue;
    }
    let width = 1;
    if (code === 0x25 /* % */ && isHexDigit(text.charCodeAt(i + 1)) && isHexDigit(text.charCodeAt(i + 2))) {
      code = parseInt(text.slice(i + 1, i + 3), 16);
      width = 3;
    }
    if (!isSkipped(code)) {
      codes[length] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
      from[length] = i;
      to[length] = i + width;
      length++;
    }
    i += width;
  }
  return { codes, from, to, length };
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Characters a key can be split by without a reader noticing: controls, bidi and zero-width characters, white space. */
function isSkipped(code: number): boolean {
  if (code <= 0x20 || (code >= 0x7f && code <= 0xa0)) return true;
  if (code < 0x61c) return false;
  return (
    code === 0x61c ||
    code === 0x1680 ||
    code === 0x180e ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x205f && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x206f) ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** A secret as the projection would show it. Only ASCII letters fold: other case mappings can change a string's length, and keys are ASCII. */
function normalise(secret: string): string {
  let out = '';
  for (let i = 0; i < secret.length; i++) {
    const code = secret.charCodeAt(i);
    if (!isSkipped(code)) out += String.fromCharCode(code >= 0x41 && code <= 0x5a ? code + 0x20 : code);
  }
  return out;
}

interface Secrets {
  /** Every PIECE-long piece of every secret, and where it sits. */
  pieces: Map<string, { secret: string; offset: number }[]>;
  /** Secrets shorter than a piece, matched whole. */
  short: string[];
  /** The characters secrets are made of: only runs of these can hold one. */
  alphabet: Set<number>;
}

function maskSecrets(text: string, { pieces, short, alphabet }: Secrets): string {
  const { codes, from, to, length } = project(text);
  // run[i]: how many characters from i on could belong to a secret. Ordinary text has short runs,
  // so few places need a look-up.
  const run = new Uint32Array(length + 1);
  for (let i = length - 1; i >= 0; i--) run[i] = alphabet.has(codes[i]!) ? run[i + 1]! + 1 : 0;
  let chars = '';
  for (let i = 0; i < length; i += 8192) chars += String.fromCharCode(...codes.subarray(i, Math.min(length, i + 8192)));
  const at = (start: number, end: number) => chars.slice(start, end);

  const spans: [number, number][] = [];
  for (let i = 0; i + PIECE <= length;) {
    if (run[i]! < PIECE) {
      i += Math.max(1, run[i]! + 1);
      continue;
    }
    let longest = 0;
    for (const { secret, offset } of pieces.get(at(i, i + PIECE)) ?? []) {
      let matched = PIECE;
      while (offset + matched < secret.length && codes[i + matched] === secret.charCodeAt(offset + matched)) matched++;
      longest = Math.max(longest, matched);
    }
    if (longest > 0) {
      spans.push([i, i + longest]);
      i += longest;
    } else {
      i++;
    }
  }
  for (const secret of short) {
    for (let i = 0; i + secret.length <= length;) {
      if (run[i]! >= secret.length && at(i, i + secret.length) === secret) {
        spans.push([i, i + secret.length]);
        i += secret.length;
      } else {
        i++;
      }
    }
  }
  if (spans.length === 0) return text;

  // Back to the original text: each span runs from its first character to its last, and whatever
  // was hidden between them goes with it.
  const ranges = spans.map(([start, end]) => [from[start]!, to[end - 1]!] as const).sort((a, b) => a[0] - b[0]);
  let out = '';
  let done = 0;
  for (const [start, end] of ranges) {
    if (end <= done) continue;
    out += text.slice(done, Math.max(done, start));
    if (start >= done) out += REDACTED;
    done = end;
  }
  return out + text.slice(done);
}

/**
 * Every string inside a value (a report, a keys list) passed through `redact`: for JSON output,
 * where a key in a label must be masked before JSON.stringify escapes what hides it.
 */
export function redactStrings<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item, redact)) as T;
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [redact(name), redactStrings(item, redact)])) as T;
  }
  return value;
}
