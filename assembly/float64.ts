// The float64 training kernel (AssemblyScript): the WebAssembly engine of src/engine/wasm64.ts.
//
// One call trains a network for a run of epochs: for each batch of each epoch (in the order the
// trainer takes the rows), layer by layer over the batch (layers64.ts, output64.ts), the forward
// pass, O_error, the deltas, the errors handed back and the weight and bias gradients, then the
// loss, the accuracy count, the finite check and the optimizer's step. Every element is computed
// by the operations of Dense.forward/delta/gradients/backError and of the optimizers, in the same
// order (sums over the same terms in the same order; SIMD lanes hold different elements), and
// exp, log and tanh are those of src/nn/math.ts (math64.ts), so the bits are the reference's.
// Nothing is allocated: the caller lays out every buffer in this module's memory and describes
// it in a configuration block (layout64.ts).


import {
  C_LAYERS, C_ROWS, C_EPOCHS, C_OPT, C_LOSS, C_X, C_Y, C_SCHED, C_LOSSES, C_ACCURACY, C_PARAMS,
  C_W, C_G, C_S0, C_S1, C_DESC, C_MEAN, C_STATUS, C_HITS_NOW, C_BATCH, C_ORDERS, C_BX, C_BY,
  C_FAILED, C_OUTPUTS, C_CORR, C_FACTOR, C_SCALE, C_THRESHOLD, C_MU, C_RHO, C_BETA1, C_BETA2,
  C_EPS, C_SUM, C_SCALE_TAIL, C_FACTOR_TAIL, C_BATCH_LOSS, C_L1, C_L2, D_IN, D_UNITS, D_A, D_W, D_DW,
  DESC_BYTES, LOSS_SQUARED,
  OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_RMSPROP, i32At, ptrAt, f64At,
} from './layout64';
import { backward, delta, forward } from './layers64';
import { outputError } from './output64';
// the kernel's elementary functions, exported for the tests
export { exp, log, log1p, tanh } from './math64';

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

/**
 * The forward pass alone over `rows` rows at X: each layer's z and a, H_in = X·W1, H_out =
 * f(H_in), … The training pass starts with it; predictions and evaluation call it by itself.
 */
export function forwardRows(cfg: usize, X: usize, rows: i32): void {
  const L = i32At(cfg, C_LAYERS);
  const desc = ptrAt(cfg, C_DESC);
  let input = X;
  for (let l = 0; l < L; l++) {
    const d = desc + <usize>l * DESC_BYTES;
    forward(d, input, rows);
    input = ptrAt(d, D_A);
  }
}

/** The pass over one batch of `rows` rows: forward, O_error, backward; returns its loss. */
function pass(cfg: usize, X: usize, Y: usize, rows: i32, scale: f64, factor: f64): f64 {
  const L = i32At(cfg, C_LAYERS);
  const desc = ptrAt(cfg, C_DESC);
  const top = desc + <usize>(L - 1) * DESC_BYTES;
  forwardRows(cfg, X, rows);
  outputError(cfg, top, Y, rows);
  for (let l = L - 1; l >= 0; l--) {
    const d = desc + <usize>l * DESC_BYTES;
    delta(d, rows);
    const below = l > 0 ? d - DESC_BYTES : 0;
    backward(d, l > 0 ? ptrAt(below, D_A) : X, below, rows, scale);
  }
  const sum = f64At(cfg, C_SUM);
  const loss = i32At(cfg, C_LOSS) == LOSS_SQUARED ? factor * sum : sum / <f64>rows;
  const l1 = f64At(cfg, C_L1);
  const l2 = f64At(cfg, C_L2);
  return l1 != 0 || l2 != 0 ? loss + penalise(desc, L, l1, l2) : loss;
}

/**
 * Regularisation, as src/nn/penalty.ts's addPenalty: over every layer's W in order (not the
 * biases), sq += w·w, ab += |w|, W_update += l2·w + l1·sign(w); returns 0.5·l2·sq + l1·ab.
 */
function penalise(desc: usize, L: i32, l1: f64, l2: f64): f64 {
  let sq: f64 = 0;
  let ab: f64 = 0;
  for (let l = 0; l < L; l++) {
    const d = desc + <usize>l * DESC_BYTES;
    const n = i32At(d, D_IN) * i32At(d, D_UNITS);
    const w = ptrAt(d, D_W);
    const g = ptrAt(d, D_DW);
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 3;
      const x = load<f64>(w + o);
      sq += x * x;
      ab += Math.abs(x);
      const s: f64 = x > 0 ? 1 : x < 0 ? -1 : 0;
      store<f64>(g + o, load<f64>(g + o) + (l2 * x + l1 * s));
    }
  }
  return 0.5 * l2 * sq + l1 * ab;
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
  const start = b * bs;
  const end = min(start + bs, n);
  let x = X + ((<usize>start * nin) << 3);
  let y = Y + ((<usize>start * K) << 3);
  if (order) {
    x = ptrAt(cfg, C_BX);
    y = ptrAt(cfg, C_BY);
    gather(X, nin, order, start, end, x);
    gather(Y, K, order, start, end, y);
  }
  return batchRows(cfg, x, y, end - start, stepIndex, lr);
}

/** The pass over the m rows at x (targets at y), the finite check and the step: see batch(). */
function batchRows(cfg: usize, x: usize, y: usize, m: i32, stepIndex: i32, lr: f64): i32 {
  const P = i32At(cfg, C_PARAMS);
  const G = ptrAt(cfg, C_G);
  const full = m == i32At(cfg, C_BATCH);
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
 * One batch of `rows` rows the caller has put in the batch buffers (C_BX, C_BY): the data stay
 * outside this memory (large data sets), and the caller gathers each batch's rows. As oneBatch.
 */
export function givenBatch(cfg: usize, rows: i32): i32 {
  return batchRows(cfg, ptrAt(cfg, C_BX), ptrAt(cfg, C_BY), rows, 0, load<f64>(ptrAt(cfg, C_SCHED)));
}

/**
 * The b-th batch alone, for the trainer's step() (JavaScript runs between batches): the row order at
 * C_ORDERS (0: unshuffled), the learning rate at C_SCHED and Adam's constants at C_CORR, first
 * entries. See batch().
 */
export function oneBatch(cfg: usize, b: i32): i32 {
  return batch(cfg, ptrAt(cfg, C_ORDERS), b, 0, load<f64>(ptrAt(cfg, C_SCHED)));
}

/**
 * One epoch: for each batch in the epoch's order, the pass, the checks and the step, as the
 * trainer's steps do. Returns 1 when a batch's loss or gradients are not finite (its step is not taken;
 * C_FAILED says which batch, and the epoch's loss and accuracy slots hold its sums so far), 2 when the epoch loss reached the threshold (the steps are taken,
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
      // the epoch's sums so far, in its loss and accuracy slots: where a trainer stands after the batches taken
      store<f64>(ptrAt(cfg, C_LOSSES) + (<usize>ep << 3), total);
      store<f64>(ptrAt(cfg, C_ACCURACY) + (<usize>ep << 3), <f64>hits);
      return 1;
    }
    const m = min(bs, n - b * bs);
    const loss = f64At(cfg, C_BATCH_LOSS);
    hits += i32At(cfg, C_HITS_NOW);
    total += mean ? loss * <f64>m : loss;
  }
  // the epoch's loss and accuracy as the trainer records them
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
