import { BackpropError } from '../errors.js';
import { Matrix } from '../tensor/matrix.js';
import { floatArray, GrowingArray, intArray, type StoreType } from './column-store.js';
import { columnLabel, findColumn, parseNumber } from './csv.js';
import type { RecordHandler } from './csv-records.js';
import { StringFields, type RowFields } from './csv-fast.js';
import { classNamesSorted, className, listNames, MAX_AUTO_CLASSES, type DataSchema, type DatasetOptions, type TargetKind } from './dataset-types.js';

/**
 * Where the features go instead of the in-memory store, e.g. a cache file on disk for data larger
 * than memory: it gets every feature value, row by row, and finishTraining's X then has no rows.
 */
export interface FeatureSink {
  push(v: number): void;
}

/** A sink as the builder's store: what it pushes goes to the sink, and nothing is kept. */
function sinkStore(sink: FeatureSink): { push(v: number): void; values(): Float64Array } {
  return { push: (v) => sink.push(v), values: () => new Float64Array(0) };
}

/** A cell's problem, kept until the end of the file decides which message comes first. */
interface CellProblem {
  line: number;
  col: number;
  what: string;
}

/** What the rows of the target column held, for the choice between classes and numbers. */
interface TargetCensus {
  numeric: number;
  whole: boolean;
  /** Distinct numbers, up to MAX_AUTO_CLASSES + 1. */
  distinct: Set<number>;
  /** The first cell that is not a number, and why. */
  firstText?: CellProblem;
  /** The first empty cell. */
  firstEmpty?: CellProblem;
}

/**
 * The numbers of a CSV file, row by row, into typed-array columns: the features row-major (N ×
 * features, the memory of X), and the target as values (and class-name codes where a name is
 * not a number). Bad cells are noted, not thrown, until `finish`, so that the message is the one
 * a whole-table read gives (a later row of the wrong width wins over an earlier bad cell).
 */
export class DatasetBuilder implements RecordHandler {
  header: string[] = [];
  delimiter = ',';
  /** A problem with the columns themselves, found at the header. */
  private columnsError?: BackpropError;
  private featureCols: number[] = [];
  private target = -1;
  private features: Pick<GrowingArray<Float64Array | Float32Array>, 'push' | 'values'>;
  private values: GrowingArray<Float64Array>;
  private codes?: GrowingArray<Int32Array>;
  private names = new Map<string, number>();
  private census: TargetCensus = { numeric: 0, whole: true, distinct: new Set() };
  private badFeature?: CellProblem;
  private badTarget?: CellProblem;
  rows = 0;
  /** Each row's line in the file, only when asked for (predict's output names them). */
  private lines?: GrowingArray<Int32Array>;
  /** About how many rows to make room for. */
  private hint: number;
  private readonly strings = new StringFields();

  constructor(
    readonly source: string,
    private readonly options: DatasetOptions & { schema?: DataSchema; requireTarget?: boolean; store?: StoreType; rowsHint?: number; keepLines?: boolean; sink?: FeatureSink } = {},
  ) {
    const hint = (this.hint = options.rowsHint ?? 1024);
    this.features = options.sink ? sinkStore(options.sink) : floatArray(options.store ?? 'float64', hint * 4);
    this.values = new GrowingArray((n) => new Float64Array(n), hint);
  }

  onHeader(header: string[], delimiter: string, rows?: number): void {
    this.header = header;
    this.delimiter = delimiter;
    // a little more than the rows expected, so that the store rarely grows (and never by half) at the end
    const hint = (this.hint = rows ? Math.ceil(rows * 1.02) + 64 : this.hint);
    this.values = new GrowingArray((n) => new Float64Array(n), hint);
    try {
      if (this.options.schema) this.schemaColumns(this.options.schema);
      else this.trainingColumns();
    } catch (err) {
      if (!(err instanceof BackpropError)) throw err;
      this.columnsError = err;
      return;
    }
    if (!this.options.sink) this.features = floatArray(this.options.store ?? 'float64', hint * Math.max(1, this.featureCols.length));
    if (!this.options.schema && this.options.task !== 'regression') this.codes = intArray(hint);
    if (this.options.keepLines) this.lines = intArray(hint);
  }

  private trainingColumns(): void {
    const { header, source } = this;
    if (header.length < 2) {
      throw new BackpropError(
        'data',
        `${source} has ${header.length} column ('${header[0]}'): expected at least one feature column and a target column` +
          (this.delimiter === ',' ? ' (columns are separated by commas, semicolons or tabs)' : ''),
      );
    }
    const task = this.options.task ?? 'auto';
    if (!['auto', 'classification', 'regression'].includes(task)) {
      throw new BackpropError('option', `unknown task '${task}': expected auto, classification or regression`);
    }
    const t = this.options.target === undefined ? header.length - 1 : findColumn(this, this.options.target);
    if (t < 0) {
      throw new BackpropError('data', `${source} has no column '${this.options.target}' for the target: its columns are ${listNames(header)}`);
    }
    this.target = t;
    this.featureCols = header.map((_, j) => j).filter((j) => j !== t);
  }

