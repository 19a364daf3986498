// Issue 13, points 1, 2 and 12: no foreign string can drive a terminal, run in a spreadsheet or
// become live markdown, whatever a server, a file or a proxy puts in it.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isCalendarDate, leadingCalendarDate } from '../src/base/time.js';
import { csvCell, DEFAULT_MAX_LENGTH, markdownText, sanitize } from '../src/safety/sanitize.js';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;
/** Nothing a terminal could act on or reorder text with. */
// eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/;

describe('sanitize: escape sequences go whole', () => {
  test.each([
    ['CSI clear screen', `a${ESC}[2Jb`, 'ab'],
    ['CSI with parameters and intermediates', `a${ESC}[1;31;4mred${ESC}[0m`, 'ared'],
    ['CSI private mode (hide cursor)', `${ESC}[?25lx`, 'x'],
    ['CSI cursor up then erase line (forged line)', `ok${ESC}[1A${ESC}[2KTotal: $0.00`, 'okTotal: $0.00'],
    ['8-bit CSI (0x9b)', `a\x9b2Jb`, 'ab'],
    ['OSC 52 clipboard write, BEL', `x${ESC}]52;c;ZWNobyBwd25lZA==${BEL}y`, 'xy'],
    ['OSC 52 clipboard write, ST', `x${ESC}]52;c;ZWNobyBwd25lZA==${ST}y`, 'xy'],
    ['OSC 8 forged link', `${ESC}]8;;https://evil.example/${ST}click${ESC}]8;;${ST}`, 'click'],
    ['OSC 0 window title', `${ESC}]0;pwned${BEL}name`, 'name'],
    ['8-bit OSC (0x9d) ended by 8-bit ST (0x9c)', `a\x9d8;;https://evil\x9cb`, 'ab'],
    ['unterminated OSC runs to the end', `name${ESC}]52;c;Zm9v`, 'name'],
    ['unterminated OSC stops at the next escape', `a${ESC}]0;title${ESC}[2Jb`, 'ab'],
    ['DCS', `a${ESC}Pq#0;2;0;0;0${ST}b`, 'ab'],
    ['8-bit DCS', `a\x90qpayload\x9cb`, 'ab'],
    ['APC', `a${ESC}_Gf=100;AAAA${ST}b`, 'ab'],
    ['PM', `a${ESC}^private${ST}b`, 'ab'],
    ['SOS', `a${ESC}Xstring${ST}b`, 'ab'],
    ['two-character escape (full reset)', `a${ESC}cb`, 'ab'],
    ['save cursor', `a${ESC}7b`, 'ab'],
    ['charset designation (three characters)', `a${ESC}(0b`, 'ab'],
    ['lone ESC at the end', `ab${ESC}`, 'ab'],
    ['ESC ESC [', `a${ESC}${ESC}[2Jb`, 'ab'],
    ['ESC then a line break inside CSI (no sequence survives)', `a${ESC}[2\nJb`, 'a2 Jb'],
  ])('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });
});

describe('sanitize: controls, bidi and line breaks', () => {
  test.each([
    ['carriage return forging a line', 'model\rTotal: $0.00', 'model Total: $0.00'],
    ['CRLF', 'a\r\nb', 'a b'],
    ['LF', 'a\nb', 'a b'],
    ['runs of breaks collapse', 'a\n\n\r\n  \tb', 'a b'],
    ['U+2028 line separator', 'a\u2028b', 'a b'],
    ['U+2029 paragraph separator', 'a\u2029b', 'a b'],
    ['U+0085 next line (C1)', 'a\u0085b', 'a b'],
    ['vertical tab and form feed', 'a\vb\fc', 'a b c'],
    ['tab', 'a\tb', 'a b'],
    ['backspace overwriting', 'safe\b\b\b\bEVIL', 'safeEVIL'],
    ['NUL and BEL', 'a\u0000b\u0007c', 'abc'],
    ['DEL', 'a\u007fb', 'ab'],
    ['right-to-left override', 'gpt\u202Etxt.exe', 'gpttxt.exe'],
    ['every bidi embedding and override', 'a\u202a\u202b\u202c\u202d\u202eb', 'ab'],
    ['bidi isolates', 'a\u2066\u2067\u2068\u2069b', 'ab'],
    ['implicit marks', 'a\u200e\u200f\u061cb', 'ab'],
    ['leading and trailing breaks are trimmed', '\n\r name \n', 'name'],
  ])('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  test('every C1 control is removed; one that opens a control string takes its unterminated payload with it', () => {
    for (let code = 0x80; code <= 0x9f; code++) {
      if (code === 0x85 || code === 0x9b) continue; // NEL is a line break and CSI takes `b` as its final byte: both tested above
      const c = String.fromCharCode(code);
      const opensString = [0x90, 0x98, 0x9d, 0x9e, 0x9f].includes(code);
      expect(sanitize(`a${c}b`), code.toString(16)).toBe(opensString ? 'a' : 'ab');
      expect(sanitize(`a${c}b\x9cc`), code.toString(16)).toBe(opensString ? 'ac' : 'abc');
    }
  });

  test('ordinary text, emoji and other scripts pass untouched', () => {
    for (const text of ['openai/gpt-4.1', 'anthropic/claude-3.5-sonnet:beta', 'Ünïcødé 模型 مرحبا', '👩‍💻 team key', 'a b']) expect(sanitize(text)).toBe(text);
  });

  test('removing controls cannot rebuild an escape sequence', () => {
    for (const input of [`\x00${ESC}\x00[2J`, `${ESC}\x07[2J`, `\x1b\u202e[31m`, `${ESC}${ESC}]]0;x${BEL}`]) {
      expect(sanitize(input)).not.toContain(ESC);
    }
  });
});

