import { isAllocationFailure } from '../nn/limits.js';
import { warnOnce } from '../warnings.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Network, Param } from '../nn/network.js';
import { builtinState, isBuiltin, type Optimizer } from './optimizers.js';
import { powi } from '../nn/math.js';
import { abort, kernelModule, type KernelModule } from './kernel64.js';
import { ACT_CODES, CONFIG as C, CONFIG_BYTES, DESCRIPTOR_BYTES, LOSS_CODES, OPT_CODES } from './layout64.js';
import { isStreamed, layoutOf, signatureOf, type Addresses, type Layout } from './wasm64-layout.js';
import type { Engine, EngineInput, EpochsRun, StepResult } from './engine.js';

export { STREAM } from './wasm64-layout.js';

/**
 * The WebAssembly engine: the float64 kernel of assembly/float64.ts, many epochs per call, batch
 * by batch in the order the trainer takes the rows. A network like the slides' 2-2-1 XOR spends
 * far more time on per-call overhead and JIT warm-up than on arithmetic; the kernel pays neither,
 * and on larger networks its register-blocked SIMD loops run several times faster than the
 * matrix loops. It computes what the reference engine computes, in the same order, with the
 * same exp, log and tanh (src/nn/math.ts and assembly/math64.ts), so the bits agree
 * (test/conformance.test.ts). The instance, its memory and the data stay alive between calls for
 * the same network, so a run of a single step (the playground's) costs a copy, not a new instance;
 * data of another shape (another row count: each group of blocks trained from the disk cache)
 * are laid out again in the same memory, grown when they need more (test/engine-reuse.test.ts).
 */

/** The kernel's memory is kept under this; a run needing more uses the reference engine. */
export const KERNEL_MAX_BYTES = 256 * 2 ** 20;
/** An engine up to this size stays alive with its network for the next call. */
const KEEP_MAX_BYTES = 32 * 2 ** 20;

/** Bytes of a WebAssembly memory page. */
const PAGE = 65536;

/** The engine each network keeps for its next call, while it is small enough. */
const kept = new WeakMap<Network, WasmEngine>();

/**
 * A network, its data and its optimizer laid out in one kernel instance's memory. The instance
 * and its memory stay with the engine; its layout is the input's it was last configured for
 * (lay()), and the memory grows to the largest layout it has held (it never shrinks).
 */
export class WasmEngine implements Engine {
  readonly kind = 'wasm';
  /** Epochs one call of epochs() takes at most (the layout's). */
  maxEpochs = 0;
  private net: Network;
  /** The network's parameters (their arrays never change). */
  private readonly params: Param[];
  private opt: Optimizer;
  private readonly mem: WebAssembly.Memory;
  /** Views of the memory, made again when it grows (growing detaches the old buffer). */
  private f64: Float64Array;
  private i32: Int32Array;
  private readonly train: (cfg: number) => number;
  private readonly oneBatch: (cfg: number, b: number) => number;
  private readonly givenBatch: (cfg: number, rows: number) => number;
  /**
   * Whether the data stay outside the kernel's memory (see STREAM): then there is no epochs().
   * Fixed for the engine: an input that would be laid out the other way gets an engine of its own.
   */
  private readonly streamed: boolean;
  /** Streamed: the epoch's row order, and the data the batches are gathered from. */
  private order?: Int32Array;
  readonly epochs?: (lrs: Float64Array, orders: Int32Array | undefined, threshold: number | undefined) => EpochsRun;
  private readonly cfg: number;
  /** The layout in place (see Layout). */
  private signature = '';
  private at!: Addresses;
  private slots = 0;
  private rows = 0;
  private batches = 0;
  /** The input it was last configured for. */
  private owner: EngineInput | undefined;
  /** The optimizer's step count. */
  private t = 0;

