import { parseNumber } from './csv.js';

/**
 * The fields of one CSV row, as the reader hands them on: their count, each one's text, and each
 * one as a number by parseNumber's rule. Valid only during the call that receives it.
 */
export interface RowFields {
  readonly length: number;
  text(k: number): string;
  /** The k-th field as a number, or a message saying why it is not one (see parseNumber). */
  number(k: number, delimiter: string): number | string;
  /** The fields folded into a fingerprint (see hashField). */
  hash(h: number): number;
}

/** One field into the data's fingerprint (FNV-1a, 32 bits, a separator after each field). */
export function hashField(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= 0x1f;
  return Math.imul(h, 0x01000193) >>> 0;
}

/** A row csv-parse read, as RowFields. */
export class StringFields implements RowFields {
  values: string[] = [];
  get length(): number {
    return this.values.length;
  }
  text(k: number): string {
    return this.values[k];
  }
  number(k: number, delimiter: string): number | string {
    return parseNumber(this.values[k], delimiter);
  }
  hash(h: number): number {
    for (const f of this.values) h = hashField(h, f);
    return h;
  }
}

/** 10^k, exact in a double for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A plain row read from the file's bytes: printable ASCII, no quotes, no spaces. Its numbers are
 * read from the bytes: a decimal with at most 15 digits is m / 10^f with m and 10^f exact
 * doubles, and a division of exact doubles is correctly rounded, as Number() is, so the value is
 * Number()'s to the bit; anything else (exponents, decimal commas, text) goes through
 * parseNumber on the field's text.
 */
export class ByteFields implements RowFields {
  bytes: Uint8Array = new Uint8Array(0);
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  length = 0;

  text(k: number): string {
    const s = this.starts[k];
    const e = this.ends[k];
    if (e - s <= 64) return String.fromCharCode.apply(null, this.bytes.subarray(s, e) as unknown as number[]);
    return (latin1 ??= new TextDecoder('latin1')).decode(this.bytes.subarray(s, e));
  }

  number(k: number, delimiter: string): number | string {
    const b = this.bytes;
    const e = this.ends[k];
    let i = this.starts[k];
    if (i === e) return parseNumber('', delimiter);
    const c0 = b[i];
    const negative = c0 === 45;
    if (negative || c0 === 43) i++;
    let m = 0;
    let digits = 0;
    let fraction = -1;
    for (; i < e; i++) {
      const c = b[i];
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === 46 && fraction < 0) fraction = 0;
      else return parseNumber(this.text(k), delimiter);
    }
    if (digits === 0 || digits > 15) return parseNumber(this.text(k), delimiter);
    const v = fraction > 0 ? m / POW10[fraction] : m;
    return negative ? -v : v;
  }

  hash(h: number): number {
    const b = this.bytes;
    for (let k = 0; k < this.length; k++) {
      for (let i = this.starts[k], e = this.ends[k]; i < e; i++) {
        h ^= b[i];
        h = Math.imul(h, 0x01000193) >>> 0;
      }
      h ^= 0x1f;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  /** Room for n fields. */
  reserve(n: number): void {
    if (n <= this.starts.length) return;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(Math.max(n, a.length * 2));
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts);
    this.ends = grow(this.ends);
  }
}

/** Made when first needed (a module that only exports must load where TextDecoder is missing). */
let latin1: TextDecoder | undefined;

/**
 * Reads the plain lines of a CSV file's bytes without csv-parse, as csv-parse would read them
 * (trimmed fields, empty lines skipped, \n or \r\n line ends): a line is plain when every byte is
 * printable ASCII other than a quote or a space (so that quoting, trimming and the line ends
 * cannot differ), or the delimiter. The first line that is not plain, and everything after it,
 * goes back to the caller for csv-parse. Each plain line's fields are handed on with its line
 * number (the file's first line being 1).
 */
export class PlainLines {
  private tail: Uint8Array | undefined;
  readonly fields = new ByteFields();
  /** The number of the next line. */
  line: number;

  constructor(
    private readonly delimiter: number,
    /** Lines end with \r\n (else \n). */
    readonly crlf: boolean,
    firstLine: number,
    private readonly onLine: (fields: ByteFields, line: number) => void,
  ) {
    this.line = firstLine;
  }

  /**
   * Reads the complete lines of `bytes`, after what the last call left; keeps the unended last
   * line. Returns undefined when every line was plain, else the bytes from the first line that
   * is not on (the reader is then done).
   */
  feed(bytes: Uint8Array): Uint8Array | undefined {
    let from = 0;
    if (this.tail) {
      const nl = bytes.indexOf(10);
      if (nl < 0) {
        this.tail = concat(this.tail, bytes);
        return undefined;
      }
      const joined = concat(this.tail, bytes.subarray(0, nl + 1));
      this.tail = undefined;
      if (!this.lineAt(joined, 0, joined.length - 1)) return concat(joined, bytes.subarray(nl + 1));
      from = nl + 1;
    }
    for (;;) {
      const nl = bytes.indexOf(10, from);
      if (nl < 0) break;
      if (!this.lineAt(bytes, from, nl)) return bytes.subarray(from);
      from = nl + 1;
    }
    if (from < bytes.length) this.tail = bytes.slice(from);
    return undefined;
  }

  /** The unended last line: undefined when it was plain (or there was none), else its bytes. */
  end(): Uint8Array | undefined {
    const t = this.tail;
    this.tail = undefined;
    if (!t) return undefined;
    // a last line ending with \r is csv-parse's to read
    return this.plainLine(t, 0, t.length) ? undefined : t;
  }

  /** The line [start, nl) ended by the \n at nl: false when it is not plain. */
  private lineAt(b: Uint8Array, start: number, nl: number): boolean {
    let end = nl;
    if (this.crlf) {
      if (end === start || b[end - 1] !== 13) return false;
      end--;
    }
    if (!this.plainLine(b, start, end)) return false;
    this.line++;
    return true;
  }

  /** Splits the line [start, end) (its ending removed) into fields and hands them on: false when it is not plain. */
  private plainLine(b: Uint8Array, start: number, end: number): boolean {
    if (start === end) return true; // an empty line: skipped, as csv-parse skips it
    const f = this.fields;
    const d = this.delimiter;
    let n = 0;
    let s = start;
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c === d) {
        if (n + 1 >= f.starts.length) f.reserve(n + 2);
        f.starts[n] = s;
        f.ends[n++] = i;
        s = i + 1;
      } else if (c < 0x21 || c > 0x7e || c === 0x22) return false;
    }
    if (n + 1 >= f.starts.length) f.reserve(n + 2);
    f.starts[n] = s;
    f.ends[n++] = end;
    f.length = n;
    f.bytes = b;
    this.onLine(f, this.line);
    return true;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
