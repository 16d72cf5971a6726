// The output layer's error and the loss, for the float64 kernel (assembly/float64.ts): O_error =
// O_out − Y, the loss's sum and the rows classified right, as src/nn/losses.ts and the metrics do.

import {
  C_LOSS, C_CLASSIFY, C_HITS_NOW, C_SUM, D_UNITS, D_Z, D_A, D_E, LOSS_CROSS_ENTROPY,
  LOSS_BINARY_CROSS_ENTROPY, i32At, ptrAt,
} from './layout64';
import { exp1, log1, log1p1 } from './math64';

/**
 * O_error = O_out − Y for every row; the loss's sum (C_SUM) and the rows classified right
 * (C_HITS_NOW) as the loss and metrics code compute them.
 */
export function outputError(cfg: usize, top: usize, Y: usize, rows: i32): void {
  const K = i32At(top, D_UNITS);
  const Z = ptrAt(top, D_Z);
  const A = ptrAt(top, D_A);
  const E = ptrAt(top, D_E);
  const n = rows * K;
  const lossKind = i32At(cfg, C_LOSS);
  let sum: f64 = 0;
  for (let k = 0; k < n; k++) {
    const e = load<f64>(A + (<usize>k << 3)) - load<f64>(Y + (<usize>k << 3));
    store<f64>(E + (<usize>k << 3), e);
    sum += e * e;
  }
  if (lossKind == LOSS_CROSS_ENTROPY) sum = crossEntropySum(Z, Y, rows, K);
  else if (lossKind == LOSS_BINARY_CROSS_ENTROPY) sum = binaryCrossEntropySum(Z, Y, n);
  store<f64>(cfg + C_SUM, sum);
  const classify = i32At(cfg, C_CLASSIFY);
  let hits = 0;
  if (classify) {
    for (let r = 0; r < rows; r++) {
      const o = (<usize>r * K) << 3;
      if (classOf(A + o, K) == classOf(Y + o, K)) hits++;
    }
  }
  store<i32>(cfg + C_HITS_NOW, hits);
}

/** Σ_rows Σ_k y_k (logsumexp(z) − z_k), from the logits without overflow. */
export function crossEntropySum(Z: usize, Y: usize, rows: i32, K: i32): f64 {
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const z = Z + ((<usize>r * K) << 3);
    const y = Y + ((<usize>r * K) << 3);
    let max = -Infinity;
    for (let j = 0; j < K; j++) {
      const v = load<f64>(z + (<usize>j << 3));
      if (v > max) max = v;
    }
    let t: f64 = 0;
    for (let j = 0; j < K; j++) t += exp1(load<f64>(z + (<usize>j << 3)) - max);
    const lse = max + log1(t);
    for (let j = 0; j < K; j++) {
      const yj = load<f64>(y + (<usize>j << 3));
      if (yj != 0) sum += yj * (lse - load<f64>(z + (<usize>j << 3)));
    }
  }
  return sum;
}

/** Σ max(z, 0) − y·z + log(1 + e^(−|z|)) over n values. */
export function binaryCrossEntropySum(Z: usize, Y: usize, n: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < n; k++) {
    const z = load<f64>(Z + (<usize>k << 3));
    sum += Math.max(z, 0) - load<f64>(Y + (<usize>k << 3)) * z + log1p1(exp1(-Math.abs(z)));
  }
  return sum;
}

/** The class of one row: 1 column: value ≥ 0.5; more: the first arg max. */
@inline export function classOf(p: usize, cols: i32): i32 {
  if (cols == 1) return load<f64>(p) >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < cols; j++) if (load<f64>(p + (<usize>j << 3)) > load<f64>(p + (<usize>best << 3))) best = j;
  return best;
}
