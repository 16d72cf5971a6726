import { CsvError } from 'csv-parse/browser/esm';
import { BackpropError } from '../errors.js';
import { checkDelimiter, checkHeader, csvSyntaxError, detectDelimiterOnPrefix, IncrementalParser, prefixEnd, type CsvOptions, type CsvTable } from './csv.js';
import { hashField, PlainLines, StringFields, type RowFields } from './csv-fast.js';

export { hashField, type RowFields } from './csv-fast.js';

/**
 * What a CsvRecordReader hands on: the checked header once, then every data row that has one
 * value per column, with the row of the file it ends on (the header being row 1).
 */
export interface RecordHandler {
  /** `rows`: about how many data rows follow, when the text's length was given (from the first rows' length). */
  onHeader(header: string[], delimiter: string, rows?: number): void;
  onRow(fields: string[], line: number): void;
  /** When present, takes every row instead of onRow, as RowFields (no string per field where the row is plain). */
  onFields?(fields: RowFields, line: number): void;
}

/** The line breaks (\n or \r) to gather before the delimiter is detected: 50 rows, even with \r\n. */
const DETECTION_BREAKS = 102;

/**
 * Reads CSV text given in chunks of any size (cut anywhere, even inside a quoted field or
 * between \r and \n), holding nothing but the current chunk: the delimiter is detected on the
 * first rows, the header checked, each row's width checked, and the rows handed on. Messages
 * and their order are those of reading the whole text at once: a syntax error anywhere wins over
 * a bad header, which wins over a missing body, which wins over a row of the wrong width; so a
 * later error is only known at the end, and `end` throws it. Also computes the data's fingerprint.
 */
export class CsvRecordReader {
  private prefix = '';
  private breaks = 0;
  private newlines = 0;
  private needed = DETECTION_BREAKS;
  private parser?: IncrementalParser;
  private carry = '';
  private content = false;
  private records = 0;
  private width = 0;
  private hash = FINGERPRINT_SEED;
  /** The first error after the header's checks, deferred to the end; `rank` orders them. */
  private pending?: { rank: number; error: BackpropError };
  /** Data rows read. */
  rows = 0;
  delimiter?: string;
  private estimate?: number;
  /** Reading bytes: those kept until the delimiter is known, their count, and the decoder of the first rows. */
  private bytes?: { chunks: Uint8Array[]; length: number; decoder: TextDecoder };
  /** Reading bytes past the first rows: the plain lines, read without csv-parse (see PlainLines), until one is not plain. */
  private plain?: PlainLines;
  private readonly strings = new StringFields();
  /** Whether the parser was closed (the first rows' is, once the plain lines take over). */
  private closed = false;

  constructor(
    readonly source: string,
    private readonly handler: RecordHandler,
    private readonly given?: string,
    /** The text's length in characters or bytes, when known: the handler is told about how many rows to expect. */
    private readonly length?: number,
  ) {
    if (given !== undefined) checkDelimiter(given);
  }

  /** Reads the next piece of text, or of its UTF-8 bytes (one or the other for a whole text). */
  write(chunk: string | Uint8Array): void {
    if (typeof chunk !== 'string') return this.takeBytes(chunk);
    let text = this.carry + chunk;
    this.carry = '';
    // A chunk cut between the two halves of a surrogate pair keeps the first half for the next one.
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.take(text);
  }

  /** Bytes go to the parser as they are; the first rows are decoded too, for the delimiter's detection. */
  private takeBytes(bytes: Uint8Array): void {
    this.bytes ??= { chunks: [], length: 0, decoder: new TextDecoder('utf-8') };
    const b = this.bytes;
    if (this.parser) {
      if (!this.content) this.content = /\S/.test(b.decoder.decode(bytes, { stream: true }));
      return this.parseBytes(bytes);
    }
    b.chunks.push(bytes);
    b.length += bytes.length;
    this.prefixText(b.decoder.decode(bytes, { stream: true }));
  }

  private take(text: string): void {
    if (this.bytes) return this.takeBytes(new TextEncoder().encode(text));
    this.prefixText(text);
  }

