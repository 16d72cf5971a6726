import { BackpropError, check } from '../errors.js';
import { Matrix } from '../tensor/matrix.js';
import type { Random } from '../tensor/random.js';

export const SCALING_NAMES = ['standard', 'minmax', 'none'] as const;
/** standard: (x − mean) / std; minmax: (x − min) / (max − min), into [0, 1]; none: unchanged. */
export type ScalingName = (typeof SCALING_NAMES)[number];

/**
 * A column scaling as the exports take it (the shift and scale of a Scaler):
 * x' = (x − shift) / scale, column by column.
 */
export interface ColumnScaling {
  shift: readonly number[];
  scale: readonly number[];
}

/**
 * A fitted column scaling, as plain data for the model file: x' = (x − shift) / scale, column
 * by column. Fitted on the training rows only, then applied unchanged to test and new data.
 */
export interface Scaler {
  kind: ScalingName;
  shift: number[];
  scale: number[];
}

/**
 * Fits a scaling to the columns of X. A constant column gets scale 1 (it becomes 0 or stays).
 * Values so large that the scaling overflows (a variance or range beyond float64) are refused,
 * naming the column (`names[j]`, else its number).
 */
export function fitScaler(x: Matrix, kind: ScalingName = 'standard', names?: readonly string[], only?: Int32Array): Scaler {
  check((SCALING_NAMES as readonly string[]).includes(kind), `unknown scaling '${kind}': expected one of ${SCALING_NAMES.join(', ')}`);
  const { cols, data } = x;
  // `only`: the rows to fit on (in this order), read where they are instead of copied out
  const rows = only ? only.length : x.rows;
  const at = only ? (i: number) => only[i] * cols : (i: number) => i * cols;
  check(rows > 0, 'cannot fit a scaling to no rows', 'data');
  const shift = new Array<number>(cols).fill(0);
  const scale = new Array<number>(cols).fill(1);
  if (kind === 'none') return { kind, shift, scale };
  // row by row (memory in order), each column's sums over the rows in order
  if (kind === 'standard') {
    const sum = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0, o = at(i); j < cols; j++) sum[j] += data[o + j];
    const mean = Array.from(sum, (v) => v / rows);
    const sq = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0, o = at(i); j < cols; j++) {
        const d = data[o + j] - mean[j];
        sq[j] += d * d;
      }
    }
    for (let j = 0; j < cols; j++) {
      const std = Math.sqrt(sq[j] / rows);
      shift[j] = mean[j];
      scale[j] = std > 1e-12 * Math.max(1, Math.abs(mean[j])) ? std : 1;
    }
  } else {
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < rows; i++) {
      for (let j = 0, o = at(i); j < cols; j++) {
        const v = data[o + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    for (let j = 0; j < cols; j++) {
      shift[j] = lo[j];
      scale[j] = hi[j] > lo[j] ? hi[j] - lo[j] : 1;
    }
  }
  for (let j = 0; j < cols; j++) if (!Number.isFinite(shift[j]) || !Number.isFinite(scale[j])) tooLarge(x, j, kind, names);
  return { kind, shift, scale };
}

function tooLarge(x: Matrix, j: number, kind: ScalingName, names?: readonly string[]): never {
  let max = 0;
  for (let i = 0; i < x.rows; i++) max = Math.max(max, Math.abs(x.data[i * x.cols + j]));
  const column = names?.[j] !== undefined ? `column '${names[j]}'` : `column ${j + 1}`;
  throw new BackpropError(
    'data',
    `${column} holds values too large to scale (up to ${max.toExponential(2)}): their ${kind === 'minmax' ? 'range' : 'mean or variance'} ` +
      `overflows 64-bit floating point. Divide the column by a power of ten first${kind === 'standard' ? ', or scale it by min and max' : ''}`,
  );
}

/** The scaled copy of X: (x − shift) / scale per column. */
export function applyScaler(s: Scaler, x: Matrix): Matrix {
  checkWidth(s, x);
  const out = new Matrix(x.rows, x.cols);
  const c = x.cols;
  for (let i = 0; i < x.data.length; i++) out.data[i] = (x.data[i] - s.shift[i % c]) / s.scale[i % c];
  return out;
}

/**
 * The rows of x at `idx`, scaled: takeRows and applyScaler in one pass, one copy. `out`, when
 * given, is written instead of a new matrix (e.g. a view of the memory an engine trains from).
 */
export function scaledRows(s: Scaler, x: Matrix, idx: ArrayLike<number>, out = new Matrix(idx.length, x.cols)): Matrix {
  checkWidth(s, x);
  const c = x.cols;
  check(out.rows === idx.length && out.cols === c, `scaledRows: ${idx.length}×${c} rows into a ${out.rows}×${out.cols} matrix`, 'shape');
  for (let r = 0; r < idx.length; r++) {
    const from = idx[r] * c;
    const to = r * c;
    for (let j = 0; j < c; j++) out.data[to + j] = (x.data[from + j] - s.shift[j]) / s.scale[j];
  }
  return out;
}

/** Undoes applyScaler: x · scale + shift per column (e.g. a regression's predictions back to the target's units). */
export function invertScaler(s: Scaler, x: Matrix): Matrix {
  checkWidth(s, x);
  const out = new Matrix(x.rows, x.cols);
  const c = x.cols;
  for (let i = 0; i < x.data.length; i++) out.data[i] = x.data[i] * s.scale[i % c] + s.shift[i % c];
  return out;
}

function checkWidth(s: Scaler, x: Matrix): void {
  if (s.shift.length !== x.cols || s.scale.length !== x.cols) {
    throw new BackpropError('shape', `the scaling was fitted to ${s.shift.length} columns, but the data has ${x.cols}`);
  }
}

/** Row indices of the training and test parts, each in ascending order. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * A seeded split of n rows: round(n · testFraction) rows go to the test part. With `labels`
 * (class index per row) the split is stratified: each class gives the test part its share,
 * shares rounded by largest remainder, and keeps at least one row for training.
 */
export function splitRows(n: number, testFraction: number, rng: Random, labels?: Int32Array): Split {
  check(Number.isInteger(n) && n > 0, `cannot split ${n} rows`, 'data');
  check(
    Number.isFinite(testFraction) && testFraction >= 0 && testFraction < 1,
    `the test fraction must be ≥ 0 and < 1, got ${testFraction}`,
  );
  if (labels) check(labels.length === n, `splitRows: ${labels.length} labels for ${n} rows`, 'shape');
  let total = Math.round(n * testFraction);
  if (testFraction > 0) total = Math.min(Math.max(total, 1), n - 1);
  if (total <= 0) return { train: Int32Array.from({ length: n }, (_, i) => i), test: new Int32Array(0) };

  // The rows of each class (all rows when not stratified), in order, as typed arrays.
  const count = new Int32Array(labels ? maxLabel(labels) + 1 : 1);
  const group = (i: number) => (labels ? labels[i] : 0);
  for (let i = 0; i < n; i++) count[group(i)]++;
  const groups = Array.from(count, (c) => new Int32Array(c));
  const filled = new Int32Array(count.length);
  for (let i = 0; i < n; i++) {
    const k = group(i);
    groups[k][filled[k]++] = i;
  }
  const present = groups.filter((g) => g.length > 0);
  // Largest remainder: every class its floor share, then one more to the largest fractions.
  const quota = present.map((g) => (g.length * total) / n);
  const take = quota.map((q, k) => Math.min(Math.floor(q), present[k].length - 1));
  let left = total - take.reduce((s, v) => s + v, 0);
  const order = present.map((_, k) => k).sort((a, b) => quota[b] - Math.floor(quota[b]) - (quota[a] - Math.floor(quota[a])) || a - b);
  while (left > 0) {
    let gave = false;
    for (const k of order) {
      if (left > 0 && take[k] < present[k].length - 1) {
        take[k]++;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  const test = new Int32Array(total - left);
  const train = new Int32Array(n - test.length);
  let t = 0;
  let r = 0;
  present.forEach((g, k) => {
    const shuffled = rng.shuffle(g);
    test.set(shuffled.subarray(0, take[k]), t);
    train.set(shuffled.subarray(take[k]), r);
    t += take[k];
    r += g.length - take[k];
  });
  return { train: train.sort(), test: test.sort() };
}

/** The largest label, at least 0. */
function maxLabel(labels: Int32Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

/** The rows of m at `idx`, as a new matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  return m.gatherRows(idx, 0, idx.length, new Matrix(idx.length, m.cols));
}

/**
 * The rows of a split, scaled, written over x itself: x becomes the rows at `first`, then those at
 * `second` (each part ascending, together every row once), each (x − shift) / scale, the values
 * scaledRows gives, with no second copy of the data: the second part's rows are set aside, the
 * first part's move up in order (row first[i] ≥ i is not yet overwritten), the second's follow.
 */
export function scaleSplitInPlace(s: Scaler, x: Matrix, first: Int32Array, second: Int32Array): Matrix {
  checkWidth(s, x);
  const n = x.rows;
  const c = x.cols;
  check(isAscendingSplit(first, second, n), 'scaleSplitInPlace: the parts are not an ascending split of the rows', 'shape');
  const d = x.data;
  const aside = new Float64Array(second.length * c);
  for (let r = 0; r < second.length; r++) aside.set(d.subarray(second[r] * c, second[r] * c + c), r * c);
  for (let i = 0; i < first.length; i++) if (first[i] !== i) d.copyWithin(i * c, first[i] * c, first[i] * c + c);
  d.set(aside, first.length * c);
  for (let i = 0; i < d.length; i += c) for (let j = 0; j < c; j++) d[i + j] = (d[i + j] - s.shift[j]) / s.scale[j];
  return x;
}

/** Whether the two parts are ascending and hold each of the n rows once. */
function isAscendingSplit(first: Int32Array, second: Int32Array, n: number): boolean {
  if (first.length + second.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const part of [first, second]) {
    for (let i = 0; i < part.length; i++) {
      const r = part[i];
      if (!(r >= 0 && r < n) || seen[r] || (i > 0 && r <= part[i - 1])) return false;
      seen[r] = 1;
    }
  }
  return true;
}
