import { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { ACT_CODES, CONFIG as C, CONFIG_BYTES, DESCRIPTOR as D, DESCRIPTOR_BYTES } from './layout64.js';
import { abort, kernelModule, type KernelModule } from './kernel64.js';

/**
 * The forward pass alone (H_in = X·W1, H_out = f(H_in), …, O_out) over many rows, for
 * predictions and evaluation: block by block, so that the buffers stay the size of a block, and
 * in the WebAssembly kernel (its `forwardRows`, the training pass's own first half) wherever it
 * runs the network, else in the network's own layers. Both give the same bits
 * (test/conformance.test.ts), and the blocks are the same on both, so a sum over blocks is too.
 */

/** Rows per block at most. */
export const FORWARD_BLOCK = 65_536;
/** A block's inputs and each layer's z and a hold about this many values at most (32 MB). */
const BLOCK_VALUES = 4 * 2 ** 20;

/** The rows of one block: the output layer's O_out and O_in (views, valid until the next block), and the block's first row. */
export type BlockHandler = (out: Matrix, logits: Matrix, start: number) => void;

/** Rows per block for this network: FORWARD_BLOCK, or fewer for a wide network. */
export function blockRows(net: Network): number {
  const perRow = net.inputs + 2 * net.layers.reduce((s, l) => s + l.units, 0);
  return Math.max(256, Math.min(FORWARD_BLOCK, Math.floor(BLOCK_VALUES / perRow)));
}

/** Runs the forward pass over X's rows block by block, handing each block's outputs on. */
export function forwardBlocks(net: Network, X: Matrix, each: BlockHandler, engine: 'auto' | 'reference' = 'auto'): void {
  const B = blockRows(net);
  const wasm = engine === 'auto' ? KernelForward.for(net, Math.min(B, X.rows)) : undefined;
  wasm?.loadWeights();
  for (let a = 0; a < X.rows; a += B) {
    const b = Math.min(X.rows, a + B);
    const rows = X.rows === b - a ? X : new Matrix(b - a, X.cols, X.data.subarray(a * X.cols, b * X.cols));
    if (wasm) {
      const { out, logits } = wasm.run(rows);
      each(out, logits, a);
    } else {
      const out = net.forward(rows);
      each(out, net.lastLogits(rows.rows), a);
    }
  }
}

/**
 * The network's loss on (X, Y) under its convention, through forwardBlocks: one block gives the
 * bits of net.lossOn; more blocks sum their losses (weighted by rows for a mean). `each`, when
 * given, sees every block's outputs too (e.g. to count the classes).
 */
export function lossInBlocks(
  net: Network,
  X: Matrix,
  Y: Matrix,
  engine: 'auto' | 'reference' = 'auto',
  each?: (out: Matrix, start: number) => void,
): number {
  let sum = 0;
  let last = 0;
  forwardBlocks(
    net,
    X,
    (out, logits, start) => {
      last = net.loss.value(out, rowsOf(Y, start, out.rows), logits);
      sum += net.loss.mean ? last * out.rows : last;
      each?.(out, start);
    },
    engine,
  );
  if (X.rows <= blockRows(net)) return last;
  return net.loss.mean ? sum / X.rows : sum;
}

/** Rows [start, start + count) of m, as a view. */
export function rowsOf(m: Matrix, start: number, count: number): Matrix {
  if (start === 0 && count === m.rows) return m;
  return new Matrix(count, m.cols, m.data.subarray(start * m.cols, (start + count) * m.cols));
}

/** The forward kernel instance each network keeps, for its block size. */
const kept = new WeakMap<Network, KernelForward>();

/** A network's weights and one block's buffers laid out in a kernel instance's memory. */
class KernelForward {
  private readonly f64: Float64Array;
  private readonly run64: (cfg: number, x: number, rows: number) => void;
  private readonly cfg: number;
  private readonly w: number;
  private readonly x: number;
  /** The output layer's z and a. */
  private readonly top: { z: number; a: number };

  /** The network's kernel forward for blocks of up to `rows` rows, or undefined where the kernel cannot run it. */
  static for(net: Network, rows: number): KernelForward | undefined {
    if (net.dtype !== 'float64' || rows < 1) return undefined;
    if (net.layers.some((l) => !(l.activation.name in ACT_CODES))) return undefined;
    const mod = kernelModule();
    if (!mod) return undefined;
    const old = kept.get(net);
    if (old && old.rows >= rows) return old;
    try {
      const made = new KernelForward(net, rows, mod);
      kept.set(net, made);
      return made;
    } catch {
      return undefined; // no memory for it: the network's own layers do the pass
    }
  }

  private constructor(
    private readonly net: Network,
    private readonly rows: number,
    mod: KernelModule,
  ) {
    this.cfg = mod.base;
    let top = this.cfg + CONFIG_BYTES + net.layers.length * DESCRIPTOR_BYTES;
    const take = (values: number) => {
      const p = top;
      top += (values * 8 + 15) & ~15;
      return p;
    };
    const P = net.params().reduce((s, p) => s + p.value.length, 0);
    this.w = take(P);
    this.x = take(rows * net.inputs);
    const layers = net.layers.map((l) => ({ z: take(rows * l.units), a: take(rows * l.units) }));
    this.top = layers[layers.length - 1];
    const mem = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) });
    this.f64 = new Float64Array(mem.buffer);
    const i32 = new Int32Array(mem.buffer);
    const instance = new WebAssembly.Instance(mod.module, { env: { memory: mem, abort } });
    this.run64 = (instance.exports as unknown as { forwardRows(cfg: number, x: number, rows: number): void }).forwardRows;
    i32[(this.cfg + C.layers) >> 2] = net.layers.length;
    i32[(this.cfg + C.desc) >> 2] = this.cfg + CONFIG_BYTES;
    let w = this.w;
    net.layers.forEach((layer, l) => {
      const wAt = w;
      w += layer.inputs * layer.units * 8;
      const bAt = layer.useBias ? w : 0;
      if (layer.useBias) w += layer.units * 8;
      // the descriptor's fields the forward pass reads (scripts/kernel-layout.mjs); no gradients or errors here
      const at = this.cfg + CONFIG_BYTES + l * DESCRIPTOR_BYTES;
      const fields: [number, number][] = [
        [D.in, layer.inputs], [D.units, layer.units], [D.act, ACT_CODES[layer.activation.name]], [D.bias, layer.useBias ? 1 : 0],
        [D.w, wAt], [D.b, bAt], [D.z, layers[l].z], [D.a, layers[l].a],
      ];
      for (const [off, v] of fields) i32[(at + off) >> 2] = v;
    });
  }

  /** Copies the network's current weights in (in Network.params() order, as the descriptors lay them out). */
  loadWeights(): void {
    let off = this.w >> 3;
    for (const p of this.net.params()) {
      this.f64.set(p.value, off);
      off += p.value.length;
    }
  }

  /** The pass over one block of at most `rows` rows. */
  run(X: Matrix): { out: Matrix; logits: Matrix } {
    const n = X.rows;
    const K = this.net.outputs;
    this.f64.set(X.data, this.x >> 3);
    this.run64(this.cfg, this.x, n);
    const view = (at: number) => new Matrix(n, K, this.f64.subarray(at >> 3, (at >> 3) + n * K));
    return { out: view(this.top.a), logits: view(this.top.z) };
  }
}
