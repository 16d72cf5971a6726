// The float64 training kernel (AssemblyScript), for src/train/kernel.ts.
//
// One call trains a network for a run of epochs: for each batch of each epoch (in the order fit
// would take the rows), layer by layer over the batch, the forward pass, O_error, the deltas, the
// errors handed back and the weight and bias gradients, then the loss, the accuracy count, the
// finite check and the optimizer's step. Every element is computed by the operations of Dense.forward/delta/gradients/backError
// and of the optimizers, in the same order (sums over the same terms in the same order; SIMD
// lanes hold different elements), so a network without exp/tanh/log gives the very bits of the
// reference path. Nothing is allocated: the caller lays out every buffer in this module's memory
// and describes it in a configuration block.

// ---- the configuration block (byte offsets from cfg) ----------------------------------------
// i32 words
const C_LAYERS = 0; //   number of layers L
const C_ROWS = 4; //     rows of training data
const C_EPOCHS = 8; //   epochs to run
const C_OPT = 12; //     optimizer: OPT_*
const C_LOSS = 16; //    loss: LOSS_*
const C_CLASSIFY = 20; // accuracy: 0 none, 1 one column (class = out ≥ 0.5), 2 arg max
const C_X = 24; //       X, rows × inputs, in the data's order
const C_Y = 28; //       Y, rows × outputs
const C_SCHED = 32; //   per epoch: the learning rate (f64)
const C_LOSSES = 36; //  out, per epoch: the epoch's loss, measured before the step (f64)
const C_ACCURACY = 40; // out, per epoch: the fraction of rows classified right before the step (f64)
const C_PARAMS = 44; //  parameter count P
const C_W = 48; //       all parameters, in Network.params() order
const C_G = 52; //       their gradients, same layout
const C_S0 = 56; //      optimizer slot 0 (velocity, mean square, Adam's m), same layout
const C_S1 = 60; //      optimizer slot 1 (Adam's v)
const C_DESC = 64; //    layer descriptors
const C_MEAN = 68; //    1 when the loss is a mean over rows (the epoch loss is loss·n/n)
const C_STATUS = 72; //  out: 0 ran every epoch, 1 diverged (epoch returned + 1 not applied), 2 threshold reached
const C_HITS_NOW = 76; // scratch: this batch's hits
const C_BATCH = 80; //   rows per batch (the last batch of an epoch may be smaller)
const C_ORDERS = 84; //  per epoch, the order of the rows (rows i32 each); 0: rows in order, unshuffled
const C_BX = 88; //      batch buffers for shuffled rows: batch × inputs, batch × outputs
const C_BY = 92;
const C_FAILED = 96; //  out: the batch (0-based) whose loss or gradients were not finite
const C_OUTPUTS = 100; // outputs K (the width of Y)
const C_CORR = 104; //   Adam: per step of the call, its bias corrections c1, c2 (f64 each); 0 otherwise
// f64 words
const C_FACTOR = 128; // squared error: L = factor · Σ(O_out − Y)²
const C_SCALE = 136; //  W_update = scale · inᵀ·delta
const C_THRESHOLD = 144; // stop once the epoch loss ≤ this (NaN: never)
const C_MU = 152;
const C_RHO = 160;
const C_BETA1 = 168;
const C_BETA2 = 176;
const C_EPS = 184;
const C_SUM = 192; //    scratch: this batch's loss sum
const C_SCALE_TAIL = 200; // scale and factor for the last, smaller batch
const C_FACTOR_TAIL = 208;
const C_BATCH_LOSS = 216; // out: the last batch's loss

