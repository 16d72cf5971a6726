import type { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import type { Optimizer } from './optimizers.js';

/**
 * An engine runs the training step of the slides — forward, loss, backward, optimizer — over
 * the batches of one network's training rows. There are two, and they compute the same bits
 * (test/conformance.test.ts runs one suite over both):
 * - 'reference' (reference.ts): the network's own Dense layers, activations and losses (src/nn/)
 *   and the optimizers of src/engine/optimizers.ts, on the network's arrays. The trace and the
 *   gradient check drive the same code.
 * - 'wasm' (wasm64.ts): the float64 WebAssembly kernel (assembly/), with its own copy of the
 *   weights, the optimizer's state and the data in its memory, many epochs per call.
 *
 * The weights live in the engine between steps: save() hands them (and the gradients and the
 * optimizer's state) back to the network, load() takes the network's again, e.g. after a
 * callback changed them. For the reference engine both do nothing.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** Copies the network's weights and the optimizer's state into the engine. */
  load(): void;
  /** Writes weights, gradients and the optimizer's state back to the network and the optimizer. */
  save(): void;
  /** The row order of the epoch that step() walks through (shuffled batches). */
  setOrder(order: Int32Array): void;
  /**
   * One step on the b-th batch (0-based) of the epoch at learning rate lr: the batch's loss
   * (before the update) and its rows classified right, or undefined when the loss or a gradient
   * is not finite (then no step is taken).
   */
  step(b: number, lr: number): StepResult | undefined;
  /**
   * Whole epochs in one call, the k-th at rate lrs[k] (at most maxEpochs), each in its row order
   * from `orders` (shuffled batches), stopping at `threshold`. Engines without it run epochs step
   * by step.
   */
  epochs?(lrs: Float64Array, orders: Int32Array | undefined, threshold: number | undefined): EpochsRun;
  /** Epochs one call of epochs() takes at most. */
  readonly maxEpochs: number;
  /**
   * Makes the engine the given input's again when another trainer of the same network has taken
   * it since (the WebAssembly engine is kept per network, whatever the row count of the data):
   * its data, weights and optimizer state are copied in once more, laid out again if the other
   * trainer's shapes differed. True when that happened (the row order must then be set again).
   */
  claim?(input: EngineInput): boolean;
}

export type EngineKind = 'reference' | 'wasm';

/** What an engine is asked for: 'auto' is the WebAssembly engine wherever it can run, else the reference. */
export type EngineName = 'auto' | EngineKind;

export interface StepResult {
  loss: number;
  hits: number;
}

/** What one call of epochs() did. */
export interface EpochsRun {
  /** Epochs completed in this call. */
  epochs: number;
  /** 'diverged': a batch of the next epoch had a loss or gradients that were not finite (its step was not taken). */
  status: 'ran' | 'diverged' | 'threshold';
  /** With 'diverged', the batch (1-based) that failed. */
  batch: number;
  /** With 'diverged', the failed epoch's sums over the batches before it (the loss sum as the trainer keeps it, and the hits). */
  partial?: { total: number; hits: number };
  /** Per completed epoch: its loss and the fraction of rows classified right (views, valid until the next call). */
  losses: Float64Array;
  accuracy: Float64Array;
}

/** How the rows are cut into batches, and what to count. */
export interface EngineSetup {
  /** Rows per batch (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Whether the rows are taken in a row order (shuffled mini-batches) rather than as stored. */
  shuffled: boolean;
  /** Count the rows classified right (targets are classes). */
  classify: boolean;
}

/** Everything an engine is built from. */
export interface EngineInput extends EngineSetup {
  net: Network;
  opt: Optimizer;
  X: Matrix;
  Y: Matrix;
  /**
   * Regularisation (src/nn/penalty.ts): each step's loss gains l2/2·ΣW² + l1·Σ|W| over the
   * weights (not the biases), each W_update l2·W + l1·sign(W), before the optimizer's update.
   * Default 0 each: none.
   */
  l1?: number;
  l2?: number;
}
