/**
 * The playground's data: seeded 2-D sets drawn in the square [−1, 1]², Iris with two chosen
 * features, and the slides' 3-sample Iris pass. Everything random comes from the library's
 * seeded generator, so a seed gives the same points in every browser and in Node.
 */
import { IRIS3, Random } from '../../src/index.js';
import { IRIS_FEATURES, IRIS_ROWS, IRIS_SPECIES } from './iris.js';

export const DATASET_NAMES = ['xor', 'circle', 'spirals', 'gauss', 'iris', 'slides'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASET_LABELS: Record<DatasetName, string> = {
  xor: 'XOR',
  circle: 'Circle',
  spirals: 'Two spirals',
  gauss: 'Gaussian clusters',
  iris: 'Iris (two features)',
  slides: 'Slides example (3 Iris samples)',
};

export interface DataOptions {
  name: DatasetName;
  /** Number of points of a 2-D set (ignored by Iris and the slides example). */
  samples: number;
  /** Noise, 0 to 0.5: a Gaussian jitter of the points, as a fraction of the square's half-width. */
  noise: number;
  /** Fraction of the rows used for training, the rest for testing (the slides example trains on all 3). */
  trainRatio: number;
  /** The two Iris features drawn as x and y (indices into IRIS_FEATURES). */
  irisFeatures: [number, number];
  seed: number;
}

/** A dataset split into training and test rows, with its class names. */
export interface Dataset {
  name: DatasetName;
  /** Names of the input columns. */
  inputs: string[];
  /** Class names; the class of a row is the index of its largest target. */
  classes: string[];
  trainX: number[][];
  trainY: number[][];
  testX: number[][];
  testY: number[][];
  /** For 2-D inputs, the box the boundary is drawn over: [xmin, xmax, ymin, ymax]. */
  box?: [number, number, number, number];
}

/** Points and their class index (0 or 1 for the 2-D sets). */
interface Labelled {
  points: number[][];
  labels: number[];
}

/** The class-to-target encoding: one column (0/1) for two classes, one-hot for more or when asked. */
export function encodeTargets(labels: number[], classes: number, oneHot: boolean): number[][] {
  if (classes === 2 && !oneHot) return labels.map((c) => [c]);
  return labels.map((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)));
}

/** The dataset named in `options`; `oneHot` asks for one target column per class even for two classes. */
export function makeDataset(options: DataOptions, oneHot = false): Dataset {
  const rng = new Random(options.seed);
  if (options.name === 'slides') {
    return {
      name: 'slides',
      inputs: ['sepal length', 'sepal width', 'petal length', 'petal width'],
      classes: [...IRIS_SPECIES],
      trainX: IRIS3.X.map((r) => [...r]),
      trainY: IRIS3.Y.map((r) => [...r]),
      testX: [],
      testY: [],
    };
  }
  if (options.name === 'iris') return irisDataset(options, rng, oneHot);

  const n = Math.max(4, Math.round(options.samples));
  const sd = options.noise;
  const data = GENERATORS[options.name](n, rng);
  const jittered = data.points.map(([x, y]) => [x + sd * rng.normal(), y + sd * rng.normal()]);
  const split = splitRows(jittered, data.labels, options.trainRatio, rng);
  return {
    name: options.name,
    inputs: ['x₁', 'x₂'],
    classes: ['orange', 'blue'],
    trainX: split.trainX,
    trainY: encodeTargets(split.trainLabels, 2, oneHot),
    testX: split.testX,
    testY: encodeTargets(split.testLabels, 2, oneHot),
    box: [-1.2, 1.2, -1.2, 1.2],
  };
}