  /**
   * The engine for training on (X, Y), or undefined when this run does not fit it: float32
   * weights, an activation or optimizer the kernel does not have, more memory than
   * KERNEL_MAX_BYTES, or no WebAssembly SIMD. The network's kept engine is taken again when its
   * data go the same way (streamed or copied) and the layout stays under KEEP_MAX_BYTES: the data
   * and weights are copied in again, after laying them out anew when the shapes differ.
   */
  static create(input: EngineInput): WasmEngine | undefined {
    const { net, opt, X } = input;
    if (net.dtype !== 'float64' || X.rows < 1 || !(input.batchSize >= 1) || !isBuiltin(opt)) return undefined;
    if (net.layers.some((l) => !(l.activation.name in ACT_CODES))) return undefined;
    const mod = kernelModule();
    if (!mod) return undefined;
    const layout = layoutOf(input, mod.base, isStreamed(input));
    try {
      const old = kept.get(net);
      if (old && old.streamed === layout.streamed && layout.top <= KEEP_MAX_BYTES) {
        old.claim(input, layout);
        return old;
      }
      if (layout.top > KERNEL_MAX_BYTES) return undefined;
      const engine = new WasmEngine(input, mod, layout);
      if (engine.mem.buffer.byteLength <= KEEP_MAX_BYTES) kept.set(net, engine);
      return engine;
    } catch (e) {
      if (isAllocationFailure(e)) return void warnOnce(`the float64 kernel could not allocate its memory (${e.message}): training goes on in the reference engine, slower`);
      throw e;
    }
  }

  private constructor(input: EngineInput, mod: KernelModule, layout: Layout) {
    const { net, opt } = input;
    this.net = net;
    this.params = net.params();
    this.opt = opt;
    this.streamed = layout.streamed;
    if (!this.streamed) this.epochs = this.runEpochs.bind(this);
    this.cfg = mod.base;
    this.mem = new WebAssembly.Memory({ initial: Math.ceil(layout.top / PAGE) });
    this.f64 = new Float64Array(this.mem.buffer);
    this.i32 = new Int32Array(this.mem.buffer);
    const instance = new WebAssembly.Instance(mod.module, { env: { memory: this.mem, abort } });
    const exports = instance.exports as unknown as { train(cfg: number): number; oneBatch(cfg: number, b: number): number; givenBatch(cfg: number, rows: number): number };
    this.train = exports.train;
    this.oneBatch = exports.oneBatch;
    this.givenBatch = exports.givenBatch;
    this.lay(input, layout);
    this.configure(input);
  }

  /**
   * Puts an input's layout in place: the memory grown to hold it and, when it held another
   * layout, cleared up to its top (as a new memory is), then the configuration block written.
   */
  private lay(input: EngineInput, layout: Layout): void {
    const more = Math.ceil(layout.top / PAGE) - this.mem.buffer.byteLength / PAGE;
    if (more > 0) {
      try {
        this.mem.grow(more);
      } catch (e) {
        throw e instanceof RangeError ? new RangeError(`could not allocate ${more * PAGE} bytes more: ${e.message}`) : e;
      }
      this.f64 = new Float64Array(this.mem.buffer);
      this.i32 = new Int32Array(this.mem.buffer);
    }
    if (this.signature) new Uint8Array(this.mem.buffer, this.cfg, layout.top - this.cfg).fill(0);
    ({ signature: this.signature, at: this.at, slots: this.slots, rows: this.rows, batches: this.batches, maxEpochs: this.maxEpochs } = layout);
    this.writeBlock(input);
  }

  /** Fills the parts of the configuration block that stay with the layout: sizes, addresses, the layer descriptors. */
  private writeBlock({ net, opt, X, Y, batchSize }: EngineInput): void {
    const { cfg, at, i32 } = this;
    const n = X.rows;
    const loss = net.loss;
    const ints: [number, number][] = [
      [C.layers, net.layers.length], [C.rows, n], [C.opt, OPT_CODES[opt.spec.name]], [C.loss, LOSS_CODES[loss.fusedWith ? loss.name : 'squared']],
      [C.x, at.x], [C.y, at.y], [C.sched, at.sched], [C.losses, at.losses], [C.accuracy, at.accuracy],
      [C.params, net.params().reduce((s, p) => s + p.value.length, 0)], [C.w, at.w], [C.g, at.g], [C.s0, at.s0], [C.s1, at.s1],
      [C.desc, cfg + CONFIG_BYTES], [C.mean, loss.mean ? 1 : 0], [C.batch, Math.min(batchSize, n)], [C.orders, at.orders],
      [C.bx, at.bx], [C.by, at.by], [C.outputs, Y.cols], [C.corr, at.corr],
    ];
    for (const [off, v] of ints) i32[(cfg + off) >> 2] = v;
    this.describeLayers(i32);
  }

