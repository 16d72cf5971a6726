/**
 * The playground's data: seeded 2-D sets, Iris with chosen features (standardised with the
 * library's scaler), and the slides' 3-sample Iris pass. Everything random comes from the
 * library's seeded generator, so a seed gives the same rows in every browser and in Node.
 */
import { IRIS3 } from '../../src/data/examples.js';
import { BackpropError } from '../../src/errors.js';
import { applyScaler, fitScaler, type Scaler } from '../../src/data/preprocess.js';
import { Matrix } from '../../src/tensor/matrix.js';
import { Random } from '../../src/tensor/random.js';
import { sin } from '../../src/nn/math.js';
import { GENERATORS, type Labelled } from './generators.js';
import { IRIS_COLUMNS, IRIS_FEATURES, IRIS_ROWS, IRIS_SPECIES } from './iris.js';

export const DATASET_NAMES = ['xor', 'circle', 'spirals', 'gauss', 'wave', 'iris', 'slides', 'csv'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASET_LABELS: Record<DatasetName, string> = {
  xor: 'XOR',
  circle: 'Circle',
  spirals: 'Two spirals',
  gauss: 'Gaussian clusters',
  wave: 'Wave (regression)',
  iris: 'Iris',
  slides: 'Slides: 3 Iris rows',
  csv: 'Your CSV file',
};

export interface DataOptions {
  name: DatasetName;
  /** Number of points of a 2-D set (ignored by Iris and the slides example). */
  samples: number;
  /** Noise, 0 to 0.5: a Gaussian jitter of the points, as a fraction of the square's half-width. */
  noise: number;
  /** Fraction of the rows used for training, the rest for testing (the slides example trains on all 3). */
  trainRatio: number;
  /** The Iris features used, as indices into IRIS_FEATURES (the page draws two; a model file may use others). */
  irisFeatures: number[];
  seed: number;
  /** Set by a loaded model file: its feature scaling and, for its own data, its test rows. */
  fixed?: { scaling: Scaler; testRows?: number[]; note?: string };
}

/** A dataset split into training and test rows, with what a model file says about its data. */
export interface Dataset {
  name: DatasetName;
  /** Where the rows come from, as a model file names it ('iris' is the bundled data set). */
  source: string;
  /** Names of the input columns as shown. */
  inputs: string[];
  /** Names of the input columns as a CSV file has them. */
  columns: string[];
  target: string;
  /** Class names; the class of a row is the index of its largest target. */
  classes: string[];
  /** The rows before scaling as a CSV file of the features used and the target would hold them: the model file's fingerprint. */
  table: { header: string[]; rows: string[][] };
  /** A CSV file's row count and fingerprint, from the reader (its rows of text are not kept: `table.rows` is empty). */
  file?: { rows: number; fingerprint: string };
  /** The feature scaling applied to every row. */
  scaling: Scaler;
  /** Indices (into table.rows) of the test rows. */
  testRows: number[];
  trainX: number[][];
  trainY: number[][];
  testX: number[][];
  testY: number[][];
  /** Classes (the class of a row is its largest target) or numbers (a regression, one target column). */
  kind: 'classification' | 'regression';
  /** Set on the page's copy of a large CSV file's data set: how many rows the worker trains on (the copy holds a sample to draw). */
  full?: { train: number; test: number };
  /** For 2-D inputs, the box the boundary is drawn over: [xmin, xmax, ymin, ymax]. */
  box?: [number, number, number, number];
}

/** The class-to-target encoding: one column (0/1) for two classes, one-hot for more or when asked. */
export function encodeTargets(labels: number[], classes: number, oneHot: boolean): number[][] {
  if (classes === 2 && !oneHot) return labels.map((c) => [c]);
  return labels.map((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)));
}

/** The class index of each target row: the column of its largest value, or for one column, value ≥ 0.5. */
export function classOf(target: ArrayLike<number>): number {
  if (target.length === 1) return target[0] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < target.length; k++) if (target[k] > target[best]) best = k;
  return best;
}