// ---- a layer's descriptor: 16 i32 words -----------------------------------------------------
const D_IN = 0;
const D_UNITS = 4;
const D_ACT = 8;
const D_BIAS = 12;
const D_FUSED = 16; // the output layer's delta is O_out − Y (softmax + cross-entropy, sigmoid + BCE)
const D_W = 20; //    inputs × units, row-major
const D_B = 24;
const D_DW = 28;
const D_DB = 32;
const D_Z = 36; //    rows × units each: z (in), a (out), error, delta
const D_A = 40;
const D_E = 44;
const D_D = 48;
const DESC_BYTES: usize = 64;

const ACT_LINEAR = 0;
const ACT_SIGMOID = 1;
const ACT_TANH = 2;
const ACT_RELU = 3;
const ACT_LEAKY = 4;
const ACT_SOFTMAX = 5;
const LEAKY_SLOPE: f64 = 0.01;

const LOSS_SQUARED = 0;
const LOSS_CROSS_ENTROPY = 1;
const LOSS_BINARY_CROSS_ENTROPY = 2;

const OPT_SGD = 0;
const OPT_MOMENTUM = 1;
const OPT_NESTEROV = 2;
const OPT_RMSPROP = 3;
const OPT_ADAM = 4;

@inline function i32At(p: usize, off: usize): i32 {
  return load<i32>(p + off);
}
@inline function ptrAt(p: usize, off: usize): usize {
  return <usize>load<u32>(p + off);
}
@inline function f64At(p: usize, off: usize): f64 {
  return load<f64>(p + off);
}

// e^x for two lanes: x = k·ln 2 + r with |r| ≤ ½ ln 2 (ln 2 split in two so that k·LN2_HI is
// exact), e^r by its Taylor series to r¹³ (truncation below 2⁻⁵⁷) evaluated by Estrin's scheme,
// times 2^k written into the exponent bits. k is rounded by adding 1.5·2⁵², which leaves k in the
// low bits of the sum. Within 2 ulp for x in [−708, 709]; beyond that range x is clamped (e^−708
// ≈ 3e−308 stands for anything smaller, e^709 ≈ 8e307 for anything larger); NaN stays NaN.
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42fee00000: 32 significant bits
const LN2_LO: f64 = 1.9082149292705877e-10;
const ROUND: f64 = 6755399441055744.0; // 1.5·2⁵²
@inline function fma2(a: v128, b: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(a, b), f64x2.splat(c));
}
@inline function expv(x: v128): v128 {
  x = f64x2.pmax(f64x2.pmin(x, f64x2.splat(709)), f64x2.splat(-708)); // pmin/pmax keep a NaN x
  const t = fma2(x, f64x2.splat(LOG2E), ROUND);
  const k = f64x2.sub(t, f64x2.splat(ROUND));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  // Σ rⁿ/n!, n = 0 … 13, in pairs, then pairs of pairs
  const q0 = fma2(r, f64x2.splat(1), 1);
  const q1 = fma2(r, f64x2.splat(1.0 / 6.0), 0.5);
  const q2 = fma2(r, f64x2.splat(1.0 / 120.0), 1.0 / 24.0);
  const q3 = fma2(r, f64x2.splat(1.0 / 5040.0), 1.0 / 720.0);
  const q4 = fma2(r, f64x2.splat(1.0 / 362880.0), 1.0 / 40320.0);
  const q5 = fma2(r, f64x2.splat(1.0 / 39916800.0), 1.0 / 3628800.0);
  const q6 = fma2(r, f64x2.splat(1.0 / 6227020800.0), 1.0 / 479001600.0);
  const s0 = f64x2.add(q0, f64x2.mul(q1, r2));
  const s1 = f64x2.add(q2, f64x2.mul(q3, r2));
  const s2 = f64x2.add(q4, f64x2.mul(q5, r2));
  const u0 = f64x2.add(s0, f64x2.mul(s1, r4));
  const u1 = f64x2.add(s2, f64x2.mul(q6, r4));
  const p = f64x2.add(u0, f64x2.mul(u1, r8));
  const scale = i64x2.add(i64x2.shl(t, 52), i64x2.splat(<i64>1023 << 52));
  return f64x2.mul(p, scale);
}
/** The same e^x for one value (lane 0 of the two-lane version, so both give the same bits). */
@inline function exp1(x: f64): f64 {
  return f64x2.extract_lane(expv(f64x2.splat(x)), 0);
}
/** e^x for every element of a row of n values at p, in place. */
function expRow(p: usize, n: i32): void {
  let j = 0;
  for (; j + 2 <= n; j += 2) v128.store(p + (<usize>j << 3), expv(v128.load(p + (<usize>j << 3))));
  if (j < n) store<f64>(p + (<usize>j << 3), exp1(load<f64>(p + (<usize>j << 3))));
}

