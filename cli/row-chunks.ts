import { DatasetBuilder } from '../src/data/dataset-builder.js';
import type { DataSchema, SchemaData } from '../src/data/dataset.js';
import type { RecordHandler } from '../src/data/csv-records.js';
import type { RowFields } from '../src/data/csv-fast.js';
import { BackpropError } from '../src/errors.js';

/** Rows handed on at once by RowChunks. */
export const CHUNK_ROWS = 4096;

/**
 * A CSV file's rows for a trained model's schema, handed on `CHUNK_ROWS` at a time as they are
 * read (memory bounded by a chunk, not the file): each chunk is read by a DatasetBuilder of its
 * own, with its rows' line numbers. The first problem a chunk has (a bad cell, a missing column)
 * stops the hand-on; it is kept and thrown by `end`, after the reader's own checks, so that the
 * message is the one reading the whole file gives.
 */
export class RowChunks implements RecordHandler {
  private header: string[] = [];
  private delimiter = ',';
  private builder?: DatasetBuilder;
  private problem?: unknown;
  rows = 0;

  constructor(
    private readonly source: string,
    private readonly schema: DataSchema,
    private readonly requireTarget: boolean,
    private readonly take: (chunk: SchemaData & { lines: Int32Array }) => void,
  ) {}

  onHeader(header: string[], delimiter: string): void {
    this.header = header;
    this.delimiter = delimiter;
    this.builder = this.fresh();
  }

  private fresh(): DatasetBuilder {
    const b = new DatasetBuilder(this.source, { schema: this.schema, requireTarget: this.requireTarget, keepLines: true, rowsHint: CHUNK_ROWS });
    b.onHeader(this.header, this.delimiter, CHUNK_ROWS);
    return b;
  }

  onRow(fields: string[], line: number): void {
    this.rows++;
    if (this.problem !== undefined) return;
    this.builder!.onRow(fields, line);
    if (this.builder!.rows === CHUNK_ROWS) this.flush();
  }

  /** A row as the reader's field accessor (no string per field where the row is plain). */
  onFields(fields: RowFields, line: number): void {
    this.rows++;
    if (this.problem !== undefined) return;
    this.builder!.onFields(fields, line);
    if (this.builder!.rows === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    const b = this.builder!;
    this.builder = this.fresh();
    try {
      const d = b.finishForSchema();
      if (d.X.rows > 0) this.take(d as SchemaData & { lines: Int32Array });
    } catch (err) {
      if (!(err instanceof BackpropError)) throw err;
      this.problem = err;
    }
  }

  /** After the reader's end: the last rows, or the first problem found. */
  end(): void {
    if (this.problem === undefined && this.builder) this.flush();
    if (this.problem !== undefined) throw this.problem;
  }
}
