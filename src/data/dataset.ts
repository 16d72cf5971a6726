import type { Matrix } from '../tensor/matrix.js';
import type { StoreType } from './column-store.js';
import type { CsvTable } from './csv.js';
import { CsvRecordReader, FINGERPRINT_SEED, fingerprintHex, hashField } from './csv-records.js';
import { DatasetBuilder } from './dataset-builder.js';
import type { DataSchema, DatasetOptions } from './dataset-types.js';

export { MAX_AUTO_CLASSES, listNames, type DataSchema, type DatasetOptions, type TargetKind } from './dataset-types.js';

/** A table turned into numbers: X (N × features), Y (N × classes one-hot, or N × 1 values). */
export interface Dataset {
  source: string;
  schema: DataSchema;
  X: Matrix;
  Y: Matrix;
  /** Class index of each row (classification only). */
  labels?: Int32Array;
  /** The fingerprint of the table's cells (see fingerprintTable). */
  fingerprint: string;
}

/** The columns of new data for a trained model, as numbers. */
export interface SchemaData {
  X: Matrix;
  Y?: Matrix;
  labels?: Int32Array;
}

/** Reads a whole table for training: the target column, its kind and classes, and every feature. */
export function datasetFromTable(table: CsvTable, options: DatasetOptions = {}): Dataset {
  const b = new DatasetBuilder(table.source, { ...options, rowsHint: table.rows.length });
  feed(table, b);
  return { source: table.source, ...b.finishTraining(), fingerprint: fingerprintTable(table) };
}

/**
 * Reads a table for a trained model: its header must hold every feature of `schema` (in any
 * order) and nothing else but, optionally, the target. With `requireTarget`, the target too.
 */
export function datasetForSchema(table: CsvTable, schema: DataSchema, requireTarget: boolean): SchemaData {
  const b = new DatasetBuilder(table.source, { schema, requireTarget, rowsHint: table.rows.length });
  feed(table, b);
  return b.finishForSchema();
}

function feed(table: CsvTable, b: DatasetBuilder): void {
  b.onHeader(table.header, table.delimiter);
  table.rows.forEach((r, i) => b.onRow(r, table.lines[i]));
}

/** A fingerprint of a table's cells (FNV-1a, 32 bits, hex): the same data gives the same one whatever its delimiter or spacing. */
export function fingerprintTable(table: Pick<CsvTable, 'header' | 'rows'> & Partial<CsvTable>): string {
  let h = FINGERPRINT_SEED;
  for (const name of table.header) h = hashField(h, name);
  for (const row of table.rows) for (const cell of row) h = hashField(h, cell);
  return fingerprintHex(h);
}

/** Where CSV text comes from: a string, a browser File or Blob, a byte or text stream, or chunks. */
export type CsvSource = string | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Iterable<string>;

export interface ReadOptions extends DatasetOptions {
  /** Field delimiter (default: detected on the first rows). */
  delimiter?: string;
  /** Element type of the features' store (default float64; float32 halves the memory). */
  store?: StoreType;
  /** The text's size in bytes, when known: the stores are sized from it. */
  bytes?: number;
}

/**
 * Reads CSV in chunks straight into a training data set: no whole-file string, no array per
 * row. The same Dataset, bit for bit, and the same messages as datasetFromTable(parseCsv(…)).
 */
export async function readDataset(input: CsvSource, source: string, options: ReadOptions = {}): Promise<Dataset> {
  const b = new DatasetBuilder(source, { target: options.target, task: options.task, store: options.store });
  const fingerprint = await readRecords(input, source, b, options.delimiter, sizeOf(input, options.bytes));
  return { source, ...b.finishTraining(), fingerprint };
}

/** Reads CSV in chunks for a trained model's schema (see datasetForSchema). */
export async function readForSchema(
  input: CsvSource,
  source: string,
  schema: DataSchema,
  requireTarget: boolean,
  options: Pick<ReadOptions, 'delimiter' | 'bytes'> & { lines?: boolean } = {},
): Promise<SchemaData & { rows: number; fingerprint: string; lines?: Int32Array }> {
  const b = new DatasetBuilder(source, { schema, requireTarget, keepLines: options.lines });
  const fingerprint = await readRecords(input, source, b, options.delimiter, sizeOf(input, options.bytes));
  return { ...b.finishForSchema(), rows: b.rows, fingerprint };
}

/** Feeds every chunk of `input` through a CsvRecordReader into `handler`; the data's fingerprint. */
export async function readRecords(input: CsvSource, source: string, handler: DatasetBuilder, delimiter?: string, length?: number): Promise<string> {
  const reader = new CsvRecordReader(source, handler, delimiter, length);
  for await (const chunk of chunksOf(input)) reader.write(chunk);
  return reader.end();
}

/** The input as chunks of text or of UTF-8 bytes. */
async function* chunksOf(input: CsvSource): AsyncGenerator<string | Uint8Array> {
  if (typeof input === 'string') {
    yield input;
    return;
  }
  const chunks: AsyncIterable<Uint8Array | string> | Iterable<string> =
    typeof Blob !== 'undefined' && input instanceof Blob
      ? streamChunks(input.stream())
      : typeof ReadableStream !== 'undefined' && input instanceof ReadableStream
        ? streamChunks(input)
        : (input as AsyncIterable<Uint8Array | string>);
  yield* chunks;
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The input's length, when known (a string's characters, a Blob's or file's bytes). */
function sizeOf(input: CsvSource, bytes?: number): number | undefined {
  return bytes ?? (typeof input === 'string' ? input.length : typeof Blob !== 'undefined' && input instanceof Blob ? input.size : undefined);
}