// log, log1p and tanh for one value, the operations of src/nn/math.ts in the same order.
const SQRT2: f64 = 1.4142135623730951;
/** log x: x = 2^k·m, m in [√½, √2), log m = 2·atanh((m − 1)/(m + 1)) by its series to s²¹. */
function log1(x: f64): f64 {
  if (!(x > 0) || x == Infinity) return x == 0 ? -Infinity : x == Infinity ? x : NaN;
  let k: i32 = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984.0; // 2⁵⁴: subnormals become normal
    k = -54;
  }
  const b = reinterpret<u64>(x);
  const hi = <u32>(b >> 32);
  k += <i32>((hi >> 20) & 0x7ff) - 1023;
  let m = reinterpret<f64>((<u64>((hi & 0x000fffff) | 0x3ff00000) << 32) | (b & 0xffffffff));
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const p: f64 =
    1 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (1.0 / 13 + z * (1.0 / 15 + z * (1.0 / 17 + z * (1.0 / 19 + z * (1.0 / 21))))))))));
  const kf = <f64>k;
  return kf * LN2_HI + (2 * s * p + kf * LN2_LO);
}
/** log(1 + x) = log(w)·x / (w − 1) with w = 1 + x. */
function log1p1(x: f64): f64 {
  const w = 1 + x;
  if (w == 1) return x;
  if (w == Infinity) return w;
  return (log1(w) * x) / (w - 1);
}
/** 1/n! for n = 0 … 21 (the same literals as src/nn/math.ts). */
const INV_FACTORIAL: StaticArray<f64> = [
  1.0, 1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984, 0.0000248015873015873, 0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10, 1.1470745597729725e-11, 7.647163731819816e-13, 4.779477332387385e-14, 2.8114572543455206e-15, 1.5619206968586225e-16, 8.22063524662433e-18, 4.110317623312165e-19, 1.9572941063391263e-20
];
/** tanh x = e/(e + 2), e = e^(2|x|) − 1 (by its series below 0.625), sign restored; ±1 beyond 22. */
function tanh1(x: f64): f64 {
  if (x != x) return NaN;
  const a = x < 0 ? -x : x;
  let r: f64;
  if (a > 22) r = 1;
  else if (a >= 0.625) {
    const e = exp1(2 * a) - 1;
    r = e / (e + 2);
  } else {
    const y = 2 * a;
    let e = unchecked(INV_FACTORIAL[21]);
    for (let n = 20; n >= 1; n--) e = e * y + unchecked(INV_FACTORIAL[n]);
    e *= y;
    r = e / (e + 2);
  }
  return x < 0 ? -r : x == 0 ? x : r;
}

/** Exported for the tests: the kernel's log, log1p and tanh. */
export function log(x: f64): f64 {
  return log1(x);
}
export function log1p(x: f64): f64 {
  return log1p1(x);
}
export function tanh(x: f64): f64 {
  return tanh1(x);
}

/** Exported for the tests: e^x as the kernel computes it. */
export function exp(x: f64): f64 {
  return exp1(x);
}

/**
 * Z = In·W (+ b), then A = f(Z), for every row. Each z sums in_i·W[i][j] over i in order, then
 * adds b_j, as the reference does; eight columns at a time are held in four registers.
 */
