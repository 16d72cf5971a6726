import { CsvError, Parser } from 'csv-parse/browser/esm';
import { BackpropError } from '../errors.js';

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

/** csv-parse's incremental parser, fed text and handing each record on as it ends. */
export class IncrementalParser extends Parser {
  error: unknown;
  constructor(
    delimiter: string,
    private readonly onRecord: (record: string[], line: number) => void,
    toLine?: number,
    /** For a parser taking over mid-text: the line ends found there (\n or \r\n), and no BOM to skip. */
    midway?: { recordDelimiter: string },
  ) {
    super({
      delimiter,
      bom: !midway,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      ...(toLine ? { to_line: toLine } : {}),
      ...(midway ? { record_delimiter: midway.recordDelimiter } : {}),
    });
  }
  override push(record: unknown): boolean {
    if (record !== null) this.onRecord(record as string[], this.info.lines);
    return true;
  }
  override _transform(chunk: unknown, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    super._transform(chunk, encoding, (err?: Error | null) => {
      if (err) this.error = err;
      callback();
    });
  }
  /** Stopping at `to_line`, csv-parse hands this to on('end'); the stream of its browser build has no destroy of its own. */
  override destroy(): this {
    return this;
  }
  /** The number of the line the parser reads next (the text's first being 1): set when lines were read around it. */
  get line(): number {
    return this.info.lines;
  }
  set line(n: number) {
    (this.info as { lines: number }).lines = n;
  }
  /** Parses the text; throws its first syntax error. */
  feed(text: string): void {
    this.write(text);
    this.raise();
  }

  /**
   * Parses UTF-8 bytes as they are (no decoding to text and encoding back): wrapped, without a
   * copy, in the Buffer class of csv-parse's browser build, found on its own options.
   */
  feedBytes(bytes: Uint8Array): void {
    const B = (this.options.delimiter[0] as unknown as { constructor: { from(b: ArrayBufferLike, offset: number, length: number): unknown } }).constructor;
    this.write(B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.raise();
  }
  /** Parses what is left at the end of the text; throws its syntax error. */
  close(): void {
    this._flush((err?: Error | null) => void (err && (this.error = err)));
    this.raise();
  }
  private raise(): void {
    if (this.error !== undefined) throw this.error;
  }
}

interface Parsed {
  record: string[];
  info: { lines: number };
}

/** Refuses a delimiter csv-parse cannot use. */
export function checkDelimiter(delimiter: unknown): void {
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || /[\r\n]/.test(delimiter)) {
    throw new BackpropError('option', `delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
}

/** The header row's names (an empty one named after its column); throws if it looks like data or repeats a name. */
export function checkHeader(record: string[], line: number, source: string, delimiter: string): string[] {
  const header = record.map((name, j) => name || `column_${j + 1}`);
  const numericNames = record.filter((name) => typeof parseNumber(name, delimiter) === 'number').length;
  if (numericNames * 2 > header.length) {
    throw new BackpropError(
      'data',
      `${source} row ${line} looks like data, not a header (${numericNames} of its ${header.length} names are numbers): ` +
        'add a first row with the column names',
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new BackpropError(
        'data',
        `${source} row ${line}: the header names column ${first + 1} and column ${j + 1} both '${name}': column names must be unique`,
      );
    }
    seen.set(name, j);
  });
  return header;
}

/** A csv-parse error as one line naming the source and the row. */
export function csvSyntaxError(e: CsvError, source: string): BackpropError {
  // Every csv-parse error is about the text (not all their codes start with CSV_).
  const line = typeof e.lines === 'number' ? ` row ${e.lines}` : '';
  const what =
    e.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field is never closed (a " is missing)'
      : e.code === 'CSV_INVALID_CLOSING_QUOTE'
        ? 'text follows the closing quote of a field (write a quote inside a quoted field as "")'
        : e.code === 'INVALID_OPENING_QUOTE'
          ? 'a quote starts in the middle of a field (quote the whole field, and write a quote inside it as "")'
          : 'the text is not valid CSV';
  return new BackpropError('data', `${source}${line}: ${what} (${e.message})`);
}

/** The first 50 rows of text (csv-parse stops there), for the detection of the delimiter. */
function firstRows(text: string, delimiter: string): Parsed[] {
  const rows: Parsed[] = [];
  const parser = new IncrementalParser(delimiter, (record, lines) => rows.push({ record, info: { lines } }), DETECTION_ROWS);
  parser.feed(text);
  parser.close();
  return rows;
}

const DETECTION_ROWS = 50;

/**
 * The delimiter among comma, semicolon and tab that splits the first rows into the same number
 * of fields as the header, and the most fields; comma when none splits the header. Reads the
 * first rows only.
 */
export function detectDelimiter(text: string): string {
  for (let breaks = 2 * DETECTION_ROWS + 2; ; breaks *= 2) {
    const cut = prefixEnd(text, breaks);
    const found = detectDelimiterOnPrefix(text.slice(0, cut), cut === text.length);
    if (found !== undefined) return found;
  }
}

/** Where the text's `breaks`-th line break (\n or \r) ends, or its length. */
export function prefixEnd(text: string, breaks: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 10 || c === 13) && ++n >= breaks) return i + 1;
  }
  return text.length;
}

/**
 * detectDelimiter on the start of a text holding more than its first 50 rows (or all of it,
 * with `whole`): undefined when that start cuts a quoted field (more text is needed).
 */
export function detectDelimiterOnPrefix(prefix: string, whole: boolean): string | undefined {
  let best: string = ',';
  let bestScore = -1;
  for (const d of CSV_DELIMITERS) {
    let rows: Parsed[];
    try {
      rows = firstRows(prefix, d);
    } catch (err) {
      if (!whole && err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED') return undefined;
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
export function columnLabel(table: Pick<CsvTable, 'header'>, j: number): string {
  return `column ${j + 1} ('${table.header[j]}')`;
}

/** The index of the column named `name` (exact, then case-insensitive), or -1. */
export function findColumn(table: Pick<CsvTable, 'header'>, name: string): number {
  const exact = table.header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = table.header.filter((h) => h.toLowerCase() === lower);
  return matches.length === 1 ? table.header.indexOf(matches[0]) : -1;
}
