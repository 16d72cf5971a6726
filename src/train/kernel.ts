import { isAllocationFailure } from '../nn/limits.js';
import { warnOnce } from '../warnings.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { builtinState, type Optimizer } from './optimizers.js';
import { KERNEL64_WASM } from './kernel-wasm.js';
import { powi } from '../nn/math.js';

/**
 * The float64 training kernel: fit's epochs run by the WebAssembly of assembly/float64.ts, many
 * epochs per call, batch by batch in the order fit would take the rows. A network like the
 * slides' 2-2-1 XOR spends far more time on per-call overhead and JIT warm-up than on arithmetic;
 * the kernel pays neither, and on larger networks its register-blocked SIMD loops run several
 * times faster than the JavaScript matrix kernels. fit uses it when nothing has to run between
 * epochs (see fit.ts); it computes what the reference path computes, in the same order
 * (test/kernel.test.ts).
 */

/** The kernel's memory is kept under this; a run needing more uses the matrix kernels. */
export const KERNEL_MAX_BYTES = 256 * 2 ** 20;
/** fit uses the kernel for runs of at least this many steps (setting it up costs tens of microseconds). */
export const KERNEL_MIN_STEPS = 32;
/** Epochs per call at most. */
export const KERNEL_CHUNK = 4096;
/** Bytes of row orders (shuffled mini-batches: one per epoch) and of Adam's per-step constants per call at most. */
const PER_CALL_BYTES = 4 * 2 ** 20;

const ACT: Record<string, number> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, 'leaky-relu': 4, softmax: 5 };
const OPT: Record<string, number> = { sgd: 0, momentum: 1, nesterov: 2, rmsprop: 3, adam: 4 };
const SLOTS: Record<string, number> = { sgd: 0, momentum: 1, nesterov: 1, rmsprop: 1, adam: 2 };

// The configuration block of assembly/layout64.ts: byte offsets.
const C = {
  layers: 0, rows: 4, epochs: 8, opt: 12, loss: 16, classify: 20, x: 24, y: 28, sched: 32, losses: 36, accuracy: 40,
  params: 44, w: 48, g: 52, s0: 56, s1: 60, desc: 64, mean: 68, status: 72, batch: 80, orders: 84, bx: 88, by: 92,
  failed: 96, outputs: 100, corr: 104,
  factor: 128, scale: 136, threshold: 144, mu: 152, rho: 160, beta1: 168, beta2: 176, eps: 184, scaleTail: 200, factorTail: 208, batchLoss: 216, hitsNow: 76,
} as const;
const CFG_BYTES = 256;
const DESC_BYTES = 64;

interface KernelModule {
  module: WebAssembly.Module;
  /** The first byte above the module's own constant tables. */
  base: number;
  /** The kernel's own exp, log, log1p and tanh (for the tests). */
  math: KernelMath;
}

/** The elementary functions as the kernel computes them. */
export interface KernelMath {
  exp(x: number): number;
  log(x: number): number;
  log1p(x: number): number;
  tanh(x: number): number;
}
let compiled: KernelModule | null | undefined;

const abort = () => {
  throw new Error('float64 training kernel: abort');
};

function kernelBytes(): Uint8Array {
  const text = atob(KERNEL64_WASM);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function ready(module: WebAssembly.Module): KernelModule {
  const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }), abort } });
  const probed = probe.exports as unknown as KernelMath & { heapBase(): number };
  return { module, base: probed.heapBase(), math: { exp: probed.exp, log: probed.log, log1p: probed.log1p, tanh: probed.tanh } };
}

// The module compiles in the background as soon as the library loads; a fit that comes first
// compiles it there and then.
if (typeof WebAssembly === 'object' && typeof WebAssembly.compile === 'function') {
  try {
    WebAssembly.compile(kernelBytes() as BufferSource).then(
      (module) => {
        try {
          compiled ??= ready(module);
        } catch {
          compiled ??= null;
        }
      },
      () => void (compiled ??= null),
    );
  } catch {
    compiled = null;
  }
}

function kernelModule(): KernelModule | null {
  if (compiled === undefined) {
    try {
      compiled = ready(new WebAssembly.Module(kernelBytes() as BufferSource));
    } catch {
      compiled = null; // no WebAssembly or no SIMD: fit uses the other paths
    }
  }
  return compiled;
}

