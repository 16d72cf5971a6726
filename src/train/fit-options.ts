import { BackpropError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Optimizer, OptimizerName, OptimizerSpec } from '../engine/optimizers.js';
import type { Schedule } from './schedules.js';
import type { EngineName } from '../engine/engine.js';
import type { Checkpoint, CheckpointOptions } from './checkpoint.js';
import type { History } from './history.js';

export type { History, StopReason } from './history.js';

/** What fit takes and what it gives back: its options, its callbacks' arguments, its history, its error. */

export type Data = Matrix | number[][];

export interface EpochInfo {
  /** 1-based epoch number. */
  epoch: number;
  /** Training loss over the epoch (each batch measured before its update). */
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
}

export interface BatchInfo {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  batches: number;
  /** Rows in this batch. */
  size: number;
  /** The batch's loss, before its update. */
  loss: number;
}

export interface FitOptions {
  /** Passes over the training data (default 100). */
  epochs?: number;
  /**
   * Rows per gradient step: 'full' (batch gradient descent, the default), 1 (stochastic), or
   * any size in between (mini-batch). The last batch of an epoch may be smaller.
   */
  batchSize?: number | 'full';
  /** Step size α (default: defaultLearningRate, 0.1 for sgd, momentum, nesterov; 0.01 for rmsprop, adam). */
  learningRate?: number;
  /** 'sgd' (default), 'momentum', 'nesterov', 'rmsprop', 'adam', or a spec with hyper-parameters. */
  optimizer?: OptimizerName | OptimizerSpec | Optimizer;
  /** Learning-rate schedule over epochs. */
  schedule?: Schedule;
  /** Shuffle the rows each epoch with the network's seeded generator (default true; no effect with one batch). */
  shuffle?: boolean;
  /** Stop once the epoch's training loss is at or below this. */
  errorThreshold?: number;
  /**
   * L1 regularisation (default 0): each step's loss gains l1·Σ|W| over every layer's weights
   * (not the biases), and each W_update l1·sign(W). See src/nn/penalty.ts.
   */
  l1?: number;
  /**
   * L2 regularisation, weight decay (default 0): each step's loss gains l2/2·ΣW² over every
   * layer's weights (not the biases), and each W_update l2·W. The history's losses (and so the
   * error threshold and early stopping) include the penalty.
   */
  l2?: number;
  /** Fraction of rows (chosen with the seeded generator) held out for validation. */
  validationSplit?: number;
  /** Explicit validation data; takes precedence over validationSplit. */
  validationData?: [Data, Data];
  /**
   * Stop when the validation loss (or the training loss, without validation data) has not
   * improved by more than minDelta for `patience` epochs; by default restores the best weights.
   */
  earlyStopping?: number | { patience: number; minDelta?: number; restoreBest?: boolean };
  /** Called after every epoch; return false to stop. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
  /** Called after every batch; return false to stop. */
  onBatchEnd?: (info: BatchInfo) => void | boolean;
  /** Save checkpoints every N batches or epochs (see Checkpoint). */
  checkpoint?: CheckpointOptions;
  /** Continue from a checkpoint instead of starting afresh (same data and options). */
  resume?: Checkpoint;
  /**
   * Asked after every batch; when it returns true, training stops at once, saving a checkpoint
   * first if `checkpoint` is set (e.g. on a signal). The history's stopReason is 'interrupted'.
   */
  shouldStop?: () => boolean;
  /**
   * The engine the steps run on (see src/engine/): 'auto' (default) the WebAssembly float64
   * kernel wherever it runs this network (float64 weights, a built-in optimizer), else the
   * reference engine; 'reference' the plain TypeScript layers, as the trace shows them; 'wasm'
   * the kernel or an error. Both compute the same bits (test/conformance.test.ts): forcing the
   * reference is a way to check a run, not a change of results.
   */
  engine?: EngineName;
  /** @deprecated since 0.2: `compiled: false` is `engine: 'reference'`. */
  compiled?: boolean;
}

/** The l1 and l2 options checked (numbers ≥ 0, default 0), as the engines take them. */
export function regularisation(options: { l1?: number; l2?: number }): { l1: number; l2: number } {
  const out = { l1: 0, l2: 0 };
  for (const k of ['l1', 'l2'] as const) {
    const v = options[k] ?? 0;
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new BackpropError('option', `${k} must be a number ≥ 0 (0: no ${k === 'l1' ? 'L1' : 'L2'} regularisation), got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
    }
    out[k] = v === 0 ? 0 : v; // (−0 is 0)
  }
  return out;
}

/** Thrown when the loss or a gradient turns NaN or infinite; the weights of the last good step are kept. */
export class DivergedError extends BackpropError {
  readonly epoch: number;
  readonly batch: number;
  readonly history: History;
  /** The learning rate of the step that failed. */
  readonly learningRate: number;
  constructor(epoch: number, batch: number, lr: number, history: History) {
    super(
      'diverged',
      `training diverged at epoch ${epoch}, batch ${batch}: the loss or a gradient became NaN or infinite. ` +
        `The weights from the last good step are kept. Try a lower learning rate (now ${lr}).`,
    );
    this.epoch = epoch;
    this.batch = batch;
    this.history = history;
    this.learningRate = lr;
  }
}

