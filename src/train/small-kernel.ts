import type { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { isBuiltin, type Optimizer } from './optimizers.js';
import { SMALL_WASM } from './small-wasm-bytes.js';

/**
 * The small-network path: full-batch training of a small float64 network run by the
 * WebAssembly kernel of assembly/small.ts, many epochs per call. A network like the slides'
 * 2-2-1 XOR spends far more time on per-call overhead and JIT warm-up than on arithmetic; the
 * kernel pays neither. fit uses it when nothing has to run between epochs (see fit.ts); it
 * computes what the reference path computes, in the same order (test/small-kernel.test.ts).
 */

/** Networks with more weights than this train on the matrix kernels. */
export const SMALL_MAX_WEIGHTS = 4096;
/** Epochs per call at most: bounds the per-epoch buffers (40 bytes an epoch). */
export const KERNEL_CHUNK = 4096;
const CHUNK = KERNEL_CHUNK;

const ACT: Record<string, number> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, 'leaky-relu': 4, softmax: 5 };
const OPT: Record<string, number> = { sgd: 0, momentum: 1, nesterov: 2, rmsprop: 3, adam: 4 };
const SLOTS: Record<string, number> = { sgd: 0, momentum: 1, nesterov: 1, rmsprop: 1, adam: 2 };

// The configuration block of assembly/small.ts: byte offsets.
const C = {
  layers: 0, rows: 4, epochs: 8, opt: 12, loss: 16, classify: 20, x: 24, y: 28, sched: 32, losses: 36, accuracy: 40,
  params: 44, w: 48, g: 52, s0: 56, s1: 60, desc: 64, mean: 68, status: 72,
  factor: 128, scale: 136, threshold: 144, mu: 152, rho: 160, beta1: 168, beta2: 176, eps: 184,
} as const;
const CFG_BYTES = 256;
const DESC_BYTES = 64;

/** The compiled module, and the first byte above its own constant tables. */
let compiled: { module: WebAssembly.Module; base: number; exp(x: number): number } | null | undefined;

const abort = () => {
  throw new Error('small-network kernel: abort');
};

function kernelModule(): { module: WebAssembly.Module; base: number; exp(x: number): number } | null {
  if (compiled === undefined) {
    try {
      const text = atob(SMALL_WASM);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      const module = new WebAssembly.Module(bytes);
      const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }), abort } });
      const probed = probe.exports as unknown as { heapBase(): number; exp(x: number): number };
      compiled = { module, base: probed.heapBase(), exp: probed.exp };
    } catch {
      compiled = null; // no WebAssembly or no SIMD: fit uses the other paths
    }
  }
  return compiled;
}

/** e^x as the kernel computes it (for the tests; NaN where WebAssembly SIMD is unavailable). */
export function kernelExp(x: number): number {
  return kernelModule()?.exp(x) ?? NaN;
}

/** What one call of the kernel did. */
export interface KernelRun {
  /** Epochs completed in this call. */
  epochs: number;
  /** 'diverged': the next epoch's loss or gradients were not finite (its step was not taken). */
  status: 'ran' | 'diverged' | 'threshold';
  /**
   * Per completed epoch, as fit records them: the epoch's loss and the fraction of rows classified
   * right, both measured before the epoch's step. Views into the kernel's memory, valid until the next run.
   */
  losses: Float64Array;
  accuracy: Float64Array;
}

/** A network, its data and its optimizer laid out in one kernel instance's memory. */
export class SmallKernel {
  private readonly net: Network;
  private readonly opt: Optimizer;
  private readonly mem: WebAssembly.Memory;
  private readonly train: (cfg: number) => number;
  private readonly at: { w: number; g: number; s0: number; s1: number; sched: number; losses: number; accuracy: number };
  private readonly sizes: number[];
  private readonly slots: number;
  private readonly cfg: number;
  /** The optimizer's step count. */
  private t = 0;

  /**
   * The kernel for training `net` on all of (X, Y) at once with `opt`, or undefined when this
   * run does not fit it: float32 weights, a network above SMALL_MAX_WEIGHTS, an optimizer that
   * is not one of the built-in ones, or no WebAssembly SIMD.
   */
  static create(net: Network, opt: Optimizer, X: Matrix, Y: Matrix, options: { classify: boolean; threshold?: number }): SmallKernel | undefined {
    if (net.dtype !== 'float64' || !isBuiltin(opt)) return undefined;
    const weights = net.layers.reduce((s, l) => s + l.inputs * l.units, 0);
    if (weights > SMALL_MAX_WEIGHTS) return undefined;
    if (net.layers.some((l) => !(l.activation.name in ACT))) return undefined;
    const mod = kernelModule();
    if (!mod) return undefined;
    return new SmallKernel(net, opt, mod, X, Y, options);
  }

