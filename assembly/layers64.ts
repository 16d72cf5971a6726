// One layer over one batch, for the float64 kernel (assembly/float64.ts): the forward pass and
// activation, the delta, and the gradients with the error handed down (O_error: output64.ts);
// each element by the operations of src/nn/dense.ts and the activations, in the same order.

import {
  D_IN, D_UNITS, D_ACT, D_BIAS, D_FUSED, D_W, D_B, D_DW, D_DB, D_Z, D_A, D_E, D_D, ACT_SIGMOID,
  ACT_TANH, ACT_RELU, ACT_LEAKY, ACT_SOFTMAX, LEAKY_SLOPE, i32At, ptrAt,
} from './layout64';
import { expRow, expv, exp1, tanh1 } from './math64';

/**
 * Z = In·W (+ b), then A = f(Z), for every row. Each z sums in_i·W[i][j] over i in order, then
 * adds b_j, as the reference does; eight columns at a time are held in four registers.
 */
export function forward(d: usize, input: usize, rows: i32): void {
  const I = i32At(d, D_IN);
  const U = i32At(d, D_UNITS);
  const W = ptrAt(d, D_W);
  const Z = ptrAt(d, D_Z);
  const A = ptrAt(d, D_A);
  const bias = i32At(d, D_BIAS);
  const b = ptrAt(d, D_B);
  const stride = <usize>U << 3;
  for (let r = 0; r < rows; r++) {
    const x = input + ((<usize>r * I) << 3);
    const z = Z + <usize>r * stride;
    let j = 0;
    for (; j + 8 <= U; j += 8) {
      let a0 = f64x2.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let w = W + (<usize>j << 3);
      for (let i = 0; i < I; i++) {
        const x2 = v128.load64_splat(x + (<usize>i << 3));
        a0 = f64x2.add(a0, f64x2.mul(x2, v128.load(w)));
        a1 = f64x2.add(a1, f64x2.mul(x2, v128.load(w, 16)));
        a2 = f64x2.add(a2, f64x2.mul(x2, v128.load(w, 32)));
        a3 = f64x2.add(a3, f64x2.mul(x2, v128.load(w, 48)));
        w += stride;
      }
      if (bias) {
        const bb = b + (<usize>j << 3);
        a0 = f64x2.add(a0, v128.load(bb));
        a1 = f64x2.add(a1, v128.load(bb, 16));
        a2 = f64x2.add(a2, v128.load(bb, 32));
        a3 = f64x2.add(a3, v128.load(bb, 48));
      }
      const o = z + (<usize>j << 3);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o, a2, 32);
      v128.store(o, a3, 48);
    }
    for (; j + 2 <= U; j += 2) {
      let a0 = f64x2.splat(0);
      let w = W + (<usize>j << 3);
      for (let i = 0; i < I; i++) {
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(x + (<usize>i << 3)), v128.load(w)));
        w += stride;
      }
      if (bias) a0 = f64x2.add(a0, v128.load(b + (<usize>j << 3)));
      v128.store(z + (<usize>j << 3), a0);
    }
    if (j < U) {
      let s: f64 = 0;
      let w = W + (<usize>j << 3);
      for (let i = 0; i < I; i++) {
        s += load<f64>(x + (<usize>i << 3)) * load<f64>(w);
        w += stride;
      }
      if (bias) s += load<f64>(b + (<usize>j << 3));
      store<f64>(z + (<usize>j << 3), s);
    }
  }
  activate(i32At(d, D_ACT), Z, A, rows, U);
}

/** A = f(Z) over rows × U values (softmax: row by row). */
export function activate(act: i32, Z: usize, A: usize, rows: i32, U: i32): void {
  const n = rows * U;
  if (act == ACT_SIGMOID) sigmoidAll(Z, A, n);
  else if (act == ACT_SOFTMAX) {
    for (let r = 0; r < rows; r++) softmaxRow(Z + ((<usize>r * U) << 3), A + ((<usize>r * U) << 3), U);
  } else if (act == ACT_TANH) {
    for (let k = 0; k < n; k++) store<f64>(A + (<usize>k << 3), tanh1(load<f64>(Z + (<usize>k << 3))));
  } else if (act == ACT_RELU) {
    for (let k = 0; k < n; k++) {
      const x = load<f64>(Z + (<usize>k << 3));
      store<f64>(A + (<usize>k << 3), x > 0 ? x : 0);
    }
  } else if (act == ACT_LEAKY) {
    for (let k = 0; k < n; k++) {
      const x = load<f64>(Z + (<usize>k << 3));
      store<f64>(A + (<usize>k << 3), x > 0 ? x : LEAKY_SLOPE * x);
    }
  } else {
    for (let k = 0; k < n; k++) store<f64>(A + (<usize>k << 3), load<f64>(Z + (<usize>k << 3)));
  }
}