function forward(d: usize, input: usize, rows: i32): void {
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
function activate(act: i32, Z: usize, A: usize, rows: i32, U: i32): void {
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
function sigmoidAll(Z: usize, A: usize, n: i32): void {
  const one = f64x2.splat(1);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = <usize>k << 3;
    v128.store(A + o, f64x2.div(one, f64x2.add(one, expv(f64x2.neg(v128.load(Z + o))))));
  }
  if (k < n) store<f64>(A + (<usize>k << 3), 1 / (1 + exp1(-load<f64>(Z + (<usize>k << 3)))));
}

/** softmax(z)_k = e^(z_k − max z) / Σ_j e^(z_j − max z), for one row of U values. */
function softmaxRow(z: usize, a: usize, U: i32): void {
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

/**
 * O_error = O_out − Y for every row; the loss's sum (C_SUM) and the rows classified right
 * (C_HITS_NOW) as the loss and metrics code compute them.
 */
function outputError(cfg: usize, top: usize, Y: usize, rows: i32): void {
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
function crossEntropySum(Z: usize, Y: usize, rows: i32, K: i32): f64 {
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
function binaryCrossEntropySum(Z: usize, Y: usize, n: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < n; k++) {
    const z = load<f64>(Z + (<usize>k << 3));
    sum += Math.max(z, 0) - load<f64>(Y + (<usize>k << 3)) * z + log1p1(exp1(-Math.abs(z)));
  }
  return sum;
}

/** The class of one row: 1 column: value ≥ 0.5; more: the first arg max. */
@inline function classOf(p: usize, cols: i32): i32 {
  if (cols == 1) return load<f64>(p) >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < cols; j++) if (load<f64>(p + (<usize>j << 3)) > load<f64>(p + (<usize>best << 3))) best = j;
  return best;
}

/** delta = error ⊙ f'(z) for every row (softmax: each row's Jacobian–vector product). */
function delta(d: usize, rows: i32): void {
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
function backward(d: usize, input: usize, below: usize, rows: i32, scale: f64): void {
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
function narrowGradients(dW: usize, D: usize, input: usize, i0: i32, count: i32, j0: i32, U: i32, rows: i32, I: i32, scale: f64): void {
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
function biasGradients(db: usize, D: usize, rows: i32, U: i32, scale: f64): void {
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

/** One optimizer step over all P parameters, as src/train/optimizers.ts does it. */
function step(cfg: usize, lr: f64, c1: f64, c2: f64): void {
  const P = i32At(cfg, C_PARAMS);
  const w = ptrAt(cfg, C_W);
  const g = ptrAt(cfg, C_G);
  const opt = i32At(cfg, C_OPT);
  if (opt == OPT_SGD) {
    // W := W − α · W_update
    for (let i = 0; i < P; i++) {
      const o = <usize>i << 3;
      store<f64>(w + o, load<f64>(w + o) - lr * load<f64>(g + o));
    }
    return;
  }
  const s0 = ptrAt(cfg, C_S0);
  const s1 = ptrAt(cfg, C_S1);
  const mu = f64At(cfg, C_MU);
  const rho = f64At(cfg, C_RHO);
  const beta1 = f64At(cfg, C_BETA1);
  const beta2 = f64At(cfg, C_BETA2);
  const eps = f64At(cfg, C_EPS);
  for (let i = 0; i < P; i++) {
    const o = <usize>i << 3;
    const gi = load<f64>(g + o);
    const wi = load<f64>(w + o);
    if (opt == OPT_MOMENTUM) {
      const v = mu * load<f64>(s0 + o) - lr * gi;
      store<f64>(s0 + o, v);
      store<f64>(w + o, wi + v);
    } else if (opt == OPT_NESTEROV) {
      const old = load<f64>(s0 + o);
      const v = mu * old - lr * gi;
      store<f64>(s0 + o, v);
      store<f64>(w + o, wi + (-mu * old + (1 + mu) * v));
    } else if (opt == OPT_RMSPROP) {
      const s = rho * load<f64>(s0 + o) + (1 - rho) * gi * gi;
      store<f64>(s0 + o, s);
      store<f64>(w + o, wi - (lr * gi) / (Math.sqrt(s) + eps));
    } else {
      const m = beta1 * load<f64>(s0 + o) + (1 - beta1) * gi;
      const v = beta2 * load<f64>(s1 + o) + (1 - beta2) * gi * gi;
      store<f64>(s0 + o, m);
      store<f64>(s1 + o, v);
      store<f64>(w + o, wi - (lr * (m / c1)) / (Math.sqrt(v / c2) + eps));
    }
  }
}

/** The pass over one batch of `rows` rows: forward, O_error, backward; returns its loss. */
function pass(cfg: usize, X: usize, Y: usize, rows: i32, scale: f64, factor: f64): f64 {
  const L = i32At(cfg, C_LAYERS);
  const desc = ptrAt(cfg, C_DESC);
  const top = desc + <usize>(L - 1) * DESC_BYTES;
  let input = X;
  for (let l = 0; l < L; l++) {
    const d = desc + <usize>l * DESC_BYTES;
    forward(d, input, rows);
    input = ptrAt(d, D_A);
  }
  outputError(cfg, top, Y, rows);
  for (let l = L - 1; l >= 0; l--) {
    const d = desc + <usize>l * DESC_BYTES;
    delta(d, rows);
    const below = l > 0 ? d - DESC_BYTES : 0;
    backward(d, l > 0 ? ptrAt(below, D_A) : X, below, rows, scale);
  }
  const sum = f64At(cfg, C_SUM);
  return i32At(cfg, C_LOSS) == LOSS_SQUARED ? factor * sum : sum / <f64>rows;
}

/** Copies rows order[start .. end) of src (width cols) into dst, as Matrix.gatherRows does. */
function gather(src: usize, cols: i32, order: usize, start: i32, end: i32, dst: usize): void {
  const bytes = <usize>cols << 3;
  for (let r = start; r < end; r++) {
    const from = src + <usize>load<i32>(order + (<usize>r << 2)) * bytes;
    const to = dst + <usize>(r - start) * bytes;
    for (let k = 0; k < cols; k++) store<f64>(to + (<usize>k << 3), load<f64>(from + (<usize>k << 3)));
  }
}

/**
 * One batch, the b-th of an epoch whose row order is at `order` (0: the data's order): the
 * pass, the finite check and, when the loss and gradients are finite, the optimizer's step with
 * Adam's constants of step `stepIndex` of this call. Returns 1 when they are not finite (no step),
 * else 0; the batch's loss is left at C_BATCH_LOSS and its hits at C_HITS_NOW.
 */
function batch(cfg: usize, order: usize, b: i32, stepIndex: i32, lr: f64): i32 {
  const n = i32At(cfg, C_ROWS);
  const bs = i32At(cfg, C_BATCH);
  const X = ptrAt(cfg, C_X);
  const Y = ptrAt(cfg, C_Y);
  const nin = i32At(ptrAt(cfg, C_DESC), D_IN);
  const K = i32At(cfg, C_OUTPUTS);
  const P = i32At(cfg, C_PARAMS);
  const G = ptrAt(cfg, C_G);
  const start = b * bs;
  const end = min(start + bs, n);
  const m = end - start;
  let x = X + ((<usize>start * nin) << 3);
  let y = Y + ((<usize>start * K) << 3);
  if (order) {
    x = ptrAt(cfg, C_BX);
    y = ptrAt(cfg, C_BY);
    gather(X, nin, order, start, end, x);
    gather(Y, K, order, start, end, y);
  }
  const full = m == bs;
  const loss = pass(cfg, x, y, m, f64At(cfg, full ? C_SCALE : C_SCALE_TAIL), f64At(cfg, full ? C_FACTOR : C_FACTOR_TAIL));
  // x·0 is 0 for every finite x and NaN otherwise
  let bad: f64 = 0;
  for (let i = 0; i < P; i++) bad += load<f64>(G + (<usize>i << 3)) * 0;
  if (!(bad == 0) || !isFinite(loss)) return 1;
  store<f64>(cfg + C_BATCH_LOSS, loss);
  const corr = ptrAt(cfg, C_CORR);
  if (corr) {
    const c = corr + <usize>stepIndex * 16;
    step(cfg, lr, load<f64>(c), load<f64>(c, 8));
  } else {
    step(cfg, lr, 1, 1);
  }
  return 0;
}

/**
 * The b-th batch alone, for fit's loop when JavaScript runs between batches: the row order at
 * C_ORDERS (0: unshuffled), the learning rate at C_SCHED and Adam's constants at C_CORR, first
 * entries. See batch().
 */
export function oneBatch(cfg: usize, b: i32): i32 {
  return batch(cfg, ptrAt(cfg, C_ORDERS), b, 0, load<f64>(ptrAt(cfg, C_SCHED)));
}

/**
 * One epoch: for each batch in the epoch's order, the pass, the checks and the step, as fit's
 * loop does. Returns 1 when a batch's loss or gradients are not finite (its step is not taken;
 * C_FAILED says which batch), 2 when the epoch loss reached the threshold (the steps are taken,
 * as in fit), 0 otherwise. A function of its own so that the engine's optimised code for it is
 * used from the next epoch on.
 */
function epoch(cfg: usize, ep: i32): i32 {
  const n = i32At(cfg, C_ROWS);
  const bs = i32At(cfg, C_BATCH);
  const orders = ptrAt(cfg, C_ORDERS);
  const order = orders ? orders + ((<usize>ep * n) << 2) : 0;
  const mean = i32At(cfg, C_MEAN);
  const lr = load<f64>(ptrAt(cfg, C_SCHED) + (<usize>ep << 3));
  const batches = (n + bs - 1) / bs;
  let total: f64 = 0;
  let hits = 0;
  for (let b = 0; b < batches; b++) {
    if (batch(cfg, order, b, ep * batches + b, lr)) {
      store<i32>(cfg + C_FAILED, b);
      return 1;
    }
    const m = min(bs, n - b * bs);
    const loss = f64At(cfg, C_BATCH_LOSS);
    hits += i32At(cfg, C_HITS_NOW);
    total += mean ? loss * <f64>m : loss;
  }
  // the epoch's loss and accuracy as fit records them
  const epochLoss = mean ? total / <f64>n : total;
  store<f64>(ptrAt(cfg, C_LOSSES) + (<usize>ep << 3), epochLoss);
  store<f64>(ptrAt(cfg, C_ACCURACY) + (<usize>ep << 3), <f64>hits / <f64>n);
  return epochLoss <= f64At(cfg, C_THRESHOLD) ? 2 : 0;
}

/**
 * Trains for up to C_EPOCHS epochs and returns how many were completed. Stops early when a
 * batch's gradients or loss stop being finite (status 1; that batch's step is not taken) or
 * when the epoch loss reaches the threshold (status 2; the epoch's steps are taken).
 */
export function train(cfg: usize): i32 {
  const epochs = i32At(cfg, C_EPOCHS);
  store<i32>(cfg + C_STATUS, 0);
  for (let ep = 0; ep < epochs; ep++) {
    const status = epoch(cfg, ep);
    if (status == 1) {
      store<i32>(cfg + C_STATUS, 1);
      return ep;
    }
    if (status == 2) {
      store<i32>(cfg + C_STATUS, 2);
      return ep + 1;
    }
  }
  return epochs;
}

/** Where the caller's buffers may start: the module's own constant tables lie below. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
