// The table-to-numbers conversion as it was before the column store, the oracle of test/csv-stream.test.ts.
import { BackpropError } from '../../src/errors.js';
import { Matrix } from '../../src/tensor/matrix.js';
import { columnLabel, findColumn, parseNumber, type CsvTable } from './csv-whole.js';

/** What the target column holds: class names (one-hot encoded) or numbers (regression). */
export type TargetKind = 'classification' | 'regression';

/** The columns a model was trained on, kept in its file so new data can be checked against them. */
export interface DataSchema {
  /** Feature column names, in the order of the network's inputs. */
  features: string[];
  /** The target column's name. */
  target: string;
  kind: TargetKind;
  /** Class names in the order of the network's outputs (classification only). */
  classes?: string[];
}

/** A table turned into numbers: X (N × features), Y (N × classes one-hot, or N × 1 values). */
export interface Dataset {
  source: string;
  schema: DataSchema;
  X: Matrix;
  Y: Matrix;
  /** Class index of each row (classification only). */
  labels?: Int32Array;
  /** Row number in the file of each data row, for messages. */
  lines: number[];
}

export interface DatasetOptions {
  /** The target column by name (default: the last column). */
  target?: string;
  /**
   * 'auto' (default): class names when the target has text, or whole numbers with at most
   * MAX_AUTO_CLASSES distinct values (and at least two rows per value on average); else numbers.
   */
  task?: 'auto' | TargetKind;
}

/** The most distinct whole numbers a target may hold for 'auto' to read it as classes. */
export const MAX_AUTO_CLASSES = 20;

/** Reads a whole table for training: the target column, its kind and classes, and every feature. */
export function datasetFromTable(table: CsvTable, options: DatasetOptions = {}): Dataset {
  const { header, source } = table;
  if (header.length < 2) {
    throw new BackpropError(
      'data',
      `${source} has ${header.length} column ('${header[0]}'): expected at least one feature column and a target column` +
        (table.delimiter === ',' ? ' (columns are separated by commas, semicolons or tabs)' : ''),
    );
  }
  const task = options.task ?? 'auto';
  if (!['auto', 'classification', 'regression'].includes(task)) {
    throw new BackpropError('option', `unknown task '${task}': expected auto, classification or regression`);
  }
  const t = options.target === undefined ? header.length - 1 : findColumn(table, options.target);
  if (t < 0) {
    throw new BackpropError(
      'data',
      `${source} has no column '${options.target}' for the target: its columns are ${listNames(header)}`,
    );
  }
  const target = header[t];
  const features = header.filter((_, j) => j !== t);
  const kind = task === 'auto' ? guessKind(table, t) : task;
  let classes: string[] | undefined;
  if (kind === 'classification') {
    classes = classNames(table, t);
    if (classes.length < 2) {
      throw new BackpropError(
        'data',
        `the target column '${target}' of ${source} has only one class ('${classes[0]}'): a classifier needs at least two ` +
          '(choose another column with --target)',
      );
    }
  }
  const schema: DataSchema = { features, target, kind, ...(classes ? { classes } : {}) };
  const d = tableToData(table, schema, true);
  return { source, schema, X: d.X, Y: d.Y!, labels: d.labels, lines: table.lines };
}

/**
 * Reads a table for a trained model: its header must hold every feature of `schema` (in any
 * order) and nothing else but, optionally, the target. With `requireTarget`, the target too.
 */
export function datasetForSchema(
  table: CsvTable,
  schema: DataSchema,
  requireTarget: boolean,
): { X: Matrix; Y?: Matrix; labels?: Int32Array; lines: number[] } {
  return { ...tableToData(table, schema, requireTarget), lines: table.lines };
}

