export interface Column {
  header: string;
  cells: string[];
  align: 'left' | 'right';
  /** Lower goes first when the terminal is too narrow; the first column is never dropped. */
  priority: number;
}

const GAP = '  ';

/** Visible width: wide characters are rare in model names, so code points are close enough. */
function width(text: string): number {
  return [...text].length;
}

/**
 * Aligned columns that degrade on narrow terminals: the least important columns go first, then
 * the first column is shortened with an ellipsis. `maxWidth` undefined means no limit (piped).
 */
/** The table, and the headers of the columns a narrow terminal left out (so the reader can be told). */
export function fitTable(columns: readonly Column[], maxWidth?: number): { lines: string[]; dropped: string[] } {
  let kept = [...columns];
  const widths = (cols: readonly Column[]) => cols.map((c) => Math.max(width(c.header), ...c.cells.map(width)));
  const total = (cols: readonly Column[]) => widths(cols).reduce((a, b) => a + b, 0) + GAP.length * (cols.length - 1);
  if (maxWidth !== undefined) {
    while (kept.length > 2 && total(kept) > maxWidth) {
      const drop = kept.slice(1).reduce((low, c) => (c.priority < low.priority ? c : low));
      kept = kept.filter((c) => c !== drop);
    }
  }
  const w = widths(kept);
  if (maxWidth !== undefined && total(kept) > maxWidth) w[0] = Math.max(8, w[0]! - (total(kept) - maxWidth));
  const rows = [kept.map((c) => c.header), ...kept[0]!.cells.map((_, r) => kept.map((c) => c.cells[r] ?? ''))];
  const dropped = columns.filter((c) => !kept.includes(c)).map((c) => c.header);
  const lines = rows.map((cells) =>
    cells
      .map((cell, i) => {
        const fitted = width(cell) > w[i]! ? `${[...cell].slice(0, w[i]! - 1).join('')}…` : cell;
        const pad = ' '.repeat(w[i]! - width(fitted));
        return kept[i]!.align === 'right' ? pad + fitted : fitted + pad;
      })
      .join(GAP)
      .trimEnd(),
  );
  return { lines, dropped };
}

/** The line under a table that lost columns: `(narrow terminal: prompt, completion not shown)`. */
export function droppedNote(dropped: readonly string[]): string | undefined {
  return dropped.length > 0 ? `(narrow terminal: ${dropped.join(', ')} not shown)` : undefined;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A day with no spend is the lowest bar; any spend at all is at least the second, so it shows. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max <= 0 ? BARS[0] : BARS[Math.max(1, Math.ceil((v / max) * (BARS.length - 1)))])).join('');
}

// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** Columns a line takes on a terminal: colour codes take none, an emoji takes two. */
export function visibleWidth(line: string): number {
  const text = line.replace(ANSI_SEQUENCE, '');
  let width = 0;
  for (const char of text) width += /\p{Extended_Pictographic}/u.test(char) ? 2 : 1;
  return width;
}

/**
 * No line wider than the terminal: a long line breaks between words (a terminal keeps a colour
 * across the break), and a word wider than the whole line is cut with an ellipsis.
 */
export function fitLines(lines: readonly string[], width: number | undefined): string[] {
  if (width === undefined || width < 20) return [...lines];
  const out: string[] = [];
  for (const line of lines) {
    if (visibleWidth(line) <= width) {
      out.push(line);
      continue;
    }
    let current = '';
    for (const word of line.split(' ')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (visibleWidth(candidate) <= width) {
        current = candidate;
        continue;
      }
      if (current !== '') out.push(current);
      current = visibleWidth(word) <= width ? word : cut(word, width);
    }
    if (current !== '') out.push(current);
  }
  return out;
}

function cut(word: string, width: number): string {
  const plain = word.replace(ANSI_SEQUENCE, '');
  let kept = '';
  for (const char of plain) {
    if (visibleWidth(`${kept}${char}…`) > width) break;
    kept += char;
  }
  return `${kept}…`;
}
