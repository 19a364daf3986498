// Issue 13, points 3 and 11: a configured key is masked by its content, in whatever form it is
// echoed back, and nothing else of the text is lost.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRedactor, redactStrings, REDACTED, secretPart } from '../src/safety/redact.js';
import { sanitize } from '../src/safety/sanitize.js';
import { API_KEY, fakeKey, maskKey, MGMT_KEY, secretOf } from './server.js';

const redactor = createRedactor([API_KEY, MGMT_KEY]);

/** No 12-character piece of either secret, in any letter case. */
function assertNoKey(text: string): void {
  const lower = text.toLowerCase();
  for (const key of [API_KEY, MGMT_KEY]) {
    const secret = secretOf(key);
    for (let i = 0; i + 12 <= secret.length; i++) expect(lower).not.toContain(secret.slice(i, i + 12));
  }
}

const secret = secretOf(API_KEY);
const percentAll = (text: string, upper: boolean) => {
  const encoded = Array.from(text, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  return upper ? encoded.toUpperCase() : encoded.toLowerCase();
};
const splitEvery = (text: string, n: number, by: string) => text.replace(new RegExp(`(.{${n}})`, 'g'), `$1${by}`);

describe('createRedactor: the forms a key comes back in', () => {
  test.each([
    ['the whole key', API_KEY],
    ['without its prefix', secret],
    ['in upper case', API_KEY.toUpperCase()],
    ['URL-encoded by encodeURIComponent', encodeURIComponent(`k=${API_KEY}`)],
    ['every character %-encoded, lower-case hex', percentAll(API_KEY, false)],
    ['every character %-encoded, upper-case hex', percentAll(API_KEY, true)],
    ['some characters %-encoded', secret.replace(/[a-c]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)],
    ['split by NUL', splitEvery(secret, 5, '\u0000')],
    ['split by line breaks', splitEvery(secret, 7, '\r\n')],
    ['split by ESC sequences', splitEvery(secret, 9, '\x1b[0m')],
    ['split by an OSC string', splitEvery(secret, 20, '\x1b]0;x\x07')],
    ['split by C1 CSI', splitEvery(secret, 3, '\x9b31m')],
    ['split by bidi controls', splitEvery(secret, 4, '\u202e')],
    ['split by zero-width spaces', splitEvery(secret, 2, '\u200b')],
    ['split by spaces', splitEvery(secret, 8, ' ')],
    ['split by %-encoded controls', splitEvery(secret, 6, '%00%0A')],
    ['only a piece of it (truncated echo)', secret.slice(5, 30)],
    ['the management key inside a label', `team ${MGMT_KEY} (prod)`],
    ['in a JSON string', JSON.stringify({ label: API_KEY })],
    ['in a URL', `https://proxy.example/?key=${encodeURIComponent(API_KEY)}&x=1`],
  ])('%s', (_name, text) => {
    const out = redactor(text);
    assertNoKey(out);
    expect(out).toContain(REDACTED);
  });

  test('what surrounds the key is kept, escape sequences and line breaks included', () => {
    expect(redactor(`Key ${API_KEY} is not valid`)).toBe(`Key sk-or-v1-${REDACTED} is not valid`);
    expect(redactor(`a\n${secret}\nb`)).toBe(`a\n${REDACTED}\nb`);
    expect(redactor(`\x1b[31mred\x1b[0m ${secret} \x1b[1mbold\x1b[0m`)).toBe(`\x1b[31mred\x1b[0m ${REDACTED} \x1b[1mbold\x1b[0m`);
  });

  test('what hides inside a key goes with it', () => {
    expect(redactor(`<${secret.slice(0, 20)}\u0000\x1b[2J${secret.slice(20)}>`)).toBe(`<${REDACTED}>`);
  });

  test('two keys side by side, and the same key twice', () => {
    const out = redactor(`${API_KEY}${MGMT_KEY} and ${API_KEY}`);
    assertNoKey(out);
    expect(out.split(REDACTED)).toHaveLength(4);
  });

  test('the masked label the API itself returns stays readable', () => {
    expect(redactor(maskKey(API_KEY))).toBe(maskKey(API_KEY));
    expect(redactor(`label: ${maskKey(MGMT_KEY)}`)).toBe(`label: ${maskKey(MGMT_KEY)}`);
  });

  test('ordinary text is untouched', () => {
    const text = 'Today: $1.23 · openai/gpt-4.1 · 2026-03-04 · 100% of limit · %zz';
    expect(redactor(text)).toBe(text);
  });

  test('the sanitiser cannot put a key back together: redaction sees what it would leave', () => {
    for (const by of ['\x1b[0m', '\u0000', '\u202e', '\x9b1m']) {
      const hostile = splitEvery(secret, 10, by);
      assertNoKey(sanitize(redactor(hostile)));
      assertNoKey(redactor(sanitize(hostile)));
    }
  });

  test('any key in any hostile wrapping', () => {
    const noise = fc.constantFrom('\u0000', '\r', '\n', '\x1b[2J', '\u202e', '\u200b', ' ', '%0a', '\x9b0m', '\x1b]52;c;x\x07');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 64 }), noise), { maxLength: 6 }),
        fc.string({ maxLength: 20 }),
        (before, cuts, after) => {
          let hidden = secret;
          for (const [at, by] of [...cuts].sort((a, b) => b[0] - a[0])) hidden = hidden.slice(0, at) + by + hidden.slice(at);
          assertNoKey(redactor(before + hidden + after));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('createRedactor: keys it does not know', () => {
  test('generic OpenRouter-looking keys and Bearer tokens are masked by form', () => {
    const stranger = fakeKey('c', 'someone else');
    expect(redactor(`x ${stranger} y`)).not.toContain(secretOf(stranger).slice(0, 12));
    expect(redactor('Authorization: Bearer abc.def-123')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  test('no keys: only the generic masks', () => {
    expect(createRedactor([])('plain')).toBe('plain');
    expect(createRedactor([undefined, '', 'ab'])('ab abc')).toBe('ab abc');
  });

  test('a short secret is masked whole, not by pieces', () => {
    const r = createRedactor(['hunter22']);
    expect(r('pw=hunter22;')).toBe(`pw=${REDACTED};`);
    expect(r('hunter2')).toBe('hunter2');
  });
});

test('secretPart drops the kind-of-key prefix only', () => {
  expect(secretPart(API_KEY)).toBe(secret);
  expect(secretPart('sk-or-abcdef')).toBe('abcdef');
  expect(secretPart('plain-token')).toBe('plain-token');
});

test('redactStrings masks every string of a report, names included, and keeps other values', () => {
  const report = {
    key: { label: `x${API_KEY}`, usage: 1.5, ok: true, none: null },
    models: [{ model: `evil/${secret}` }],
    byName: { [MGMT_KEY]: 2 },
    when: new Date(0),
  };
  const out = redactStrings(report, redactor);
  assertNoKey(JSON.stringify(out));
  expect(out.key.usage).toBe(1.5);
  expect(out.key.ok).toBe(true);
  expect(out.key.none).toBeNull();
  expect(out.when).toBe(report.when);
  expect(report.key.label).toContain(API_KEY);
});

test('each redactor knows only its own keys: nothing is shared between runs in one process', () => {
  const first = createRedactor(['my-very-secret-value']);
  const second = createRedactor(['quite-unrelated-words']);
  expect(first('a my-very-secret-value b MY-VERY-SECRET-VALUE')).toBe(`a ${REDACTED} b ${REDACTED}`);
  expect(first('my-very-secret\u0000-value')).toBe(REDACTED);
  expect(second('my-very-secret-value')).toBe('my-very-secret-value');
});
