import { badRow, checkRowsArgument, isRow } from './rows-check.js';
import { BackpropError } from '../errors.js';
import { wasmKernels } from './wasm.js';

/** Element type: float64 (the reference, for traces and gradient checks) or float32 (the fast path). */
export type DType = 'float64' | 'float32';
export type FloatArray = Float64Array | Float32Array;

/** A zeroed array of n elements of the given type. */
export function allocate(n: number, dtype: DType = 'float64'): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Products with fewer multiply-adds than this stay in JavaScript (the copy into WebAssembly would cost more). */
export const WASM_MIN_WORK = 16384;

/**
 * A dense row-major matrix of float64 (default) or float32 values: element (i, j) is `data[i * cols + j]`.
 * A batch is N rows; a weight matrix is inputs × outputs, so `H_in = X·W1` as in the slides.
 * This folder holds the numeric loops of the reference engine (the WebAssembly engine has its own, in assembly/).
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;

  constructor(rows: number, cols: number, data: FloatArray | DType = 'float64') {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new BackpropError('shape', `a matrix needs whole, non-negative sizes, got ${rows}×${cols}`);
    }
    if (typeof data !== 'string' && data.length !== rows * cols) {
      throw new BackpropError('shape', `a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = typeof data === 'string' ? allocate(rows * cols, data) : data;
  }

  get dtype(): DType {
    return this.data instanceof Float32Array ? 'float32' : 'float64';
  }

  /** This matrix if it already has the element type, else a converted copy. */
  to(dtype: DType): Matrix {
    if (this.dtype === dtype) return this;
    const out = new Matrix(this.rows, this.cols, dtype);
    out.data.set(this.data);
    return out;
  }

  /**
   * Builds a matrix from nested arrays. `name` appears in error messages, e.g. "row 3 of X has
   * 2 values, expected 4".
   */
  static from(rows: ArrayLike<ArrayLike<number>>, name = 'matrix'): Matrix {
    checkRowsArgument(rows, name);
    if (rows.length === 0) throw new BackpropError('shape', `${name} has no rows`);
    const cols = typeof rows[0]?.length === 'number' ? rows[0].length : 0;
    const m = new Matrix(rows.length, cols);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!isRow(r, cols)) throw badRow(r, i, name, cols);
      for (let j = 0; j < cols; j++) m.data[i * cols + j] = r[j];
    }
    return m;
  }

  /** A matrix from nested arrays or an existing Matrix (returned as is). */
  static of(x: Matrix | ArrayLike<ArrayLike<number>>, name = 'matrix'): Matrix {
    return x instanceof Matrix ? x : Matrix.from(x, name);
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** The rows as plain nested arrays. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** Rows `idx[start..end)` copied into `out` (which must have end-start rows). */
  gatherRows(idx: ArrayLike<number>, start: number, end: number, out: Matrix): Matrix {
    const c = this.cols;
    for (let r = start; r < end; r++) {
      const src = idx[r] * c;
      out.data.set(this.data.subarray(src, src + c), (r - start) * c);
    }
    return out;
  }

  /** The index of the first NaN or infinite value, or -1. */
  findNonFinite(): number {
    const d = this.data;
    // v − v is 0 for every finite v, NaN for NaN and ±Infinity
    for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return i;
    return -1;
  }
}

/** Throws unless `m` is rows×cols; `what` names it in the message. */
export function assertShape(m: Matrix, rows: number, cols: number, what: string): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new BackpropError('shape', `${what} is ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
  }
}

/**
 * C = alpha · op(A) · op(B) + beta · C, where op transposes when the flag is set.
 * The three products of training are X·W (forward), Xᵀ·D (weight gradient) and D·Wᵀ (error
 * passed back); each loop order below walks memory contiguously in its innermost loop.
 */
export function matmul(
  a: Matrix,
  b: Matrix,
  c: Matrix,
  transA = false,
  transB = false,
  alpha = 1,
  beta = 0,
): Matrix {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new BackpropError(
      'shape',
      `cannot multiply ${m}×${k} by ${kb}×${n}: inner sizes differ (${k} and ${kb})`,
    );
  }
  if (c.rows !== m || c.cols !== n) {
    throw new BackpropError('shape', `product is ${m}×${n} but the output matrix is ${c.rows}×${c.cols}`);
  }
  if (m * n * k >= WASM_MIN_WORK && c.data instanceof Float32Array && a.data instanceof Float32Array && b.data instanceof Float32Array) {
    const wasm = wasmKernels();
    if (wasm) {
      wasm.gemm(m, n, k, a.data, a.cols, transA, b.data, b.cols, transB, c.data, alpha, beta);
      return c;
    }
  }
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const ac = a.cols;
  const bc = b.cols;
  if (beta === 0) C.fill(0);
  else if (beta !== 1) for (let i = 0; i < C.length; i++) C[i] *= beta;

  if (!transB) {
    // C[i,:] += alpha · op(A)[i,p] · B[p,:]
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = alpha * (transA ? A[p * ac + i] : A[i * ac + p]);
        if (aip === 0) continue;
        const bp = p * bc;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
      }
    }
  } else {
    // C[i,j] += alpha · Σ_p op(A)[i,p] · B[j,p]: dot products of rows of B
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let j = 0; j < n; j++) {
        const bj = j * bc;
        let s = 0;
        if (transA) for (let p = 0; p < k; p++) s += A[p * ac + i] * B[bj + p];
        else {
          const ai = i * ac;
          for (let p = 0; p < k; p++) s += A[ai + p] * B[bj + p];
        }
        C[ci + j] += alpha * s;
      }
    }
  }
  return c;
}

/** m[i,:] += row, for every row i (a bias added to every sample). */
export function addRow(m: Matrix, row: FloatArray): Matrix {
  if (row.length !== m.cols) {
    throw new BackpropError('shape', `cannot add a row of ${row.length} values to a matrix with ${m.cols} columns`);
  }
  const d = m.data;
  const c = m.cols;
  for (let i = 0; i < m.rows; i++) {
    const o = i * c;
    for (let j = 0; j < c; j++) d[o + j] += row[j];
  }
  return m;
}

/** out[j] = alpha · Σ_i m[i,j] + beta · out[j] (column sums, e.g. a bias gradient). */
export function colSums<T extends FloatArray>(m: Matrix, out: T, alpha = 1, beta = 0): T {
  const c = m.cols;
  const d = m.data;
  if (beta === 0) out.fill(0);
  else if (beta !== 1) for (let j = 0; j < c; j++) out[j] *= beta;
  for (let i = 0; i < m.rows; i++) {
    const o = i * c;
    for (let j = 0; j < c; j++) out[j] += alpha * d[o + j];
  }
  return out;
}

/** out = f(a) elementwise (out may be a). */
export function map(a: Matrix, out: Matrix, f: (x: number) => number): Matrix {
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  return out;
}

/** out = a − b elementwise. */
export function sub(a: Matrix, b: Matrix, out: Matrix): Matrix {
  const x = a.data;
  const y = b.data;
  const z = out.data;
  for (let i = 0; i < x.length; i++) z[i] = x[i] - y[i];
  return out;
}

/** Σ f(a[i], b[i]) over all elements. */
export function sumPairs(a: Matrix, b: Matrix, f: (x: number, y: number) => number): number {
  const x = a.data;
  const y = b.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i], y[i]);
  return s;
}

/** The column index of each row's largest value. */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  const c = m.cols;
  const d = m.data;
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}
