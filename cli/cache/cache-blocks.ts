import { isTestRow } from '../../src/data/hashed-split.js';
import type { Scaler } from '../../src/data/preprocess.js';
import type { ModelEvaluation, Model } from '../../src/io/model.js';
import { forwardBlocks, lossInBlocks, rowsOf } from '../../src/engine/forward.js';
import { classesOf } from '../../src/nn/classes.js';
import type { Network } from '../../src/nn/network.js';
import { Matrix } from '../../src/tensor/matrix.js';
import type { BlockSource } from '../../src/train/block-trainer.js';
import type { CacheReader } from './cache-file.js';

/** The rows of one part of the split, read from a group of blocks: as the network sees them, and as they were. */
export interface PartRows {
  X: Matrix;
  Y: Matrix;
  labels?: Int32Array;
  /** A regression's target values, unscaled. */
  values?: Float64Array;
}

/** How the blocks are grouped: blocks per group, and the most rows a group's training starts with from the group before (fewer than a batch). */
export interface Grouping {
  blocksPerGroup: number;
  lead: number;
}

/**
 * Rows kept from group to group: one backing store of X and Y values (and labels or values),
 * sized once for the largest group it serves; each group's matrices are views of its first rows,
 * so reading a group allocates nothing that outlives it and the memory is bounded without the
 * garbage collector's help. A group's views are valid until the next group is read into it.
 */
export class RowStore {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly labels?: Int32Array;
  private readonly values?: Float64Array;

  constructor(
    readonly rows: number,
    private readonly features: number,
    private readonly outputs: number,
    keep?: 'labels' | 'values',
  ) {
    this.x = new Float64Array(rows * features);
    this.y = new Float64Array(rows * outputs);
    if (keep === 'labels') this.labels = new Int32Array(rows);
    if (keep === 'values') this.values = new Float64Array(rows);
  }

  /** Views of the first `rows` rows (at most the store's). */
  take(rows: number): PartRows {
    if (rows > this.rows) throw new Error(`a group of ${rows} rows does not fit the store of ${this.rows} rows sized for the largest group`);
    const { features: F, outputs: K } = this;
    return {
      X: new Matrix(rows, F, this.x.subarray(0, rows * F)),
      Y: new Matrix(rows, K, this.y.subarray(0, rows * K)),
      ...(this.labels ? { labels: this.labels.subarray(0, rows) } : {}),
      ...(this.values ? { values: this.values.subarray(0, rows) } : {}),
    };
  }
}

/**
 * The cache's blocks as training and evaluation data: each row scaled as it is read (the
 * features by the scaling fitted on the training rows, a regression's target by its own), the
 * classes one-hot, the split decided by the seed and the row index. A training group and an
 * evaluation group each have a RowStore of their own, made on first use.
 */
export class CacheBlocks implements BlockSource {
  private readonly features: Float64Array;
  private readonly targets: Float64Array;
  /** Test rows in each block. */
  private readonly testIn: Int32Array;
  readonly outputs: number;
  private trainStore?: RowStore;
  private evalStore?: RowStore;

  constructor(
    readonly reader: CacheReader,
    private readonly scaler: Scaler,
    private readonly targetScaler: Scaler | undefined,
    readonly grouping: Grouping,
  ) {
    const m = reader.meta;
    this.features = new Float64Array(m.blockRows * m.features);
    this.targets = new Float64Array(m.blockRows);
    this.outputs = m.schema.kind === 'classification' ? m.schema.classes!.length : 1;
    this.testIn = new Int32Array(this.blocks);
    for (let b = 0; b < this.blocks; b++) {
      const rows = reader.rowsIn(b);
      for (let i = 0; i < rows; i++) if (this.isTest(b * m.blockRows + i)) this.testIn[b]++;
    }
  }

  get blocks(): number {
    return this.reader.blocks;
  }

  private isTest(row: number): boolean {
    return isTestRow(this.reader.meta.seed, row, this.reader.meta.testSplit);
  }

  /** Rows of a part in these blocks. */
  count(blocks: ArrayLike<number>, test: boolean): number {
    let n = 0;
    for (let k = 0; k < blocks.length; k++) {
      const b = blocks[k];
      n += test ? this.testIn[b] : this.reader.rowsIn(b) - this.testIn[b];
    }
    return n;
  }

  /** The most training rows a group of blocks can hold (the blocks with the most of them together), and the rows carried in. */
  private largestTrainGroup(): number {
    const train = Int32Array.from({ length: this.blocks }, (_, b) => this.count([b], false)).sort().reverse();
    return train.subarray(0, this.grouping.blocksPerGroup).reduce((s, v) => s + v, 0) + this.grouping.lead;
  }

  /** The most rows of either part in a group of the evaluation (blocks in file order). */
  private largestEvalGroup(): number {
    return this.fileGroups(this.grouping.blocksPerGroup).reduce((most, g) => Math.max(most, this.count(g, false), this.count(g, true)), 0);
  }

  trainRows(blocks: Int32Array, order: (rows: number) => Int32Array, lead = 0): { X: Matrix; Y: Matrix } {
    this.trainStore ??= new RowStore(this.largestTrainGroup(), this.reader.meta.features, this.outputs);
    const n = this.count(blocks, false);
    return this.read(blocks, false, this.trainStore.take(lead + n), order(n), lead);
  }

  /** The rows of one part of these blocks, in file order (with labels or values, for evaluation): views valid until the next call. */
  partRows(blocks: Int32Array, test: boolean): PartRows {
    this.evalStore ??= new RowStore(this.largestEvalGroup(), this.reader.meta.features, this.outputs, this.reader.meta.schema.kind === 'classification' ? 'labels' : 'values');
    return this.read(blocks, test, this.evalStore.take(this.count(blocks, test)), undefined, 0);
  }