  private constructor(net: Network, opt: Optimizer, mod: { module: WebAssembly.Module; base: number }, X: Matrix, Y: Matrix, options: { classify: boolean; threshold?: number }) {
    this.net = net;
    this.opt = opt;
    const params = net.params();
    this.sizes = params.map((p) => p.value.length);
    const P = this.sizes.reduce((s, n) => s + n, 0);
    this.slots = SLOTS[opt.spec.name];
    const L = net.layers.length;

    // layout, above the module's own tables: cfg | descriptors | W | G | S0 | S1 | row buffers | X | Y | sched | losses | accuracy
    const cfg = mod.base;
    this.cfg = cfg;
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
    const layerBufs = net.layers.map((l) => [0, 1, 2, 3].map(() => take(X.rows * l.units * 8)));
    const x = take(X.data.length * 8);
    const y = take(Y.data.length * 8);
    const sched = take(CHUNK * 24);
    const losses = take(CHUNK * 8);
    const accuracy = take(CHUNK * 8);
    this.mem = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) });
    const instance = new WebAssembly.Instance(mod.module, { env: { memory: this.mem, abort } });
    this.train = (instance.exports as unknown as { train(cfg: number): number }).train;
    this.at = { w, g, s0, s1, sched, losses, accuracy };

    const buf = this.mem.buffer;
    const i32 = new Int32Array(buf);
    const f64 = new Float64Array(buf);
    const seti = (off: number, v: number) => (i32[(cfg + off) >> 2] = v);
    const setf = (off: number, v: number) => (f64[(cfg + off) >> 3] = v);
    const loss = net.loss;
    const n = X.rows;
    const K = Y.cols;
    seti(C.layers, L);
    seti(C.rows, n);
    seti(C.opt, OPT[opt.spec.name]);
    seti(C.loss, loss.fusedWith === 'softmax' ? 1 : loss.fusedWith === 'sigmoid' ? 2 : 0);
    seti(C.classify, options.classify ? (K === 1 ? 1 : 2) : 0);
    seti(C.x, x);
    seti(C.y, y);
    seti(C.sched, sched);
    seti(C.losses, losses);
    seti(C.accuracy, accuracy);
    seti(C.params, P);
    seti(C.w, w);
    seti(C.g, g);
    seti(C.s0, s0);
    seti(C.s1, s1);
    seti(C.desc, cfg + CFG_BYTES);
    seti(C.mean, loss.mean ? 1 : 0);
    const scale = loss.scale(n, net.outputs);
    setf(C.factor, scale / 2); // every squared error's gradient constant is twice its factor
    setf(C.scale, scale);
    setf(C.threshold, options.threshold ?? NaN);
    const s = opt.spec;
    setf(C.mu, s.momentum);
    setf(C.rho, s.rho);
    setf(C.beta1, s.beta1);
    setf(C.beta2, s.beta2);
    setf(C.eps, s.epsilon);

    let off = 0;
    const offsets = this.sizes.map((len) => ((off += len), off - len));
    let p = 0;
    net.layers.forEach((layer, l) => {
      const d = CFG_BYTES + l * DESC_BYTES; // relative to cfg, as seti takes it
      const wOff = offsets[p++];
      const bOff = layer.useBias ? offsets[p++] : 0;
      const [z, a, e, dd] = layerBufs[l];
      const fields = [
        layer.inputs, layer.units, ACT[layer.activation.name], layer.useBias ? 1 : 0,
        l === L - 1 && loss.fusedWith === layer.activation.name ? 1 : 0,
        w + wOff * 8, w + bOff * 8, g + wOff * 8, g + bOff * 8, z, a, e, dd,
      ];
      fields.forEach((v, k) => seti(d + 4 * k, v));
    });
    f64.set(X.data, x >> 3);
    f64.set(Y.data, y >> 3);
    this.load();
  }

  /** Copies the network's weights and the optimizer's state into the kernel. */
  private load(): void {
    const f64 = new Float64Array(this.mem.buffer);
    const state = this.opt.getState();
    this.t = state.t;
    let off = 0;
    this.net.params().forEach((p, i) => {
      f64.set(p.value, (this.at.w >> 3) + off);
      for (let k = 0; k < this.slots; k++) {
        const base = (k === 0 ? this.at.s0 : this.at.s1) >> 3;
        const slot = state.slots[i]?.[k];
        if (slot && slot.length === p.value.length) f64.set(slot, base + off);
        else f64.fill(0, base + off, base + off + p.value.length);
      }
      off += p.value.length;
    });
  }

  /** Writes weights, gradients and optimizer state back where the last completed epoch left them. */
  save(): void {
    const f64 = new Float64Array(this.mem.buffer);
    let off = 0;
    const slots: number[][][] = [];
    this.net.params().forEach((p) => {
      const len = p.value.length;
      p.value.set(f64.subarray((this.at.w >> 3) + off, (this.at.w >> 3) + off + len));
      p.grad.set(f64.subarray((this.at.g >> 3) + off, (this.at.g >> 3) + off + len));
      const mine: number[][] = [];
      for (let k = 0; k < this.slots; k++) {
        const base = (k === 0 ? this.at.s0 : this.at.s1) >> 3;
        mine.push(Array.from(f64.subarray(base + off, base + off + len)));
      }
      slots.push(mine);
      off += len;
    });
    this.opt.setState({ t: this.t, slots });
  }

  /**
   * Runs up to `lrs.length` epochs (at most KERNEL_CHUNK) on the weights the kernel holds; save()
   * hands them back to the network.
   */
  run(lrs: Float64Array): KernelRun {
    const E = Math.min(lrs.length, CHUNK);
    const buf = this.mem.buffer;
    const f64 = new Float64Array(buf);
    const i32 = new Int32Array(buf);
    const adam = this.opt.spec.name === 'adam';
    const { beta1, beta2 } = this.opt.spec;
    for (let e = 0; e < E; e++) {
      const t = this.t + e + 1;
      const s = (this.at.sched >> 3) + 3 * e;
      f64[s] = lrs[e];
      f64[s + 1] = adam ? 1 - Math.pow(beta1, t) : 1;
      f64[s + 2] = adam ? 1 - Math.pow(beta2, t) : 1;
    }
    i32[(this.cfg + C.epochs) >> 2] = E;
    const done = this.train(this.cfg);
    const status = i32[(this.cfg + C.status) >> 2];
    this.t += done;
    return {
      epochs: done,
      status: status === 1 ? 'diverged' : status === 2 ? 'threshold' : 'ran',
      losses: f64.subarray(this.at.losses >> 3, (this.at.losses >> 3) + done),
      accuracy: f64.subarray(this.at.accuracy >> 3, (this.at.accuracy >> 3) + done),
    };
  }
}
