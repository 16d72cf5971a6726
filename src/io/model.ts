import { BackpropError } from '../errors.js';
import type { Network } from '../nn/network.js';
import { Matrix } from '../tensor/matrix.js';
import { evaluate as evaluateNetwork } from '../train/metrics.js';
import { FORWARD_BLOCK, forwardBlocks } from '../engine/forward.js';
import type { CsvTable } from '../data/csv.js';
import { datasetForSchema, fingerprintTable, type DataSchema, type SchemaData } from '../data/dataset.js';
import { applyScaler, invertScaler, splitRows as splitRowsBy, takeRows } from '../data/preprocess.js';
import { Random } from '../tensor/random.js';
import { isTestRow } from '../data/hashed-split.js';
import { classesOf } from '../nn/classes.js';
import { checkFiniteOutputs } from './finite-outputs.js';
import { modelFileToText, networkFromModelFile, parseModelFile, type ModelFile, type ParseOptions } from './model-file.js';

/** The inputs of a table as the network sees them (scaled), with the targets when present. */
export interface PreparedData {
  /** Scaled features, N × inputs. */
  X: Matrix;
  /** Targets as the network is trained on them: one-hot classes, or scaled values. */
  Y?: Matrix;
  /** Class index per row (classification with targets). */
  labels?: Int32Array;
  /** Target values in the file's units (regression with targets). */
  values?: Float64Array;
  /** Each row's line number in its file, when known (for messages). */
  lines?: ArrayLike<number>;
}

/** Where rows come from, for a message naming one: the file, the rows' line numbers when known, the first row's index among them. */
export interface RowSource {
  source: string;
  lines?: ArrayLike<number>;
  offset?: number;
}

/** Which data a split belongs to: its name, its number of rows and its fingerprint. */
export interface DataIdentity {
  source: string;
  rows: number;
  fingerprint: string;
}

/** The identity of a table of strings. */
export function tableIdentity(table: CsvTable): DataIdentity {
  return { source: table.source, rows: table.rows.length, fingerprint: fingerprintTable(table) };
}

export interface Predictions {
  kind: DataSchema['kind'];
  /** Class names, in the order of `outputs`' columns (classification). */
  classes?: string[];
  /** One per row: the predicted class name, or the predicted value in the target's units. */
  predicted: (string | number)[];
  /** The network's outputs per row: class probabilities for a softmax output (classification). */
  outputs?: number[][];
}

export interface ModelEvaluation {
  rows: number;
  /** The loss the model was trained with, on this data (scaled targets for a regression). */
  loss: number;
  lossName: string;
  classes?: string[];
  accuracy?: number;
  /** [actual][predicted] row counts (up to 1,000 classes). */
  confusion?: number[][];
  /** Past 1,000 classes: the non-zero cells [actual, predicted, rows], most rows first. */
  confusionCells?: [number, number, number][];
  precision?: number[];
  recall?: number[];
  /** Regression, in the target's units: root mean squared error, mean absolute error, R². */
  rmse?: number;
  mae?: number;
  r2?: number;
}

/** Which rows of the training file to evaluate: all, or the training or test part of its split. */
export type RowSelection = 'all' | 'train' | 'test';

/** A trained model: its file (schema, scaling, history) and its network, ready to use on tables. */
export class Model {
  readonly file: ModelFile;
  readonly network: Network;

  constructor(file: ModelFile, network?: Network) {
    this.file = file;
    this.network = network ?? networkFromModelFile(file);
  }

  /** Loads a model file's text (see parseModelFile for the checks). */
  static parse(text: string, source = 'model file', options: ParseOptions = {}): Model {
    const file = parseModelFile(text, source, options);
    return new Model(file, networkFromModelFile(file, source));
  }

  /** The model file's text, to save. */
  toText(): string {
    return modelFileToText({ ...this.file, network: this.network.toJSON() as ModelFile['network'] });
  }

  get schema(): DataSchema {
    const d = this.file.data;
    return { features: d.features, target: d.target, kind: d.kind, ...(d.classes ? { classes: d.classes } : {}) };
  }

  /** The table's features scaled as in training, and its targets when present (required with `requireTarget`). */
  prepare(table: CsvTable, requireTarget = false): PreparedData {
    return { ...this.prepareData(datasetForSchema(table, this.schema, requireTarget)), lines: table.lines };
  }

  /** Data read for this model's schema (see readForSchema), scaled as in training. */
  prepareData(d: SchemaData & { lines?: ArrayLike<number> }): PreparedData {
    const pre = this.file.preprocessing;
    const X = applyScaler(pre.features, d.X);
    const lines = d.lines ? { lines: d.lines } : {};
    if (!d.Y) return { X, ...lines };
    if (this.file.data.kind === 'classification') return { X, Y: d.Y, labels: d.labels, ...lines };
    return { X, Y: applyScaler(pre.target!, d.Y), values: Float64Array.from(d.Y.data), ...lines };
  }

  /** Predictions for every row of the table (the target column, if present, is ignored). */
  predict(table: CsvTable): Predictions {
    const p = this.prepare(table, false);
    return this.predictPrepared(p.X, { lines: table.lines, source: table.source });
  }