  private schemaColumns(schema: DataSchema): void {
    const { source } = this;
    const cols = schema.features.map((f) => findColumn(this, f));
    const missing = schema.features.filter((_, i) => cols[i] < 0);
    if (missing.length > 0) {
      throw new BackpropError(
        'data',
        `${source} lacks ${missing.length === 1 ? 'the column' : `${missing.length} columns`} ${listNames(missing)}: ` +
          `the model was trained on ${schema.features.length} feature columns (${listNames(schema.features)})`,
      );
    }
    const t = findColumn(this, schema.target);
    const extra = this.header.map((_, j) => j).filter((j) => j !== t && !cols.includes(j));
    if (extra.length > 0) {
      throw new BackpropError(
        'data',
        `${source} has ${extra.length === 1 ? 'a column' : `${extra.length} columns`} the model was not trained on: ` +
          `${extra.map((j) => columnLabel(this, j)).join(', ')}; expected the ${schema.features.length} feature columns ` +
          `${listNames(schema.features)} and, optionally, the target '${schema.target}'`,
      );
    }
    if (this.options.requireTarget && t < 0) {
      throw new BackpropError('data', `${source} has no target column '${schema.target}': it is needed to measure loss and accuracy`);
    }
    this.featureCols = cols;
    this.target = t;
    if (t >= 0 && schema.kind === 'classification') {
      schema.classes!.forEach((c, k) => this.names.set(c, k));
      this.codes = intArray(this.hint);
    }
  }

  onRow(fields: string[], line: number): void {
    this.strings.values = fields;
    this.onFields(this.strings, line);
  }

  onFields(fields: RowFields, line: number): void {
    this.rows++;
    if (this.columnsError) return;
    this.lines?.push(line);
    const { featureCols, features, delimiter } = this;
    for (let k = 0; k < featureCols.length; k++) {
      const v = fields.number(featureCols[k], delimiter);
      if (typeof v === 'number') features.push(v);
      else {
        features.push(NaN);
        if (!this.badFeature) {
          const hint = /^expected a number/.test(v) ? ': features must be numbers (encode categories as numbers first)' : '';
          this.badFeature = { line, col: featureCols[k], what: v + hint };
        }
      }
    }
    if (this.target >= 0) this.targetCell(fields.text(this.target), line);
  }

  private targetCell(cell: string, line: number): void {
    const t = this.target;
    const schema = this.options.schema;
    if (schema?.kind === 'classification') {
      const k = cell === '' ? undefined : this.names.get(className(cell));
      if (k === undefined && !this.badTarget) {
        this.badTarget = {
          line,
          col: t,
          what: cell === '' ? 'the target cell is empty: every row needs a class' : `class '${cell}' was not among the classes the model was trained on (${listNames(schema.classes!)})`,
        };
      }
      this.codes!.push(k ?? 0);
      return;
    }
    const v = parseNumber(cell, this.delimiter);
    const c = this.census;
    if (typeof v === 'number') {
      this.values.push(v);
      c.numeric++;
      if (c.whole && !Number.isInteger(v)) c.whole = false;
      if (c.distinct.size <= MAX_AUTO_CLASSES) c.distinct.add(v);
    } else {
      this.values.push(NaN);
      c.firstText ??= { line, col: t, what: v };
      if (cell === '') c.firstEmpty ??= { line, col: t, what: 'the target cell is empty: every row needs a class' };
    }
    if (this.codes) this.codes.push(nameCode(cell, this.names));
  }

  private cellError(p: CellProblem): BackpropError {
    return new BackpropError('data', `${this.source} row ${p.line}, ${columnLabel(this, p.col)}: ${p.what}`);
  }

