// The whole-text CSV reader as it was before the streaming reader (src/data/csv-records.ts), kept
// only as the oracle the streaming reader is compared with: the same tables, data sets and messages.
import { CsvError, parse } from 'csv-parse/browser/esm/sync';
import { BackpropError } from '../../src/errors.js';

/**
 * CSV text as a table of strings: a header row and the data rows, each data row with the line
 * of the file it ends on (so messages can say "row 17" as an editor or a spreadsheet shows it,
 * the header being row 1). Parsing runs in Node and in browsers alike (csv-parse's browser
 * build); reading the file is left to the caller.
 */
export interface CsvTable {
  /** The name used in messages, e.g. the file's name. */
  readonly source: string;
  /** Column names, from the header row. */
  readonly header: string[];
  /** Data rows, every one with header.length fields (trimmed). */
  readonly rows: string[][];
  /** For each data row, its row number in the file (1-based, the header being row 1). */
  readonly lines: number[];
  /** The field delimiter found or given. */
  readonly delimiter: string;
}

/** The delimiters tried, in order of preference when several fit. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;

export interface CsvOptions {
  /** Field delimiter (default: detected among comma, semicolon and tab). */
  delimiter?: string;
}

interface Parsed {
  record: string[];
  info: { lines: number };
}

/** Parses CSV text with a header row; throws a BackpropError naming `source` and the row on bad input. */
export function parseCsv(text: string, source = 'data', options: CsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw new BackpropError('data', `${source}: expected CSV text, got ${typeof text}`);
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    throw new BackpropError('data', `${source} is empty: expected a header row and at least one data row`);
  }
  const delimiter = options.delimiter ?? detectDelimiter(text);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || /[\r\n]/.test(delimiter)) {
    throw new BackpropError('option', `delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  const records = parseRecords(text, source, delimiter);
  const [head, ...body] = records;
  const header = head.record.map((name, j) => name || `column_${j + 1}`);
  const numericNames = head.record.filter((name) => typeof parseNumber(name, delimiter) === 'number').length;
  if (numericNames * 2 > header.length) {
    throw new BackpropError(
      'data',
      `${source} row ${head.info.lines} looks like data, not a header (${numericNames} of its ${header.length} names are numbers): ` +
        'add a first row with the column names',
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new BackpropError(
        'data',
        `${source} row ${head.info.lines}: the header names column ${first + 1} and column ${j + 1} both '${name}': column names must be unique`,
      );
    }
    seen.set(name, j);
  });
  if (body.length === 0) {
    throw new BackpropError('data', `${source} has a header row but no data rows: expected at least one row of values below the header`);
  }
  for (const r of body) {
    if (r.record.length !== header.length) {
      throw new BackpropError(
        'data',
        `${source} row ${r.info.lines} has ${r.record.length} ${r.record.length === 1 ? 'value' : 'values'}, expected ${header.length} (one per column of the header)` +
          (delimiter === ',' && r.record.length > header.length ? '; quote fields that contain a comma' : ''),
      );
    }
  }
  return {
    source,
    header,
    rows: body.map((r) => r.record),
    lines: body.map((r) => r.info.lines),
    delimiter,
  };
}

function parseRecords(text: string, source: string, delimiter: string, toLine?: number): Parsed[] {
  try {
    return parse(text, {
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      ...(toLine ? { to_line: toLine } : {}),
    }) as unknown as Parsed[];
  } catch (err) {
    // Every csv-parse error is about the text (not all their codes start with CSV_).
    if (err instanceof CsvError) {
      const e = err;
      const line = typeof e.lines === 'number' ? ` row ${e.lines}` : '';
      const what =
        e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted field is never closed (a " is missing)'
          : e.code === 'CSV_INVALID_CLOSING_QUOTE'
            ? 'text follows the closing quote of a field (write a quote inside a quoted field as "")'
            : e.code === 'INVALID_OPENING_QUOTE'
              ? 'a quote starts in the middle of a field (quote the whole field, and write a quote inside it as "")'
              : 'the text is not valid CSV';
      throw new BackpropError('data', `${source}${line}: ${what} (${e.message})`);
    }
    throw err;
  }
}

/**
 * The delimiter among comma, semicolon and tab that splits the first rows into the same number
 * of fields as the header, and the most fields; comma when none splits the header.
 */
export function detectDelimiter(text: string): string {
  let best: string = ',';
  let bestScore = -1;
  for (const d of CSV_DELIMITERS) {
    let rows: Parsed[];
    try {
      rows = parseRecords(text, '', d, 50);
    } catch {
      continue;
    }
    if (rows.length === 0) continue;
    const width = rows[0].record.length;
    if (width < 2) continue;
    const consistent = rows.every((r) => r.record.length === width);
    // A delimiter that splits every row evenly beats one that does not; then more columns win.
    const score = (consistent ? 1e6 : 0) + width;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number in a CSV cell, or a string saying why it is not one. A decimal comma is accepted
 * when the file's delimiter is not a comma (e.g. "5,1" in a semicolon-separated file).
 */
export function parseNumber(cell: string, delimiter = ','): number | string {
  if (cell === '') return 'the cell is empty: fill in a number (missing values are not supported)';
  let s = cell;
  if (delimiter !== ',' && /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(s)) s = s.replace(',', '.');
  if (NUMBER.test(s)) {
    const v = Number(s);
    if (Number.isFinite(v)) return v;
    return `${shown(cell)} is too large to be a finite number`;
  }
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) return `${shown(cell)} is not a finite number: expected a number such as 0.5`;
  return `expected a number, got ${shown(cell)}`;
}

/** A cell for a one-line message: in quotes, with line breaks and other control characters escaped. */
function shown(cell: string): string {
  return /[\u0000-\u001f\u007f]/.test(cell) ? JSON.stringify(cell) : `'${cell}'`;
}

/** "column 3 ('petal_length')": how messages name a column. */
export function columnLabel(table: CsvTable, j: number): string {
  return `column ${j + 1} ('${table.header[j]}')`;
}

/** The index of the column named `name` (exact, then case-insensitive), or -1. */
export function findColumn(table: CsvTable, name: string): number {
  const exact = table.header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = table.header.filter((h) => h.toLowerCase() === lower);
  return matches.length === 1 ? table.header.indexOf(matches[0]) : -1;
}
