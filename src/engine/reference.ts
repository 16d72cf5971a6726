import { Matrix } from '../tensor/matrix.js';
import type { Network, Param } from '../nn/network.js';
import { classesOf } from '../nn/classes.js';
import { addPenalty, hasPenalty, type Penalty } from '../nn/penalty.js';
import type { Optimizer } from './optimizers.js';
import type { Engine, EngineInput, StepResult } from './engine.js';

/**
 * The reference engine: each step gathers the batch's rows, runs Network.forward and
 * Network.backward (the slides' formulas, layer by layer, on src/tensor/matrix.ts's loops) and
 * the optimizer's update on the network's own arrays. Slow for tiny networks, plain to read,
 * and the bits the WebAssembly engine must reproduce.
 */
export class ReferenceEngine implements Engine {
  readonly kind = 'reference';
  readonly maxEpochs = 0;
  private readonly net: Network;
  private readonly opt: Optimizer;
  private readonly params: Param[];
  private readonly X: Matrix;
  private readonly Y: Matrix;
  private readonly batchSize: number;
  private readonly full: boolean;
  private readonly classify: boolean;
  /** The regularisation penalty (l1, l2), when there is one. */
  private readonly penalty: Penalty | undefined;
  private order: Int32Array;
  /** Batch buffers, sized once: a whole batch, and the smaller last batch of an epoch. */
  private readonly bx: Matrix;
  private readonly by: Matrix;
  private readonly tx?: Matrix;
  private readonly ty?: Matrix;
  private readonly predicted: Int32Array;
  private readonly actual: Int32Array;

  constructor({ net, opt, X, Y, batchSize, classify, l1 = 0, l2 = 0 }: EngineInput) {
    this.net = net;
    this.opt = opt;
    this.params = net.params();
    this.X = X;
    this.Y = Y;
    const n = X.rows;
    this.batchSize = Math.min(batchSize, n);
    this.full = this.batchSize === n;
    this.classify = classify;
    this.penalty = hasPenalty({ l1, l2 }) ? { l1, l2 } : undefined;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.bx = this.full ? X : new Matrix(this.batchSize, X.cols, net.dtype);
    this.by = this.full ? Y : new Matrix(this.batchSize, Y.cols, net.dtype);
    const tail = n % this.batchSize;
    if (tail && !this.full) {
      this.tx = new Matrix(tail, X.cols, net.dtype);
      this.ty = new Matrix(tail, Y.cols, net.dtype);
    }
    this.predicted = new Int32Array(this.batchSize);
    this.actual = new Int32Array(this.batchSize);
  }

  load(): void {}
  save(): void {}

  setOrder(order: Int32Array): void {
    this.order = order;
  }

  step(b: number, lr: number): StepResult | undefined {
    const start = b * this.batchSize;
    const end = Math.min(start + this.batchSize, this.X.rows);
    const last = end - start !== this.batchSize;
    const xb = this.full ? this.bx : this.X.gatherRows(this.order, start, end, last ? this.tx! : this.bx);
    const yb = this.full ? this.by : this.Y.gatherRows(this.order, start, end, last ? this.ty! : this.by);
    this.net.forward(xb);
    let loss = this.net.backward(xb, yb);
    if (this.penalty) loss += addPenalty(this.net.layers, this.penalty); // loss + l2/2·ΣW² + l1·Σ|W|; W_update += l2·W + l1·sign(W)
    if (!Number.isFinite(loss) || !allFinite(this.params)) return undefined;
    const hits = this.classify ? countHits(this.net.lastOutput(xb.rows), yb, this.predicted, this.actual) : 0;
    this.opt.step(this.params, lr);
    return { loss, hits };
  }
}

function allFinite(params: readonly Param[]): boolean {
  // x · 0 is 0 for every finite x and NaN otherwise: one branch-free pass, four sums side by side
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (const p of params) {
    const g = p.grad;
    const n = g.length - (g.length % 4);
    for (let i = 0; i < n; i += 4) {
      s0 += g[i] * 0;
      s1 += g[i + 1] * 0;
      s2 += g[i + 2] * 0;
      s3 += g[i + 3] * 0;
    }
    for (let i = n; i < g.length; i++) s0 += g[i] * 0;
  }
  return s0 + s1 + s2 + s3 === 0;
}

function countHits(out: Matrix, y: Matrix, predicted: Int32Array, actual: Int32Array): number {
  classesOf(out, predicted);
  classesOf(y, actual);
  let h = 0;
  for (let i = 0; i < out.rows; i++) if (predicted[i] === actual[i]) h++;
  return h;
}