  /** The table as a data set for training (the target's kind, its classes, X and Y). */
  finishTraining(): { schema: DataSchema; X: Matrix; Y: Matrix; labels?: Int32Array } {
    if (this.columnsError) throw this.columnsError;
    const n = this.rows;
    const target = this.header[this.target];
    const features = this.featureCols.map((j) => this.header[j]);
    const kind = this.kind();
    let classes: string[] | undefined;
    if (kind === 'classification') {
      if (this.census.firstEmpty) throw this.cellError(this.census.firstEmpty);
      classes = this.classList();
      if (classes.length < 2) {
        throw new BackpropError(
          'data',
          `the target column '${target}' of ${this.source} has only one class ('${classes[0]}'): a classifier needs at least two ` +
            '(choose another column with --target)',
        );
      }
    }
    if (this.badFeature) throw this.cellError(this.badFeature);
    const X = new Matrix(this.options.sink ? 0 : n, features.length, this.features.values());
    const schema: DataSchema = { features, target, kind, ...(classes ? { classes } : {}) };
    if (kind === 'regression') {
      const bad = this.census.firstText;
      if (bad) {
        const hint = /^expected a number/.test(bad.what) ? ': a regression target must be a number (read it as class names with --task classification)' : '';
        throw this.cellError({ ...bad, what: bad.what + hint });
      }
      return { schema, X, Y: new Matrix(n, 1, this.values.values()) };
    }
    const { labels, Y } = this.oneHot(classes!);
    return { schema, X, Y, labels };
  }

  /** 'auto' reads whole numbers with few distinct values, or text, as classes. */
  private kind(): TargetKind {
    const task = this.options.task ?? 'auto';
    if (task !== 'auto') return task;
    const c = this.census;
    const n = this.rows;
    if (c.numeric === n) {
      const distinct = c.distinct.size;
      return c.whole && distinct <= MAX_AUTO_CLASSES && distinct * 2 <= n ? 'classification' : 'regression';
    }
    if (c.numeric * 2 > n) {
      // Mostly numbers: a stray text cell is more likely a mistake than a class.
      const p = c.firstText!;
      throw this.cellError({
        ...p,
        what: `the target column is numeric but this cell is not (${p.what}); fix the cell, or use --task classification to read the targets as class names`,
      });
    }
    return 'classification';
  }

  /** Every class name: the numbers' canonical text and the other names. */
  private classList(): string[] {
    const numbers = new Set<number>();
    const codes = this.codes!;
    for (let i = 0; i < this.rows; i++) if (codes.at(i) < 0) numbers.add(this.values.at(i));
    return classNamesSorted([...[...numbers].map(String), ...this.names.keys()]);
  }

  private oneHot(classes: string[]): { labels: Int32Array; Y: Matrix } {
    const index = new Map(classes.map((c, k) => [c, k]));
    const byCode = [...this.names.keys()].map((name) => index.get(name)!);
    const byNumber = new Map<number, number>();
    const n = this.rows;
    const labels = new Int32Array(n);
    const Y = new Matrix(n, classes.length);
    const codes = this.codes!;
    for (let i = 0; i < n; i++) {
      const code = codes.at(i);
      let k: number;
      if (code >= 0) k = byCode[code];
      else {
        const v = this.values.at(i);
        k = byNumber.get(v) ?? index.get(String(v))!;
        byNumber.set(v, k);
      }
      labels[i] = k;
      Y.data[i * classes.length + k] = 1;
    }
    return { labels, Y };
  }

  /** The table for a trained model's schema: X, and the targets when the column is there. */
  finishForSchema(): { X: Matrix; Y?: Matrix; labels?: Int32Array; lines?: Int32Array } {
    if (this.columnsError) throw this.columnsError;
    if (this.badFeature) throw this.cellError(this.badFeature);
    const schema = this.options.schema!;
    const n = this.rows;
    const X = new Matrix(n, this.featureCols.length, this.features.values());
    const lines = this.lines?.values();
    return { ...this.targetsForSchema(schema, X), ...(lines ? { lines } : {}) };
  }

  private targetsForSchema(schema: DataSchema, X: Matrix): { X: Matrix; Y?: Matrix; labels?: Int32Array } {
    const n = this.rows;
    if (this.target < 0) return { X };
    if (schema.kind === 'regression') {
      const bad = this.census.firstText;
      if (bad) {
        const hint = /^expected a number/.test(bad.what) ? ': a regression target must be a number (read it as class names with --task classification)' : '';
        throw this.cellError({ ...bad, what: bad.what + hint });
      }
      return { X, Y: new Matrix(n, 1, this.values.values()) };
    }
    if (this.badTarget) throw this.cellError(this.badTarget);
    const classes = schema.classes!;
    const labels = this.codes!.values();
    const Y = new Matrix(n, classes.length);
    for (let i = 0; i < n; i++) Y.data[i * classes.length + labels[i]] = 1;
    return { X, Y, labels };
  }
}

/** -1 when the cell's class name is the text of its number (kept in the values), else the name's code. */
function nameCode(cell: string, names: Map<string, number>): number {
  if (typeof parseNumber(cell) === 'number') return -1;
  let code = names.get(cell);
  if (code === undefined) names.set(cell, (code = names.size));
  return code;
}
