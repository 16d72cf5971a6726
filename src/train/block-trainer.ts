import { check } from '../errors.js';
import type { EngineName } from '../engine/engine.js';
import type { Optimizer, OptimizerName } from '../engine/optimizers.js';
import type { Network } from '../nn/network.js';
import { Matrix } from '../tensor/matrix.js';
import { epochGroups, groupRowOrder } from './block-order.js';
import { DivergedError, type EpochInfo } from './fit-options.js';
import { Trainer } from './trainer.js';
import { resolveOptimizer, restoreWeights } from './trainer-parts.js';

/**
 * Training on data that never sits in memory at once: the rows come in blocks (from a cache file
 * on disk), a group of blocks at a time, in the order of block-order.ts. Each group is trained on
 * by a Trainer of its own that takes the one optimizer object, so the optimizer's state (Adam's
 * moments and step count) carries on from group to group: the step itself is the Trainer's and the
 * engines' (no copy of the maths here). Between groups it awaits `pause`, so that a caller can
 * take signals and show progress.
 */

/** Where the rows come from. */
export interface BlockSource {
  /** Blocks of the data. */
  readonly blocks: number;
  /**
   * The training rows of these blocks, scaled, each row at the place `order` gives it: row r of
   * the blocks (in the order given) goes to row lead + order[r] of X and Y (`order` is told how
   * many rows there are); the first `lead` rows are left for the trainer to fill. X and Y may be
   * views of a store the source fills anew for every group (cli/cache/cache-blocks.ts): they are
   * used only until the next call.
   */
  trainRows(blocks: Int32Array, order: (rows: number) => Int32Array, lead?: number): { X: Matrix; Y: Matrix };
}

export interface BlockTrainOptions {
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** Seed of the block and row orders. */
  seed: number;
  /** Blocks loaded together. */
  blocksPerGroup: number;
  engine?: EngineName;
  /** Regularisation, as the Trainer takes it. */
  l1?: number;
  l2?: number;
  /** Awaited between groups. */
  pause?: () => Promise<void>;
}

/** Where a block-trained run stands: the next group of an epoch, the epoch's sums so far, the weights and the optimizer. */
export interface BlockTrainerState {
  epoch: number;
  group: number;
  total: number;
  hits: number;
  rows: number;
  params: number[][];
  optimizer: { name: string; t: number; slots: number[][][] };
  rng: number[];
  /** The rows of the last group past its last whole batch, trained first in the next group. */
  carry?: { rows: number; X: number[]; Y: number[] };
}

/** Rows carried from one group to the next. */
interface Carry {
  rows: number;
  X: Float64Array;
  Y: Float64Array;
}

export class BlockTrainer {
  readonly optimizer: Optimizer;
  private epochNo = 1;
  private groupNo = 0;
  private total = 0;
  private hits = 0;
  private rows = 0;
  private carry: Carry | undefined;

  constructor(
    readonly net: Network,
    private readonly source: BlockSource,
    private readonly options: BlockTrainOptions,
  ) {
    check(Number.isInteger(options.batchSize) && options.batchSize > 0, `batchSize must be a whole number ≥ 1 when training in blocks, got ${options.batchSize}`);
    check(Number.isInteger(options.blocksPerGroup) && options.blocksPerGroup > 0, `blocksPerGroup must be a whole number ≥ 1, got ${options.blocksPerGroup}`);
    this.optimizer = resolveOptimizer(options.optimizer);
  }

  get epoch(): number {
    return this.epochNo;
  }

  get group(): number {
    return this.groupNo;
  }

  /** Groups in an epoch. */
  get groups(): number {
    return Math.ceil(this.source.blocks / this.options.blocksPerGroup);
  }