  /** The rest of the block (what the targets and the optimizer's settings decide), the data, and the weights. */
  private configure(input: EngineInput): void {
    const { net, opt, X, Y } = input;
    this.owner = input;
    this.net = net;
    this.opt = opt;
    if (!input.shuffled) this.order = undefined; // (a shuffled input's trainer sends its order)
    const { cfg, at, f64 } = this;
    const n = X.rows;
    const K = Y.cols;
    const bs = Math.min(input.batchSize, n);
    this.i32[(cfg + C.classify) >> 2] = input.classify ? (K === 1 ? 1 : 2) : 0;
    // every squared error's gradient constant is twice its factor: L = factor · Σ(O_out − Y)²
    const scale = net.loss.scale(bs, K);
    const scaleTail = net.loss.scale(n % bs || bs, K);
    const s = opt.spec;
    const floats = [
      C.scale, scale, C.factor, scale / 2, C.scaleTail, scaleTail, C.factorTail, scaleTail / 2, C.threshold, NaN,
      C.mu, s.momentum, C.rho, s.rho, C.beta1, s.beta1, C.beta2, s.beta2, C.eps, s.epsilon,
      C.l1, input.l1 ?? 0, C.l2, input.l2 ?? 0, // regularisation (src/nn/penalty.ts): 0 for none
    ];
    for (let k = 0; k < floats.length; k += 2) f64[(cfg + floats[k]) >> 3] = floats[k + 1];
    if (!this.streamed) {
      f64.set(X.data, at.x >> 3);
      f64.set(Y.data, at.y >> 3);
    }
    this.load();
  }

  /** Each layer's descriptor: sizes, activation, bias, fused output delta, then its arrays' addresses. */
  private describeLayers(i32: Int32Array): void {
    const { net, at } = this;
    const L = net.layers.length;
    const params = net.params();
    let off = 0;
    const offsets = params.map((p) => ((off += p.value.length), off - p.value.length));
    let p = 0;
    net.layers.forEach((layer, l) => {
      const wOff = offsets[p++];
      const bOff = layer.useBias ? offsets[p++] : 0;
      const fields = [
        layer.inputs, layer.units, ACT_CODES[layer.activation.name], layer.useBias ? 1 : 0,
        l === L - 1 && net.loss.fusedWith === layer.activation.name ? 1 : 0,
        at.w + wOff * 8, at.w + bOff * 8, at.g + wOff * 8, at.g + bOff * 8, ...at.layers[l],
      ];
      fields.forEach((v, k) => (i32[(this.cfg + CONFIG_BYTES + l * DESCRIPTOR_BYTES + 4 * k) >> 2] = v));
    });
  }

  /**
   * Configures the engine for the input (see Engine.claim), laid out anew when its shapes differ
   * from the layout in place. `layout`: the input's, when already worked out.
   */
  claim(input: EngineInput, layout?: Layout): boolean {
    if (this.owner === input) return false;
    if (signatureOf(input) !== this.signature) this.lay(input, layout ?? layoutOf(input, this.cfg, this.streamed));
    this.configure(input);
    return true;
  }

  /** Copies the network's weights and the optimizer's state into the kernel. */
  load(): void {
    const f64 = this.f64;
    const params = this.params;
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
    const f64 = this.f64;
    const params = this.params;
    const state = builtinState(this.opt, params)!;
    let off = 0;
    params.forEach((p, i) => {
      copyOut(f64, (this.at.w >> 3) + off, p.value);
      copyOut(f64, (this.at.g >> 3) + off, p.grad);
      if (this.slots >= 1) copyOut(f64, (this.at.s0 >> 3) + off, state.slots[i][0]);
      if (this.slots >= 2) copyOut(f64, (this.at.s1 >> 3) + off, state.slots[i][1]);
      off += p.value.length;
    });
    state.setSteps(this.t);
  }