/** σ(z) = 1 / (1 + e^(−z)) for n values, two at a time. */
export function sigmoidAll(Z: usize, A: usize, n: i32): void {
  const one = f64x2.splat(1);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = <usize>k << 3;
    v128.store(A + o, f64x2.div(one, f64x2.add(one, expv(f64x2.neg(v128.load(Z + o))))));
  }
  if (k < n) store<f64>(A + (<usize>k << 3), 1 / (1 + exp1(-load<f64>(Z + (<usize>k << 3)))));
}

/** softmax(z)_k = e^(z_k − max z) / Σ_j e^(z_j − max z), for one row of U values. */
export function softmaxRow(z: usize, a: usize, U: i32): void {
  let max = -Infinity;
  for (let k = 0; k < U; k++) {
    const v = load<f64>(z + (<usize>k << 3));
    if (v > max) max = v;
  }
  for (let k = 0; k < U; k++) store<f64>(a + (<usize>k << 3), load<f64>(z + (<usize>k << 3)) - max);
  expRow(a, U);
  let sum: f64 = 0;
  for (let k = 0; k < U; k++) sum += load<f64>(a + (<usize>k << 3));
  for (let k = 0; k < U; k++) store<f64>(a + (<usize>k << 3), load<f64>(a + (<usize>k << 3)) / sum);
}

/** delta = error ⊙ f'(z) for every row (softmax: each row's Jacobian–vector product). */
export function delta(d: usize, rows: i32): void {
  const U = i32At(d, D_UNITS);
  const Z = ptrAt(d, D_Z);
  const A = ptrAt(d, D_A);
  const E = ptrAt(d, D_E);
  const D = ptrAt(d, D_D);
  const act = i32At(d, D_ACT);
  const n = rows * U;
  if (i32At(d, D_FUSED)) {
    // O_delta = O_out − Y: the derivatives cancel
    for (let k = 0; k < n; k++) store<f64>(D + (<usize>k << 3), load<f64>(E + (<usize>k << 3)));
  } else if (act == ACT_SIGMOID) {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 3;
      const y = load<f64>(A + o);
      store<f64>(D + o, load<f64>(E + o) * y * (1 - y));
    }
  } else if (act == ACT_SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const base = (<usize>r * U) << 3;
      let p: f64 = 0;
      for (let j = 0; j < U; j++) p += load<f64>(E + base + (<usize>j << 3)) * load<f64>(A + base + (<usize>j << 3));
      for (let j = 0; j < U; j++) {
        const o = base + (<usize>j << 3);
        store<f64>(D + o, load<f64>(A + o) * (load<f64>(E + o) - p));
      }
    }
  } else if (act == ACT_TANH) {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 3;
      const y = load<f64>(A + o);
      store<f64>(D + o, load<f64>(E + o) * (1 - y * y));
    }
  } else if (act == ACT_RELU) {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 3;
      store<f64>(D + o, load<f64>(E + o) * (load<f64>(Z + o) > 0 ? 1 : 0));
    }
  } else if (act == ACT_LEAKY) {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 3;
      store<f64>(D + o, load<f64>(E + o) * (load<f64>(Z + o) > 0 ? 1 : LEAKY_SLOPE));
    }
  } else {
    for (let k = 0; k < n; k++) store<f64>(D + (<usize>k << 3), load<f64>(E + (<usize>k << 3)) * 1);
  }
}

/**
 * W_update = Σ_rows (scale·in_i)·delta_j and b_update = Σ_rows scale·delta_j, rows in order,
 * then the error handed down: prevError_i = Σ_j delta_j · W[i][j], j in order.
 */
export function backward(d: usize, input: usize, below: usize, rows: i32, scale: f64): void {
  const I = i32At(d, D_IN);
  const U = i32At(d, D_UNITS);
  const W = ptrAt(d, D_W);
  const dW = ptrAt(d, D_DW);
  const D = ptrAt(d, D_D);
  const stride = <usize>U << 3;
  const inStride = <usize>I << 3;
  const U8 = U & ~7;
  for (let i = 0; i < I; i++) {
    const g = dW + <usize>i * stride;
    const x = input + (<usize>i << 3);
    for (let j = 0; j < U8; j += 8) {
      let a0 = f64x2.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let dd = D + (<usize>j << 3);
      let xr = x;
      for (let r = 0; r < rows; r++) {
        const q = f64x2.splat(scale * load<f64>(xr));
        a0 = f64x2.add(a0, f64x2.mul(q, v128.load(dd)));
        a1 = f64x2.add(a1, f64x2.mul(q, v128.load(dd, 16)));
        a2 = f64x2.add(a2, f64x2.mul(q, v128.load(dd, 32)));
        a3 = f64x2.add(a3, f64x2.mul(q, v128.load(dd, 48)));
        dd += stride;
        xr += inStride;
      }
      const o = g + (<usize>j << 3);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o, a2, 32);
      v128.store(o, a3, 48);
    }
  }
  // the last U mod 8 columns: four inputs at a time, so that four sums run side by side
  if (U8 < U) {
    let i = 0;
    for (; i + 4 <= I; i += 4) narrowGradients(dW, D, input, i, 4, U8, U, rows, I, scale);
    if (i < I) narrowGradients(dW, D, input, i, I - i, U8, U, rows, I, scale);
  }
  if (i32At(d, D_BIAS)) biasGradients(ptrAt(d, D_DB), D, rows, U, scale);
  if (below == 0) return;
  const Eb = ptrAt(below, D_E);
  for (let r = 0; r < rows; r++) {
    const dr = D + <usize>r * stride;
    const er = Eb + <usize>r * inStride;
    let w = W;
    for (let i = 0; i < I; i++) {
      let s: f64 = 0;
      for (let j = 0; j < U; j++) s += load<f64>(dr + (<usize>j << 3)) * load<f64>(w + (<usize>j << 3));
      store<f64>(er + (<usize>i << 3), s);
      w += stride;
    }
  }
}

