/**
 * Plain-text tables for the terminal: columns padded to their widest cell,
 * two spaces apart, with a rule of dashes under the header.
 */
import { SemiprivError } from '../errors.js';

/** Options for {@link formatTable}. */
export interface TableOptions {
  /**
   * The alignment of each column, one entry per header. By default a
   * column is right-aligned when all its cells are numbers, and
   * left-aligned otherwise.
   */
  align?: ('left' | 'right')[];
}

/**
 * Lays out `rows` under `headers` as lines of text. Numbers are written
 * with `String`, so round them first for a fixed number of decimals. Lines
 * carry no trailing spaces, and the text ends without a newline.
 *
 * @throws SemiprivError `SP_OPTION` when a row or `options.align` has a
 *   different number of entries than `headers`.
 *
 * @example
 * formatTable(['client', 'AUROC'], [['zero', 0.98], ['one', 0.9]]);
 * // client  AUROC
 * // ------  -----
 * // zero     0.98
 * // one       0.9
 */
export function formatTable(
  headers: string[],
  rows: (string | number)[][],
  options: TableOptions = {},
): string {
  const columns = headers.length;
  rows.forEach((row, i) => {
    if (row.length === columns) return;
    const got = `${row.length} in row ${i}`;
    throw invalid(`formatTable: expected ${columns} cells per row, received ${got}`);
  });
  const align = options.align ?? headers.map((_, c) => defaultAlign(rows, c));
  if (align.length !== columns) {
    const got = align.length;
    throw invalid(`formatTable: expected ${columns} alignments, received ${got}`);
  }

  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((header, c) =>
    cells.reduce((width, row) => Math.max(width, row[c].length), header.length),
  );
  const pad = (text: string, c: number): string =>
    align[c] === 'right' ? text.padStart(widths[c]) : text.padEnd(widths[c]);
  const line = (texts: string[]): string => texts.map(pad).join('  ').trimEnd();

  const rule = widths.map((width) => '-'.repeat(width));
  return [line(headers), line(rule), ...cells.map(line)].join('\n');
}

type Cell = string | number;

function defaultAlign(rows: Cell[][], column: number): 'left' | 'right' {
  const numeric = rows.every((row) => typeof row[column] === 'number');
  return rows.length > 0 && numeric ? 'right' : 'left';
}

function invalid(message: string): SemiprivError {
  return new SemiprivError('SP_OPTION', message);
}