  private prefixText(text: string): void {
    if (!this.content && /\S/.test(text)) this.content = true;
    if (this.parser) return this.parse(text);
    this.prefix += text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) {
        this.breaks++;
        if (c === 10) this.newlines++;
      }
    }
    if (this.breaks >= this.needed) this.start(false);
  }

  /** The end of the text: throws any error found; returns the fingerprint. */
  end(): string {
    if (this.carry) this.take(this.carry);
    this.carry = '';
    if (this.bytes && !this.parser) this.prefixText(this.bytes.decoder.decode());
    if (!this.parser) this.start(true);
    const rest = this.plain?.end();
    if (rest) this.toParser(rest);
    this.plain = undefined;
    this.closeParser();
    if (!this.content || this.records === 0) {
      throw new BackpropError('data', `${this.source} is empty: expected a header row and at least one data row`);
    }
    if (this.pending && this.pending.rank === 0) throw this.pending.error;
    if (this.rows === 0) {
      throw new BackpropError('data', `${this.source} has a header row but no data rows: expected at least one row of values below the header`);
    }
    if (this.pending) throw this.pending.error;
    return fingerprintHex(this.hash);
  }

  /**
   * The delimiter, detected on the text up to the needed-th line break (as detectDelimiter does it
   * on a whole text: more when a quoted field runs past it), or undefined when more text is needed.
   */
  private detect(atEnd: boolean): string | undefined {
    for (;;) {
      const cut = prefixEnd(this.prefix, this.needed);
      const found = detectDelimiterOnPrefix(this.prefix.slice(0, cut), atEnd && cut === this.prefix.length);
      if (found !== undefined || cut === this.prefix.length) return found;
      this.needed *= 2;
    }
  }

  private start(atEnd: boolean): void {
    let delimiter = this.given;
    if (delimiter === undefined) {
      const found = this.detect(atEnd);
      if (found === undefined) {
        // a quoted field runs past the rows gathered: gather more
        this.needed *= 2;
        return;
      }
      delimiter = found;
    }
    this.delimiter = delimiter;
    const lines = this.newlines || this.breaks;
    const read = this.bytes ? this.bytes.length : this.prefix.length;
    if (this.length && lines > 1) this.estimate = Math.ceil((this.length / read) * lines);
    this.parser = new IncrementalParser(delimiter, (record, line) => this.record(record, line));
    const text = this.prefix;
    this.prefix = '';
    if (!this.bytes) return this.parse(text);
    const chunks = this.bytes.chunks;
    this.bytes.chunks = [];
    const quoted = chunks.some((c) => c.includes(34));
    if (quoted || atEnd) {
      for (const c of chunks) this.parseBytes(c);
      return;
    }
    const first = joinChunks(chunks);
    const lf = first.indexOf(10);
    const crlf = lf > 0 && first[lf - 1] === 13;
    if (lf < 0 || (first.indexOf(13) >= 0 && !crlf)) return this.parseBytes(first); // \r line ends: csv-parse's
    // csv-parse reads the first rows up to the last line end, and is closed there (so that it hands
    // on the last of them); the plain lines take over from there
    const cut = afterLines(first, this.needed);
    this.parseBytes(first.subarray(0, cut));
    this.closeParser();
    this.plain = new PlainLines(delimiter.charCodeAt(0), crlf, this.parser.line, (fields, line) => this.row(fields, line));
    this.parseBytes(first.subarray(cut));
  }

  /**
   * From the first line that is not plain on, a new csv-parse parser reads the rest, with the line
   * ends found at the start and the line count carried on.
   */
  private toParser(rest: Uint8Array): void {
    const { line, crlf } = this.plain!;
    this.plain = undefined;
    this.parser = new IncrementalParser(this.delimiter!, (record, at) => this.record(record, at), undefined, { recordDelimiter: crlf ? '\r\n' : '\n' });
    this.parser.line = line;
    this.closed = false;
    this.parseBytes(rest);
  }

  private closeParser(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.parser!.close();
    } catch (err) {
      throw this.syntaxError(err);
    }
  }

  private parse(text: string): void {
    try {
      this.parser!.feed(text);
    } catch (err) {
      throw this.syntaxError(err);
    }
  }

  private parseBytes(bytes: Uint8Array): void {
    if (this.plain) {
      const rest = this.plain.feed(bytes);
      return rest ? this.toParser(rest) : undefined;
    }
    try {
      this.parser!.feedBytes(bytes);
    } catch (err) {
      throw this.syntaxError(err);
    }
  }

  private syntaxError(err: unknown): unknown {
    return err instanceof CsvError ? csvSyntaxError(err, this.source) : err;
  }

  private record(fields: string[], line: number): void {
    if (this.records === 0) {
      this.records++;
      return this.header(fields, line);
    }
    this.strings.values = fields;
    this.row(this.strings, line);
  }

  /** A data row, from csv-parse or a plain line. */
  private row(fields: RowFields, line: number): void {
    this.records++;
    this.rows++;
    if (this.pending) return;
    if (fields.length !== this.width) {
      this.pending = { rank: 1, error: widthError(this.source, fields.length, this.width, line, this.delimiter!) };
      return;
    }
    this.hash = fields.hash(this.hash);
    if (this.handler.onFields) this.handler.onFields(fields, line);
    else this.handler.onRow(Array.from({ length: fields.length }, (_, k) => fields.text(k)), line);
  }

  private header(fields: string[], line: number): void {
    try {
      const header = checkHeader(fields, line, this.source, this.delimiter!);
      this.width = header.length;
      for (const f of header) this.hash = hashField(this.hash, f);
      this.handler.onHeader(header, this.delimiter!, this.estimate);
    } catch (err) {
      if (!(err instanceof BackpropError)) throw err;
      this.pending = { rank: 0, error: err };
    }
  }
}

function widthError(source: string, got: number, width: number, line: number, delimiter: string): BackpropError {
  return new BackpropError(
    'data',
    `${source} row ${line} has ${got} ${got === 1 ? 'value' : 'values'}, expected ${width} (one per column of the header)` +
      (delimiter === ',' && got > width ? '; quote fields that contain a comma' : ''),
  );
}

export const FINGERPRINT_SEED = 0x811c9dc5;

/** Where the n-th \n of the bytes ends (the last one's end when there are fewer). */
function afterLines(bytes: Uint8Array, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) {
    const next = bytes.indexOf(10, at + 1);
    if (next < 0) break;
    at = next;
  }
  return at + 1;
}

/** The chunks as one array (a copy only when there are several). */
function joinChunks(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function fingerprintHex(h: number): string {
  return h.toString(16).padStart(8, '0');
}

/**
 * Parses CSV text with a header row; throws a BackpropError naming `source` and the row on bad
 * input. The same reader as for a stream of chunks (see CsvRecordReader), fed the whole text.
 */
export function parseCsv(text: string, source = 'data', options: CsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw new BackpropError('data', `${source}: expected CSV text, got ${typeof text}`);
  const rows: string[][] = [];
  const lines: number[] = [];
  let header: string[] = [];
  const reader = new CsvRecordReader(
    source,
    {
      onHeader: (h) => void (header = h),
      onRow: (fields, line) => {
        rows.push(fields);
        lines.push(line);
      },
    },
    options.delimiter,
  );
  reader.write(text);
  reader.end();
  return { source, header, rows, lines, delimiter: reader.delimiter! };
}