/** The kernel's exp, log, log1p and tanh (for the tests), or null where WebAssembly SIMD is unavailable. */
export function kernelMath(): KernelMath | null {
  return kernelModule()?.math ?? null;
}

export interface KernelOptions {
  /** Rows per batch (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Whether run() takes a row order per epoch (shuffled mini-batches). */
  shuffled: boolean;
  /** Count the rows classified right (targets are classes). */
  classify: boolean;
  /** Stop once an epoch's loss is at or below this. */
  threshold?: number;
}

/** What one call of the kernel did. */
export interface KernelRun {
  /** Epochs completed in this call. */
  epochs: number;
  /** 'diverged': a batch of the next epoch had a loss or gradients that were not finite (its step was not taken). */
  status: 'ran' | 'diverged' | 'threshold';
  /** With 'diverged', the batch (1-based) that failed. */
  batch: number;
  /**
   * Per completed epoch, as fit records them: the epoch's loss and the fraction of rows classified
   * right. Views into the kernel's memory, valid until the next run.
   */
  losses: Float64Array;
  accuracy: Float64Array;
}

/** Thrown by the constructor when the layout needs more than KERNEL_MAX_BYTES. */
const TOO_LARGE = Symbol('more memory than KERNEL_MAX_BYTES');

/** A network, its data and its optimizer laid out in one kernel instance's memory. */
export class Float64Kernel {
  /** Epochs one call of run() takes at most. */
  readonly maxEpochs: number;
  private readonly net: Network;
  private readonly opt: Optimizer;
  private readonly mem: WebAssembly.Memory;
  private readonly train: (cfg: number) => number;
  private readonly oneBatch: (cfg: number, b: number) => number;
  private readonly cfg: number;
  private readonly at: { w: number; g: number; s0: number; s1: number; sched: number; corr: number; losses: number; accuracy: number; orders: number };
  private readonly slots: number;
  private readonly rows: number;
  private readonly batches: number;
  /** The optimizer's step count. */
  private t = 0;

  /**
   * The kernel for training `net` on (X, Y) with `opt`, or undefined when this run does not fit
   * it: float32 weights, an optimizer that is not one of the built-in ones, more memory than
   * KERNEL_MAX_BYTES, or no WebAssembly SIMD.
   */
  static create(net: Network, opt: Optimizer, X: Matrix, Y: Matrix, options: KernelOptions): Float64Kernel | undefined {
    if (net.dtype !== 'float64' || X.rows < 1 || !(options.batchSize >= 1) || !builtinState(opt, net.params())) return undefined;
    if (net.layers.some((l) => !(l.activation.name in ACT))) return undefined;
    const mod = kernelModule();
    if (!mod) return undefined;
    try {
      return new Float64Kernel(net, opt, mod, X, Y, options);
    } catch (e) {
      if (e === TOO_LARGE) return undefined;
      if (isAllocationFailure(e)) return void warnOnce(`the float64 kernel could not allocate its memory (${e.message}): training goes on in the plain engine, slower`);
      throw e;
    }
  }