  /**
   * The rest of the current epoch, group by group; `stop` is asked after each group (true: return
   * undefined, standing at the next group). Throws DivergedError (epoch and batch of the epoch).
   */
  async runEpoch(stop?: () => boolean): Promise<EpochInfo | undefined> {
    const { seed, blocksPerGroup } = this.options;
    const groups = epochGroups(this.source.blocks, blocksPerGroup, seed, this.epochNo);
    while (this.groupNo < groups.length) {
      this.trainGroup(groups[this.groupNo], this.groupNo === groups.length - 1);
      this.groupNo++;
      if (this.groupNo < groups.length) {
        await this.options.pause?.();
        if (stop?.()) return undefined;
      }
    }
    const mean = this.net.loss.mean;
    const info: EpochInfo = {
      epoch: this.epochNo,
      loss: mean ? this.total / this.rows : this.total,
      accuracy: this.hits / this.rows,
      learningRate: this.options.learningRate,
    };
    this.epochNo++;
    this.groupNo = this.total = this.hits = this.rows = 0;
    return info;
  }

  /**
   * Trains on a group's rows, after the rows the group before left over: its whole batches, so
   * that only the epoch's last batch may be smaller (as in memory); the rest is carried on.
   */
  private trainGroup(blocks: Int32Array, last: boolean): void {
    const lead = this.carry?.rows ?? 0;
    const { X, Y } = this.source.trainRows(blocks, (rows) => groupRowOrder(rows, this.options.seed, this.epochNo, this.groupNo), lead);
    if (this.carry) {
      X.data.set(this.carry.X);
      Y.data.set(this.carry.Y);
    }
    const B = this.options.batchSize;
    const take = last ? X.rows : X.rows - (X.rows % B);
    // a copy: the next group's rows may be read into the same store
    this.carry = take < X.rows ? { rows: X.rows - take, X: X.data.slice(take * X.cols) as Float64Array, Y: Y.data.slice(take * Y.cols) as Float64Array } : undefined;
    if (take === 0) return;
    const x = take === X.rows ? X : new Matrix(take, X.cols, X.data.subarray(0, take * X.cols));
    const y = take === Y.rows ? Y : new Matrix(take, Y.cols, Y.data.subarray(0, take * Y.cols));
    // a Trainer of its own, so a new engine input: the network's kept WebAssembly engine copies
    // these rows in even when they sit in the same array as the last group's (wasm64.ts claim())
    const trainer = new Trainer(this.net, x, y, {
      batchSize: B,
      learningRate: this.options.learningRate,
      optimizer: this.optimizer,
      shuffle: false,
      ...(this.options.engine ? { engine: this.options.engine } : {}),
      ...(this.options.l1 ? { l1: this.options.l1 } : {}),
      ...(this.options.l2 ? { l2: this.options.l2 } : {}),
    });
    let s;
    try {
      s = trainer.epoch();
    } catch (err) {
      if (!(err instanceof DivergedError)) throw err;
      // the batch of the epoch: those of the groups before it, and this group's
      const batch = this.rows / B + err.batch;
      throw new DivergedError(this.epochNo, batch, this.options.learningRate, { ...err.history, epochs: this.epochNo - 1 });
    }
    this.total += this.net.loss.mean ? s.loss * take : s.loss;
    this.hits += Math.round(s.accuracy * take);
    this.rows += take;
  }

  /** The position, weights, optimizer state: what restore() needs to go on exactly. */
  state(): BlockTrainerState {
    return {
      epoch: this.epochNo,
      group: this.groupNo,
      total: this.total,
      hits: this.hits,
      rows: this.rows,
      params: this.net.params().map((p) => Array.from(p.value)),
      optimizer: { name: this.optimizer.spec.name, ...this.optimizer.getState() },
      rng: this.net.rng.getState(),
      ...(this.carry ? { carry: { rows: this.carry.rows, X: Array.from(this.carry.X), Y: Array.from(this.carry.Y) } } : {}),
    };
  }

  restore(s: BlockTrainerState): void {
    check(Number.isInteger(s.group) && s.group >= 0 && s.group < this.groups, 'resume: the checkpoint was made for other blocks of data', 'checkpoint');
    restoreWeights(this.net, this.optimizer, s);
    this.epochNo = s.epoch;
    this.groupNo = s.group;
    this.total = s.total;
    this.hits = s.hits;
    this.rows = s.rows;
    this.carry = s.carry ? { rows: s.carry.rows, X: Float64Array.from(s.carry.X), Y: Float64Array.from(s.carry.Y) } : undefined;
  }
}