  setOrder(order: Int32Array): void {
    if (this.streamed) {
      if (this.order?.length !== order.length) this.order = new Int32Array(order.length);
      this.order.set(order);
    }
    else if (this.at.orders) this.i32.set(order, this.at.orders >> 2);
  }

  /** Streamed: copies the rows of batch b (in the epoch's order, if shuffled) into the kernel's batch buffers; their count. */
  private gatherBatch(b: number): number {
    const { X, Y, batchSize } = this.owner!;
    const bs = Math.min(batchSize, this.rows);
    const start = b * bs;
    const m = Math.min(bs, this.rows - start);
    gatherRows(this.f64, this.at.bx >> 3, X.data as Float64Array, X.cols, this.order, start, m);
    gatherRows(this.f64, this.at.by >> 3, Y.data as Float64Array, Y.cols, this.order, start, m);
    return m;
  }

  step(b: number, lr: number): StepResult | undefined {
    const f64 = this.f64;
    const i32 = this.i32;
    f64[this.at.sched >> 3] = lr;
    if (this.at.corr) {
      const { beta1, beta2 } = this.opt.spec;
      f64[this.at.corr >> 3] = 1 - powi(beta1, this.t + 1);
      f64[(this.at.corr >> 3) + 1] = 1 - powi(beta2, this.t + 1);
    }
    if ((this.streamed ? this.givenBatch(this.cfg, this.gatherBatch(b)) : this.oneBatch(this.cfg, b)) !== 0) return undefined;
    this.t++;
    return { loss: f64[(this.cfg + C.batchLoss) >> 3], hits: i32[(this.cfg + C.hitsNow) >> 2] };
  }

  private runEpochs(lrs: Float64Array, orders: Int32Array | undefined, threshold: number | undefined): EpochsRun {
    const E = Math.min(lrs.length, this.maxEpochs);
    const f64 = this.f64;
    const i32 = this.i32;
    if (this.at.orders) i32.set(orders!.subarray(0, E * this.rows), this.at.orders >> 2);
    for (let k = 0; k < E; k++) f64[(this.at.sched >> 3) + k] = lrs[k];
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
    f64[(this.cfg + C.threshold) >> 3] = threshold ?? NaN;
    const done = this.train(this.cfg);
    const status = i32[(this.cfg + C.status) >> 2];
    const failed = i32[(this.cfg + C.failed) >> 2];
    this.t += done * this.batches + (status === 1 ? failed : 0);
    return {
      epochs: done,
      status: status === 1 ? 'diverged' : status === 2 ? 'threshold' : 'ran',
      batch: failed + 1,
      ...(status === 1 ? { partial: { total: f64[(this.at.losses >> 3) + done], hits: f64[(this.at.accuracy >> 3) + done] } } : {}),
      losses: f64.subarray(this.at.losses >> 3, (this.at.losses >> 3) + done),
      accuracy: f64.subarray(this.at.accuracy >> 3, (this.at.accuracy >> 3) + done),
    };
  }
}

/** Rows order[start .. start + m) of `from` (width c; rows start .. start + m without an order) into `to` at `base`. */
function gatherRows(to: Float64Array, base: number, from: Float64Array, c: number, order: Int32Array | undefined, start: number, m: number): void {
  if (!order) return to.set(from.subarray(start * c, (start + m) * c), base);
  for (let r = 0; r < m; r++) {
    const f = order[start + r] * c;
    const t = base + r * c;
    for (let k = 0; k < c; k++) to[t + k] = from[f + k];
  }
}

/** Copies to.length values from `from` at `start` (a loop for short arrays: no view to allocate). */
function copyOut(from: Float64Array, start: number, to: FloatArrayLike): void {
  const n = to.length;
  if (n > 64) to.set(from.subarray(start, start + n));
  else for (let i = 0; i < n; i++) to[i] = from[start + i];
}
type FloatArrayLike = Float64Array | Float32Array;