  /** The rows of a part of these blocks, scaled, into `into` (its first `lead` rows left as they are): row r at lead + order[r], or in file order. */
  private read(blocks: Int32Array, test: boolean, into: PartRows, order: Int32Array | undefined, lead: number): PartRows {
    const { meta } = this.reader;
    const F = meta.features;
    const K = this.outputs;
    const { X, Y, labels, values } = into;
    const classify = meta.schema.kind === 'classification';
    const { shift, scale } = this.scaler;
    let r = 0;
    for (const b of blocks) {
      const rows = this.reader.readBlock(b, this.features, this.targets);
      for (let i = 0; i < rows; i++) {
        if (this.isTest(b * meta.blockRows + i) !== test) continue;
        const at = lead + (order ? order[r] : r);
        const from = i * F;
        const to = at * F;
        for (let j = 0; j < F; j++) X.data[to + j] = (this.features[from + j] - shift[j]) / scale[j];
        const t = this.targets[i];
        if (classify) {
          // the store holds the last group's rows: the whole one-hot row is written
          for (let k = 0; k < K; k++) Y.data[at * K + k] = k === t ? 1 : 0;
        } else Y.data[at] = this.targetScaler ? (t - this.targetScaler.shift[0]) / this.targetScaler.scale[0] : t;
        if (labels) labels[at] = t;
        if (values) values[at] = t;
        r++;
      }
    }
    return into;
  }

  /** The blocks in file order, a group of `perGroup` at a time. */
  fileGroups(perGroup: number): Int32Array[] {
    const out: Int32Array[] = [];
    for (let a = 0; a < this.blocks; a += perGroup) out.push(Int32Array.from({ length: Math.min(perGroup, this.blocks - a) }, (_, i) => a + i));
    return out;
  }

  /** The network's loss on a part, group by group (the rows weighted as one set). */
  loss(net: Network, test: boolean): number {
    let sum = 0;
    let rows = 0;
    for (const g of this.fileGroups(this.grouping.blocksPerGroup)) {
      const p = this.partRows(g, test);
      if (p.X.rows === 0) continue;
      const l = lossInBlocks(net, p.X, p.Y);
      sum += net.loss.mean ? l * p.X.rows : l;
      rows += p.X.rows;
    }
    return net.loss.mean ? sum / rows : sum;
  }

  /** A model's evaluation on a part, group by group, its figures combined as for one set of rows. */
  evaluate(model: Model, test: boolean): ModelEvaluation | undefined {
    const acc = new Accumulator(model.network, this.reader.meta.schema.classes);
    for (const g of this.fileGroups(this.grouping.blocksPerGroup)) {
      const p = this.partRows(g, test);
      if (p.X.rows > 0) acc.add(model, p);
    }
    return acc.result();
  }
}

/** Evaluation figures added up over groups of rows (as evaluatePrepared gives them for all the rows at once). */
export class Accumulator {
  private rows = 0;
  private lossSum = 0;
  private confusion?: number[][];
  private se = 0;
  private ae = 0;
  /** Welford over the actual values, for R². */
  private mean = 0;
  private m2 = 0;

  constructor(
    private readonly net: Network,
    private readonly classes: string[] | undefined,
  ) {
    if (classes) this.confusion = classes.map(() => new Array<number>(classes.length).fill(0));
  }

  /** The figures of these rows added in: one forward pass (in the WebAssembly kernel where it runs), block by block. False when their loss is not finite. */
  add(model: Model, p: PartRows): boolean {
    const t = model.file.preprocessing.target;
    const loss = this.net.loss;
    let finite = true;
    forwardBlocks(this.net, p.X, (out, logits, start) => {
      const n = out.rows;
      const l = loss.value(out, rowsOf(p.Y, start, n), logits);
      finite &&= Number.isFinite(l);
      this.lossSum += loss.mean ? l * n : l;
      if (this.classes) {
        const predicted = classesOf(out);
        for (let i = 0; i < n; i++) this.confusion![p.labels![start + i]][predicted[i]]++;
      } else {
        for (let i = 0; i < n; i++) {
          const a = p.values![start + i];
          const d = (t ? out.data[i] * t.scale[0] + t.shift[0] : out.data[i]) - a;
          this.se += d * d;
          this.ae += Math.abs(d);
          const k = ++this.rows;
          const dm = a - this.mean;
          this.mean += dm / k;
          this.m2 += dm * (a - this.mean);
        }
      }
      if (this.classes) this.rows += n;
    });
    return finite;
  }

  result(): ModelEvaluation | undefined {
    const n = this.rows;
    if (n === 0) return undefined;
    const base = { rows: n, loss: this.net.loss.mean ? this.lossSum / n : this.lossSum, lossName: this.net.loss.name };
    if (this.classes) {
      // the figures from the summed confusion matrix, as classFigures gives them for the rows themselves
      const correct = this.confusion!.map((row, a) => row[a]);
      const asPredicted = this.confusion![0].map((_, p) => this.confusion!.reduce((s, row) => s + row[p], 0));
      const asActual = this.confusion!.map((row) => row.reduce((s, v) => s + v, 0));
      const hits = correct.reduce((s, v) => s + v, 0);
      return {
        ...base,
        classes: this.classes,
        accuracy: hits / n,
        confusion: this.confusion,
        precision: correct.map((c, j) => (asPredicted[j] ? c / asPredicted[j] : NaN)),
        recall: correct.map((c, j) => (asActual[j] ? c / asActual[j] : NaN)),
      };
    }
    return { ...base, rmse: Math.sqrt(this.se / n), mae: this.ae / n, r2: this.m2 > 0 ? 1 - this.se / this.m2 : NaN };
  }
}