/**
 * W_update[i][j] = Σ_rows (scale·in_i)·delta_j for `count` (1 … 4) inputs from i0 and the columns
 * j0 … U − 1 (fewer than 8), rows in order: a pair of columns, then a single one, for each input.
 */
export function narrowGradients(dW: usize, D: usize, input: usize, i0: i32, count: i32, j0: i32, U: i32, rows: i32, I: i32, scale: f64): void {
  const stride = <usize>U << 3;
  const inStride = <usize>I << 3;
  const x = input + (<usize>i0 << 3);
  let j = j0;
  for (; j + 2 <= U; j += 2) {
    let a0 = f64x2.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let dd = D + (<usize>j << 3);
    let xr = x;
    for (let r = 0; r < rows; r++) {
      const dv = v128.load(dd);
      a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(scale * load<f64>(xr)), dv));
      if (count > 1) a1 = f64x2.add(a1, f64x2.mul(f64x2.splat(scale * load<f64>(xr, 8)), dv));
      if (count > 2) a2 = f64x2.add(a2, f64x2.mul(f64x2.splat(scale * load<f64>(xr, 16)), dv));
      if (count > 3) a3 = f64x2.add(a3, f64x2.mul(f64x2.splat(scale * load<f64>(xr, 24)), dv));
      dd += stride;
      xr += inStride;
    }
    const g = dW + <usize>i0 * stride + (<usize>j << 3);
    v128.store(g, a0);
    if (count > 1) v128.store(g + stride, a1);
    if (count > 2) v128.store(g + 2 * stride, a2);
    if (count > 3) v128.store(g + 3 * stride, a3);
  }
  if (j < U) {
    let s0: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    let s3: f64 = 0;
    let dd = D + (<usize>j << 3);
    let xr = x;
    for (let r = 0; r < rows; r++) {
      const dv = load<f64>(dd);
      s0 += scale * load<f64>(xr) * dv;
      if (count > 1) s1 += scale * load<f64>(xr, 8) * dv;
      if (count > 2) s2 += scale * load<f64>(xr, 16) * dv;
      if (count > 3) s3 += scale * load<f64>(xr, 24) * dv;
      dd += stride;
      xr += inStride;
    }
    const g = dW + <usize>i0 * stride + (<usize>j << 3);
    store<f64>(g, s0);
    if (count > 1) store<f64>(g + stride, s1);
    if (count > 2) store<f64>(g + 2 * stride, s2);
    if (count > 3) store<f64>(g + 3 * stride, s3);
  }
}

/** b_update_j = Σ_rows scale·delta_j, rows in order; eight columns at a time in four registers. */
export function biasGradients(db: usize, D: usize, rows: i32, U: i32, scale: f64): void {
  const stride = <usize>U << 3;
  const s2 = f64x2.splat(scale);
  let j = 0;
  for (; j + 8 <= U; j += 8) {
    let a0 = f64x2.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let dd = D + (<usize>j << 3);
    for (let r = 0; r < rows; r++) {
      a0 = f64x2.add(a0, f64x2.mul(s2, v128.load(dd)));
      a1 = f64x2.add(a1, f64x2.mul(s2, v128.load(dd, 16)));
      a2 = f64x2.add(a2, f64x2.mul(s2, v128.load(dd, 32)));
      a3 = f64x2.add(a3, f64x2.mul(s2, v128.load(dd, 48)));
      dd += stride;
    }
    const o = db + (<usize>j << 3);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; j + 2 <= U; j += 2) {
    let a0 = f64x2.splat(0);
    let dd = D + (<usize>j << 3);
    for (let r = 0; r < rows; r++) {
      a0 = f64x2.add(a0, f64x2.mul(s2, v128.load(dd)));
      dd += stride;
    }
    v128.store(db + (<usize>j << 3), a0);
  }
  if (j < U) {
    let s: f64 = 0;
    let dd = D + (<usize>j << 3);
    for (let r = 0; r < rows; r++) {
      s += scale * load<f64>(dd);
      dd += stride;
    }
    store<f64>(db + (<usize>j << 3), s);
  }
}