const GENERATORS: Record<'xor' | 'circle' | 'spirals' | 'gauss', (n: number, rng: Random) => Labelled> = {
  /** Four quadrants, kept a little away from the axes; class 1 where x and y have the same sign. */
  xor(n, rng) {
    const pad = 0.05;
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      let x = rng.uniform(-1, 1);
      let y = rng.uniform(-1, 1);
      x += x > 0 ? pad : -pad;
      y += y > 0 ? pad : -pad;
      points.push([x / (1 + pad), y / (1 + pad)]);
      labels.push(x * y > 0 ? 1 : 0);
    }
    return { points, labels };
  },
  /** Class 1 inside radius 0.5, class 0 in the ring from 0.7 to 1. */
  circle(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const inside = i < n / 2;
      const r = inside ? rng.uniform(0, 0.5) : rng.uniform(0.7, 1);
      const t = rng.uniform(0, 2 * Math.PI);
      points.push([r * Math.sin(t), r * Math.cos(t)]);
      labels.push(inside ? 1 : 0);
    }
    return { points, labels };
  },
  /** Two interleaved spirals, one turn and three quarters each. */
  spirals(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    const half = Math.ceil(n / 2);
    for (let i = 0; i < n; i++) {
      const cls = i < half ? 1 : 0;
      const k = cls ? i : i - half;
      const r = (k / half) * 0.95 + 0.05 * rng.next();
      const t = 1.75 * (k / half) * 2 * Math.PI + (cls ? 0 : Math.PI);
      points.push([r * Math.sin(t), r * Math.cos(t)]);
      labels.push(cls);
    }
    return { points, labels };
  },
  /** Two round clusters around (0.45, 0.45) and (−0.45, −0.45). */
  gauss(n, rng) {
    const points: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      const c = cls ? 0.45 : -0.45;
      points.push([c + 0.18 * rng.normal(), c + 0.18 * rng.normal()]);
      labels.push(cls);
    }
    return { points, labels };
  },
};

/** Iris with two features, standardised with the training rows' mean and deviation. */
function irisDataset(options: DataOptions, rng: Random, oneHot: boolean): Dataset {
  const [fi, fj] = options.irisFeatures;
  const points = IRIS_ROWS.map((r) => [r[fi], r[fj]]);
  const labels = IRIS_ROWS.map((r) => r[4]);
  const split = splitRows(points, labels, options.trainRatio, rng);
  const mean = [0, 1].map((j) => avg(split.trainX.map((p) => p[j])));
  const sd = [0, 1].map((j) => Math.sqrt(avg(split.trainX.map((p) => (p[j] - mean[j]) ** 2))) || 1);
  const scale = (p: number[]) => p.map((v, j) => (v - mean[j]) / sd[j]);
  const trainX = split.trainX.map(scale);
  const testX = split.testX.map(scale);
  const all = trainX.concat(testX);
  const lo = [0, 1].map((j) => Math.min(...all.map((p) => p[j])) - 0.5);
  const hi = [0, 1].map((j) => Math.max(...all.map((p) => p[j])) + 0.5);
  return {
    name: 'iris',
    inputs: [IRIS_FEATURES[fi], IRIS_FEATURES[fj]].map((f) => `${f} (standardised)`),
    classes: [...IRIS_SPECIES],
    trainX,
    trainY: encodeTargets(split.trainLabels, 3, oneHot),
    testX,
    testY: encodeTargets(split.testLabels, 3, oneHot),
    box: [lo[0], hi[0], lo[1], hi[1]],
  };
}

function avg(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

/** A seeded shuffle of the rows, then the first `ratio` of them for training. */
function splitRows(points: number[][], labels: number[], ratio: number, rng: Random) {
  const order = rng.shuffle(Array.from({ length: points.length }, (_, i) => i));
  const nTrain = Math.min(points.length - 1, Math.max(1, Math.round(points.length * ratio)));
  const pick = (idx: number[]) => ({ x: idx.map((i) => points[i]), y: idx.map((i) => labels[i]) });
  const train = pick(order.slice(0, nTrain));
  const test = pick(order.slice(nTrain));
  return { trainX: train.x, trainLabels: train.y, testX: test.x, testLabels: test.y };
}

/** The class index of each target row: the column of its largest value, or for one column, value ≥ 0.5. */
export function classOf(target: ArrayLike<number>): number {
  if (target.length === 1) return target[0] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < target.length; k++) if (target[k] > target[best]) best = k;
  return best;
}