describe('sanitize: length', () => {
  test('caps at maxLength code points with an ellipsis', () => {
    expect(sanitize('abcdefghij', 5)).toBe('abcd…');
    expect(sanitize('abcde', 5)).toBe('abcde');
    expect(Array.from(sanitize('😀'.repeat(10), 4))).toEqual(['😀', '😀', '😀', '…']);
  });

  test('escape sequences do not count toward the length', () => {
    expect(sanitize(`${ESC}[31m${ESC}[1mabc${ESC}[0m`, 3)).toBe('abc');
  });

  test('the default cap holds for a padded name, and a megabyte costs no more than the cap', () => {
    const out = sanitize('x'.repeat(5_000_000));
    expect(Array.from(out)).toHaveLength(DEFAULT_MAX_LENGTH);
    expect(out.endsWith('…')).toBe(true);
    expect(sanitize(`${ESC}[2J`.repeat(1_000_000) + 'tail').endsWith('…')).toBe(true);
  });

  test('no cap when asked for none', () => {
    expect(sanitize('y'.repeat(5000), Infinity)).toHaveLength(5000);
  });

  test('a cap of zero gives nothing', () => expect(sanitize('abc', 0)).toBe(''));
});

describe('sanitize: properties', () => {
  const hostileChar = fc.oneof(
    fc.integer({ min: 0, max: 0x3ff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom(ESC, '\x9b', '\x9c', '\x9d', '\x90', BEL, '[', ']', ';', '\\', '\u2028', '\u2029', '\u0085', '\u202e', '\u2066', '\u200f', '\u061c'),
    fc.constantFrom(`${ESC}[2J`, `${ESC}]52;c;`, `${ESC}]8;;`, ST, `${ESC}P`, `${ESC}_`, '\r\n'),
  );
  const hostile = fc.array(hostileChar, { maxLength: 60 }).map((parts) => parts.join(''));

  test('no output contains a control, bidi control or line break', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary' })), fc.integer({ min: 1, max: 80 }), (text, max) => {
        const out = sanitize(text, max);
        expect(out).not.toMatch(FORBIDDEN);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 2000 },
    );
  });

  test('sanitising twice changes nothing more', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = sanitize(text);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  test('csvCell and markdownText outputs are free of controls too', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(csvCell(text)).not.toMatch(FORBIDDEN);
        expect(markdownText(text)).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('csvCell', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['=HYPERLINK("https://evil.example","click")', `"'=HYPERLINK(""https://evil.example"",""click"")"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['  =1+1', "'=1+1"],
    ['\t=1+1', "'=1+1"],
    ['\r=1+1', "'=1+1"],
    [`${ESC}[2J=1+1`, "'=1+1"],
    ['\u202e=1+1', "'=1+1"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', 'line break'],
    ['openai/gpt-4.1', 'openai/gpt-4.1'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (input, expected) => expect(csvCell(input)).toBe(expected));

  test('numbers stay numbers, negative ones included; null is empty', () => {
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  test('a figure that is not finite has no cell', () => {
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Infinity)).toBe('');
  });
});

describe('markdownText', () => {
  test.each([
    ['image beacon', '![](https://evil.example/beacon.png)', '\\!\\[\\]\\(https://evil.example/beacon.png\\)'],
    ['link', '[click](https://evil.example)', '\\[click\\]\\(https://evil.example\\)'],
    ['reference link', '[x][1]', '\\[x\\]\\[1\\]'],
    ['autolink in angle brackets', '<https://evil.example>', '\\<https://evil.example\\>'],
    ['HTML image', '<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert\\(1\\)\\>'],
    ['table cell boundary', 'a | b', 'a \\| b'],
    ['backslash before a pipe', 'a\\|b', 'a\\\\\\|b'],
    ['code span', '`rm -rf`', '\\`rm -rf\\`'],
    ['emphasis', '*bold* _it_ ~~gone~~', '\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~'],
    ['a line break cannot start a new row', 'a\n| x | y |', 'a \\| x \\| y \\|'],
    ['escape sequences are gone before escaping', `${ESC}]8;;https://x${ST}[a](b)`, '\\[a\\]\\(b\\)'],
    ['ordinary names keep their look', 'openai/gpt-4.1', 'openai/gpt-4.1'],
  ])('%s', (_name, input, expected) => expect(markdownText(input)).toBe(expected));

  test('no unescaped markdown opener survives any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        // Drop escaped pairs; what is left must hold no character that opens syntax.
        const rest = markdownText(text).replace(/\\[\\|[\]()!<>`*_~]/g, '');
        expect(rest).not.toMatch(/[\\|[\]()!<>`*_~]/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('calendar dates (issue 13, point 9)', () => {
  test.each(['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '2026-04-30'])('%s is a date', (day) => expect(isCalendarDate(day)).toBe(true));

  test.each([
    '2026-11-00',
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-1-01',
    '2026-01-01T00:00:00Z',
    ' 2026-01-01',
    '',
    '２０２６-01-01',
  ])('%j is not', (day) => expect(isCalendarDate(day)).toBe(false));

  test('the day in front of a time, if it is a real one', () => {
    expect(leadingCalendarDate('2026-03-04T12:00:00Z')).toBe('2026-03-04');
    expect(leadingCalendarDate('2026-03-04 12:00:00')).toBe('2026-03-04');
    expect(leadingCalendarDate('2026-03-04')).toBe('2026-03-04');
    expect(leadingCalendarDate('2026-11-00T00:00:00Z')).toBeUndefined();
    expect(leadingCalendarDate('2026-03-045')).toBeUndefined();
    expect(leadingCalendarDate('2026-03-04junk')).toBeUndefined();
  });
});