  private constructor(net: Network, opt: Optimizer, mod: KernelModule, X: Matrix, Y: Matrix, options: KernelOptions) {
    this.net = net;
    this.opt = opt;
    const n = X.rows;
    const K = Y.cols;
    const bs = Math.min(options.batchSize, n);
    const params = net.params();
    const P = params.reduce((s, p) => s + p.value.length, 0);
    this.slots = SLOTS[opt.spec.name];
    this.rows = n;
    this.batches = Math.ceil(n / bs);
    const adam = opt.spec.name === 'adam';
    const perEpoch = (options.shuffled ? 4 * n : 0) + (adam ? 16 * this.batches : 0);
    this.maxEpochs = Math.max(1, Math.min(KERNEL_CHUNK, Math.floor(PER_CALL_BYTES / Math.max(1, perEpoch))));
    const L = net.layers.length;

    // layout, above the module's own tables:
    // cfg | descriptors | W | G | S0 | S1 | per layer z, a, error, delta | X | Y | batch X, Y | rates | Adam's constants | losses | accuracy | orders
    const cfg = mod.base;
    let top = cfg + CFG_BYTES + L * DESC_BYTES;
    const take = (bytes: number) => {
      const p = top;
      top += (bytes + 15) & ~15;
      return p;
    };
    const w = take(P * 8);
    const g = take(P * 8);
    const s0 = take(this.slots >= 1 ? P * 8 : 0);
    const s1 = take(this.slots >= 2 ? P * 8 : 0);
    const layerBufs = net.layers.map((l) => [0, 1, 2, 3].map(() => take(bs * l.units * 8)));
    const x = take(X.data.length * 8);
    const y = take(Y.data.length * 8);
    const bx = take(options.shuffled ? bs * X.cols * 8 : 0);
    const by = take(options.shuffled ? bs * K * 8 : 0);
    const sched = take(this.maxEpochs * 8);
    const corr = take(adam ? this.maxEpochs * this.batches * 16 : 0);
    const losses = take(this.maxEpochs * 8);
    const accuracy = take(this.maxEpochs * 8);
    const orders = take(options.shuffled ? this.maxEpochs * n * 4 : 0);
    this.cfg = cfg;
    this.at = { w, g, s0, s1, sched, corr: adam ? corr : 0, losses, accuracy, orders: options.shuffled ? orders : 0 };
    if (top > KERNEL_MAX_BYTES) throw TOO_LARGE; // create() declines the run
    this.mem = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) });
    const instance = new WebAssembly.Instance(mod.module, { env: { memory: this.mem, abort } });
    const exports = instance.exports as unknown as { train(cfg: number): number; oneBatch(cfg: number, b: number): number };
    this.train = exports.train;
    this.oneBatch = exports.oneBatch;

    const f64 = new Float64Array(this.mem.buffer);
    const i32 = new Int32Array(this.mem.buffer);
    const seti = (off: number, v: number) => (i32[(cfg + off) >> 2] = v);
    const setf = (off: number, v: number) => (f64[(cfg + off) >> 3] = v);
    const loss = net.loss;
    const ints: [number, number][] = [
      [C.layers, L], [C.rows, n], [C.opt, OPT[opt.spec.name]],
      [C.loss, loss.fusedWith === 'softmax' ? 1 : loss.fusedWith === 'sigmoid' ? 2 : 0],
      [C.classify, options.classify ? (K === 1 ? 1 : 2) : 0],
      [C.x, x], [C.y, y], [C.sched, sched], [C.losses, losses], [C.accuracy, accuracy], [C.params, P],
      [C.w, w], [C.g, g], [C.s0, s0], [C.s1, s1], [C.desc, cfg + CFG_BYTES], [C.mean, loss.mean ? 1 : 0],
      [C.batch, bs], [C.orders, this.at.orders], [C.bx, bx], [C.by, by], [C.outputs, K], [C.corr, this.at.corr],
    ];
    ints.forEach(([off, v]) => seti(off, v));
    // every squared error's gradient constant is twice its factor: L = factor · Σ(O_out − Y)²
    const scale = loss.scale(bs, K);
    const scaleTail = loss.scale(n % bs || bs, K);
    const s = opt.spec;
    const floats: [number, number][] = [
      [C.scale, scale], [C.factor, scale / 2], [C.scaleTail, scaleTail], [C.factorTail, scaleTail / 2],
      [C.threshold, options.threshold ?? NaN],
      [C.mu, s.momentum], [C.rho, s.rho], [C.beta1, s.beta1], [C.beta2, s.beta2], [C.eps, s.epsilon],
    ];
    floats.forEach(([off, v]) => setf(off, v));

    // layer descriptors: sizes, activation, bias, fused output delta, then the buffers' addresses
    let off = 0;
    const offsets = params.map((p) => ((off += p.value.length), off - p.value.length));
    let p = 0;
    net.layers.forEach((layer, l) => {
      const wOff = offsets[p++];
      const bOff = layer.useBias ? offsets[p++] : 0;
      const fields = [
        layer.inputs, layer.units, ACT[layer.activation.name], layer.useBias ? 1 : 0,
        l === L - 1 && loss.fusedWith === layer.activation.name ? 1 : 0,
        w + wOff * 8, w + bOff * 8, g + wOff * 8, g + bOff * 8, ...layerBufs[l],
      ];
      fields.forEach((v, k) => seti(CFG_BYTES + l * DESC_BYTES + 4 * k, v));
    });
    f64.set(X.data, x >> 3);
    f64.set(Y.data, y >> 3);
    this.load();
  }

  /** Copies the network's weights and the optimizer's state into the kernel. */
  load(): void {
    const f64 = new Float64Array(this.mem.buffer);
    const params = this.net.params();
    const state = builtinState(this.opt, params)!;
    this.t = state.steps;
    let off = 0;
    params.forEach((p, i) => {
      f64.set(p.value, (this.at.w >> 3) + off);
      if (this.slots >= 1) f64.set(state.slots[i][0], (this.at.s0 >> 3) + off);
      if (this.slots >= 2) f64.set(state.slots[i][1], (this.at.s1 >> 3) + off);
      off += p.value.length;
    });
  }

  /** Writes weights, gradients and optimizer state back where the last step left them. */
  save(): void {
    const f64 = new Float64Array(this.mem.buffer);
    const params = this.net.params();
    const state = builtinState(this.opt, params)!;
    const view = (base: number, off: number, len: number) => f64.subarray((base >> 3) + off, (base >> 3) + off + len);
    let off = 0;
    params.forEach((p, i) => {
      const len = p.value.length;
      p.value.set(view(this.at.w, off, len));
      p.grad.set(view(this.at.g, off, len));
      if (this.slots >= 1) state.slots[i][0].set(view(this.at.s0, off, len));
      if (this.slots >= 2) state.slots[i][1].set(view(this.at.s1, off, len));
      off += len;
    });
    state.setSteps(this.t);
  }

  /** The row order of the epoch that batch() steps through (shuffled batches). */
  setOrder(order: Int32Array): void {
    new Int32Array(this.mem.buffer).set(order, this.at.orders >> 2);
  }

  /**
   * One step on the b-th batch (0-based) of the epoch, at learning rate lr, on the weights the
   * kernel holds. Returns the batch's loss and the rows classified right, or undefined when the
   * loss or a gradient is not finite (no step is taken).
   */
  batch(lr: number, b: number): { loss: number; hits: number } | undefined {
    const f64 = new Float64Array(this.mem.buffer);
    const i32 = new Int32Array(this.mem.buffer);
    f64[this.at.sched >> 3] = lr;
    if (this.at.corr) {
      const { beta1, beta2 } = this.opt.spec;
      f64[this.at.corr >> 3] = 1 - powi(beta1, this.t + 1);
      f64[(this.at.corr >> 3) + 1] = 1 - powi(beta2, this.t + 1);
    }
    if (this.oneBatch(this.cfg, b) !== 0) return undefined;
    this.t++;
    return { loss: f64[(this.cfg + C.batchLoss) >> 3], hits: i32[(this.cfg + C.hitsNow) >> 2] };
  }

  /**
   * Runs `lrs.length` epochs (at most maxEpochs), the k-th at learning rate lrs[k], on the weights
   * the kernel holds; save() hands them back to the network. With shuffled batches, `orders`
   * holds each epoch's row order, one after the other.
   */
  run(lrs: Float64Array, orders?: Int32Array): KernelRun {
    const E = Math.min(lrs.length, this.maxEpochs);
    const f64 = new Float64Array(this.mem.buffer);
    const i32 = new Int32Array(this.mem.buffer);
    if (this.at.orders) i32.set(orders!.subarray(0, E * this.rows), this.at.orders >> 2);
    f64.set(lrs.subarray(0, E), this.at.sched >> 3);
    if (this.at.corr) {
      // Adam's bias corrections for each step of the call, as the optimizer computes them
      const { beta1, beta2 } = this.opt.spec;
      const base = this.at.corr >> 3;
      for (let k = 0; k < E * this.batches; k++) {
        f64[base + 2 * k] = 1 - powi(beta1, this.t + k + 1);
        f64[base + 2 * k + 1] = 1 - powi(beta2, this.t + k + 1);
      }
    }
    i32[(this.cfg + C.epochs) >> 2] = E;
    const done = this.train(this.cfg);
    const status = i32[(this.cfg + C.status) >> 2];
    const failed = i32[(this.cfg + C.failed) >> 2];
    this.t += done * this.batches + (status === 1 ? failed : 0);
    return {
      epochs: done,
      status: status === 1 ? 'diverged' : status === 2 ? 'threshold' : 'ran',
      batch: failed + 1,
      losses: f64.subarray(this.at.losses >> 3, (this.at.losses >> 3) + done),
      accuracy: f64.subarray(this.at.accuracy >> 3, (this.at.accuracy >> 3) + done),
    };
  }
}