function tableToData(table: CsvTable, schema: DataSchema, requireTarget: boolean) {
  const { source } = table;
  const cols = schema.features.map((f) => findColumn(table, f));
  const missing = schema.features.filter((_, i) => cols[i] < 0);
  if (missing.length > 0) {
    throw new BackpropError(
      'data',
      `${source} lacks ${missing.length === 1 ? 'the column' : `${missing.length} columns`} ${listNames(missing)}: ` +
        `the model was trained on ${schema.features.length} feature columns (${listNames(schema.features)})`,
    );
  }
  const t = findColumn(table, schema.target);
  const extra = table.header.map((_, j) => j).filter((j) => j !== t && !cols.includes(j));
  if (extra.length > 0) {
    throw new BackpropError(
      'data',
      `${source} has ${extra.length === 1 ? 'a column' : `${extra.length} columns`} the model was not trained on: ` +
        `${extra.map((j) => columnLabel(table, j)).join(', ')}; expected the ${schema.features.length} feature columns ` +
        `${listNames(schema.features)} and, optionally, the target '${schema.target}'`,
    );
  }
  if (requireTarget && t < 0) {
    throw new BackpropError('data', `${source} has no target column '${schema.target}': it is needed to measure loss and accuracy`);
  }

  const n = table.rows.length;
  const X = new Matrix(n, cols.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < cols.length; k++) X.data[i * cols.length + k] = numberAt(table, i, cols[k]);
  }
  if (t < 0) return { X };

  if (schema.kind === 'regression') {
    const Y = new Matrix(n, 1);
    for (let i = 0; i < n; i++) Y.data[i] = numberAt(table, i, t, true);
    return { X, Y };
  }
  const classes = schema.classes ?? [];
  const index = new Map(classes.map((c, k) => [c, k]));
  const labels = new Int32Array(n);
  const Y = new Matrix(n, classes.length);
  for (let i = 0; i < n; i++) {
    const cell = table.rows[i][t];
    if (cell === '') throw cellError(table, i, t, 'the target cell is empty: every row needs a class');
    const k = index.get(className(cell));
    if (k === undefined) {
      throw cellError(table, i, t, `class '${cell}' was not among the classes the model was trained on (${listNames(classes)})`);
    }
    labels[i] = k;
    Y.data[i * classes.length + k] = 1;
  }
  return { X, Y, labels };
}

function numberAt(table: CsvTable, i: number, j: number, isTarget = false): number {
  const v = parseNumber(table.rows[i][j], table.delimiter);
  if (typeof v === 'number') return v;
  const hint = !/^expected a number/.test(v)
    ? ''
    : isTarget
      ? ': a regression target must be a number (read it as class names with --task classification)'
      : ': features must be numbers (encode categories as numbers first)';
  throw cellError(table, i, j, v + hint);
}

function cellError(table: CsvTable, i: number, j: number, what: string): BackpropError {
  return new BackpropError('data', `${table.source} row ${table.lines[i]}, ${columnLabel(table, j)}: ${what}`);
}

/** Class names are kept as written, except numbers, which are written canonically ("1.0" is "1"). */
function className(cell: string): string {
  const v = parseNumber(cell);
  return typeof v === 'number' ? String(v) : cell;
}

function guessKind(table: CsvTable, t: number): TargetKind {
  const cells = table.rows.map((r) => r[t]);
  const values = cells.map((c) => parseNumber(c, table.delimiter));
  const numeric = values.filter((v): v is number => typeof v === 'number');
  if (numeric.length === cells.length) {
    const distinct = new Set(numeric).size;
    const whole = numeric.every((v) => Number.isInteger(v));
    return whole && distinct <= MAX_AUTO_CLASSES && distinct * 2 <= cells.length ? 'classification' : 'regression';
  }
  if (numeric.length * 2 > cells.length) {
    // Mostly numbers: a stray text cell is more likely a mistake than a class.
    const i = values.findIndex((v) => typeof v !== 'number');
    throw cellError(
      table,
      i,
      t,
      `the target column is numeric but this cell is not (${values[i]}); fix the cell, or use --task classification to read the targets as class names`,
    );
  }
  return 'classification';
}

function classNames(table: CsvTable, t: number): string[] {
  const names = new Set<string>();
  table.rows.forEach((r, i) => {
    if (r[t] === '') throw cellError(table, i, t, 'the target cell is empty: every row needs a class');
    names.add(className(r[t]));
  });
  const list = [...names];
  const numeric = list.every((c) => typeof parseNumber(c) === 'number');
  return numeric ? list.sort((a, b) => Number(a) - Number(b)) : list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 'a', 'b', 'c', … (N in all): a list of names short enough for one line. */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  return names.length > max ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}