/** The dataset `options` name; `oneHot` asks for one target column per class even for two classes. */
export function makeDataset(options: DataOptions, oneHot = false): Dataset {
  const rng = new Random(options.seed);
  if (options.name === 'slides') {
    const labels = IRIS3.Y.map(classOf);
    return assemble(options, rng, {
      name: 'slides',
      source: 'the slides\' 3 Iris samples',
      inputs: IRIS_FEATURES.slice(),
      columns: IRIS_COLUMNS.slice(),
      target: 'species',
      classes: [...IRIS_SPECIES],
      points: IRIS3.X.map((r) => [...r]),
      labels,
      cells: IRIS3.X.map((r, i) => [...r.map((v) => v.toFixed(1)), IRIS_SPECIES[labels[i]]]),
      oneHot: true,
      standardise: false,
      trainAll: true,
    });
  }
  if (options.name === 'iris') {
    const f = options.irisFeatures;
    return assemble(options, rng, {
      name: 'iris',
      source: 'iris',
      inputs: f.map((j) => IRIS_FEATURES[j]),
      columns: f.map((j) => IRIS_COLUMNS[j]),
      target: 'species',
      classes: [...IRIS_SPECIES],
      points: IRIS_ROWS.map((r) => f.map((j) => r[j])),
      labels: IRIS_ROWS.map((r) => r[4]),
      cells: IRIS_ROWS.map((r) => [...f.map((j) => r[j].toFixed(1)), IRIS_SPECIES[r[4]]]),
      oneHot: true,
      standardise: true,
      trainAll: false,
    });
  }
  if (options.name === 'csv') throw new BackpropError('data', 'a CSV file\'s data set is built from its table (see csv-data.ts)');
  const n = Math.max(4, Math.round(options.samples));
  if (options.name === 'wave') return wave(options, rng, n);
  const raw: Labelled = GENERATORS[options.name](n, rng);
  const sd = options.noise;
  const points = raw.points.map(([x, y]) => [x + sd * rng.normal(), y + sd * rng.normal()]);
  const classes = ['0', '1'];
  return assemble(options, rng, {
    name: options.name,
    source: `playground ${options.name}, ${n} points, noise ${sd}, seed ${options.seed}`,
    inputs: ['x₁', 'x₂'],
    columns: ['x1', 'x2'],
    target: 'class',
    classes,
    points,
    labels: raw.labels,
    cells: points.map((p, i) => [String(p[0]), String(p[1]), classes[raw.labels[i]]]),
    oneHot,
    standardise: false,
    trainAll: false,
  });
}

/** A regression on one input: y = 0.8·sin(3x) on x in [−1, 1], the noise added to y. */
function wave(options: DataOptions, rng: Random, n: number): Dataset {
  const xs = Array.from({ length: n }, () => rng.uniform(-1, 1));
  const ys = xs.map((x) => 0.8 * sin(3 * x) + options.noise * rng.normal());
  return assemble(options, rng, {
    name: 'wave',
    source: `playground wave, ${n} points, noise ${options.noise}, seed ${options.seed}`,
    inputs: ['x'],
    columns: ['x'],
    target: 'y',
    classes: [],
    points: xs.map((x) => [x]),
    labels: [],
    values: ys,
    cells: xs.map((x, i) => [String(x), String(ys[i])]),
    oneHot: false,
    standardise: false,
    trainAll: false,
  });
}

export interface Parts {
  name: DatasetName;
  source: string;
  inputs: string[];
  columns: string[];
  target: string;
  classes: string[];
  points: number[][];
  labels: number[];
  /** The rows as text, as a CSV file of the features used and the class would hold them (none for a CSV file: see `file`). */
  cells: string[][];
  file?: Dataset['file'];
  oneHot: boolean;
  /** Standardise the features (fitted on the training rows) unless a model file fixed the scaling. */
  standardise: boolean;
  /** Train on every row (the slides example). */
  trainAll: boolean;
  /** A regression's target values, one per row (then `labels` and `classes` are empty). */
  values?: number[];
}

/** Splits the rows, scales the features, encodes the targets. */
export function assemble(options: DataOptions, rng: Random, p: Parts): Dataset {
  const n = p.points.length;
  let testRows: number[];
  if (p.trainAll) testRows = [];
  else if (options.fixed?.testRows && options.fixed.testRows.every((i) => i < n)) testRows = [...options.fixed.testRows];
  else {
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const nTrain = Math.min(n - 1, Math.max(1, Math.round(n * options.trainRatio)));
    testRows = order.slice(nTrain).sort((a, b) => a - b);
  }
  const isTest = new Set(testRows);
  const trainRows = Array.from({ length: n }, (_, i) => i).filter((i) => !isTest.has(i));

  const cols = p.points[0].length;
  const all = Matrix.from(p.points, 'points');
  const scaling =
    options.fixed?.scaling ??
    fitScaler(Matrix.from(trainRows.map((i) => p.points[i]), 'training rows'), p.standardise ? 'standard' : 'none');
  const scaled = applyScaler(scaling, all).toArray();
  const targets = p.values ? p.values.map((v) => [v]) : encodeTargets(p.labels, p.classes.length, p.oneHot);
  const pick = (rows: number[], from: number[][]) => rows.map((i) => from[i]);

  const dataset: Dataset = {
    name: p.name,
    source: p.source,
    inputs: p.inputs,
    columns: p.columns,
    target: p.target,
    classes: p.classes,
    table: { header: [...p.columns, p.target], rows: p.cells },
    ...(p.file ? { file: p.file } : {}),
    kind: p.values ? 'regression' : 'classification',
    scaling,
    testRows,
    trainX: pick(trainRows, scaled),
    trainY: pick(trainRows, targets),
    testX: pick(testRows, scaled),
    testY: pick(testRows, targets),
  };
  if (cols === 2) {
    if (p.standardise || options.fixed) {
      // (a loop: spreading 200,000 values into Math.min's arguments overflows the stack)
      const lo = [0, 1].map((j) => scaled.reduce((m, r) => (r[j] < m ? r[j] : m), Infinity) - 0.5);
      const hi = [0, 1].map((j) => scaled.reduce((m, r) => (r[j] > m ? r[j] : m), -Infinity) + 0.5);
      dataset.box = [lo[0], hi[0], lo[1], hi[1]];
    } else {
      dataset.box = [-1.2, 1.2, -1.2, 1.2];
    }
  }
  return dataset;
}