  /**
   * Predictions for already scaled inputs; with `from` (the file the rows come from, and their
   * line numbers when known), an output that is not finite is refused, naming the row.
   */
  predictPrepared(X: Matrix, from?: RowSource): Predictions {
    // block by block (engine/forward.ts), so the network's buffers stay the size of a block
    const out = new Matrix(X.rows, this.network.outputs);
    forwardBlocks(this.network, X, (o, _z, start) => out.data.set(o.data, start * o.cols));
    if (from) checkFiniteOutputs(out, from);
    const { kind, classes } = this.file.data;
    if (kind === 'regression') {
      const values = invertScaler(this.file.preprocessing.target!, out);
      return { kind, predicted: Array.from(values.data) };
    }
    const rows = out.toArray();
    const predicted = Array.from(classesOf(out), (k) => classes![k]);
    return { kind, classes, predicted, outputs: rows };
  }

  /**
   * Loss and accuracy (or errors in the target's units) on a table. `rows` picks the training
   * or test part of the training file's split, which needs that same file.
   */
  evaluate(table: CsvTable, rows: RowSelection = 'all'): ModelEvaluation {
    return this.evaluateData(this.prepare(table, true), tableIdentity(table), rows);
  }

  /** evaluate for prepared data from the file `data` names; an output that is not finite is refused, naming the row. */
  evaluateData(p: PreparedData, data: DataIdentity, rows: RowSelection = 'all'): ModelEvaluation {
    if (rows === 'all') return this.finite(this.evaluatePrepared(p), p, data.source);
    const idx = this.splitRows(data, rows, p.labels);
    const q = {
      X: takeRows(p.X, idx),
      Y: takeRows(p.Y!, idx),
      labels: p.labels ? Int32Array.from(idx, (i) => p.labels![i]) : undefined,
      values: p.values ? Float64Array.from(idx, (i) => p.values![i]) : undefined,
      lines: p.lines && Int32Array.from(idx, (i) => p.lines![i]),
    };
    return this.finite(this.evaluatePrepared(q), q, data.source);
  }

  /** The evaluation, unless its loss is not finite because an output is not: then the row is named. */
  private finite(e: ModelEvaluation, p: PreparedData, source: string): ModelEvaluation {
    if (!Number.isFinite(e.loss)) this.predictPrepared(p.X, { lines: p.lines, source });
    return e;
  }

  /** The row indices of the training or test part of the split the model was trained with. */
  splitRows(data: CsvTable | DataIdentity, part: 'train' | 'test', labels?: Int32Array): Int32Array {
    const d = this.file.data;
    const given = 'header' in data ? tableIdentity(data) : data;
    if (given.rows !== d.rows || given.fingerprint !== d.fingerprint) {
      throw new BackpropError(
        'data',
        `${given.source} is not the file the model was trained on (${d.source}, ${d.rows} rows), so its ${part} rows are unknown: ` +
          'evaluate all rows instead',
      );
    }
    const t = this.file.training;
    let idx: Int32Array;
    if (t.split === 'hashed') {
      // the disk cache's split: row by row from the seed and the row's index
      const rows: number[] = [];
      for (let i = 0; i < d.rows; i++) if (isTestRow(t.seed, i, t.testSplit) === (part === 'test')) rows.push(i);
      idx = Int32Array.from(rows);
    } else if (t.testRows) {
      const test = new Set(t.testRows);
      const rows: number[] = [];
      for (let i = 0; i < d.rows; i++) if (test.has(i) === (part === 'test')) rows.push(i);
      idx = Int32Array.from(rows);
    } else {
      // not listed in the file: the split trainModel made, from the same seed, fraction and classes
      if (t.stratified && !labels) throw new BackpropError('data', `the model's ${part} rows are derived from the classes of ${given.source}: evaluate needs its target column`);
      idx = splitRowsBy(d.rows, t.testSplit, new Random(t.seed), t.stratified ? labels : undefined)[part];
    }
    if (idx.length === 0) throw new BackpropError('data', `the model was trained without a ${part} part: there are no ${part} rows`);
    return idx;
  }

  /** Evaluation of prepared data (with targets). */
  evaluatePrepared(p: PreparedData): ModelEvaluation {
    if (!p.Y) throw new BackpropError('data', 'evaluation needs targets');
    const e = evaluateNetwork(this.network, p.X, p.Y);
    const base = { rows: p.X.rows, loss: e.loss, lossName: e.lossName };
    if (this.file.data.kind === 'classification') {
      const { accuracy, confusion, confusionCells, precision, recall } = e;
      return { ...base, classes: this.file.data.classes, accuracy, ...(confusion ? { confusion } : { confusionCells }), precision, recall };
    }
    const predicted = this.predictPrepared(p.X).predicted as number[];
    const actual = p.values!;
    let se = 0;
    let ae = 0;
    let mean = 0;
    for (let i = 0; i < actual.length; i++) mean += actual[i] / actual.length;
    let ss = 0;
    for (let i = 0; i < actual.length; i++) {
      const d = predicted[i] - actual[i];
      se += d * d;
      ae += Math.abs(d);
      ss += (actual[i] - mean) ** 2;
    }
    const n = actual.length;
    return { ...base, rmse: Math.sqrt(se / n), mae: ae / n, r2: ss > 0 ? 1 - se / ss : NaN };
  }
}

/** Past this many rows, evaluation and predictions run block by block (fewer for a wide network: see engine/forward.ts). */
export const EVALUATION_BLOCK = FORWARD_BLOCK;

export { fingerprintTable };
