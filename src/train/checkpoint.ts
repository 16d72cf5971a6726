import type { History } from './history.js';

/**
 * Everything a run needs to continue exactly where it stopped: the weights, the optimizer's
 * state, the random generator's state, where in which epoch it was (with that epoch's row order
 * and partial sums), the history, and the early-stopping bookkeeping. Plain JSON-ready data.
 * Resuming from it gives weights bitwise identical to a run that never stopped.
 */
export interface Checkpoint {
  /** Format marker, for files that hold one. */
  kind: 'backprop-checkpoint';
  /** The 1-based epoch in progress (or about to start when `batch` is 0). */
  epoch: number;
  /** Batches of that epoch already done. */
  batch: number;
  /** The epoch's row order. */
  order: number[];
  /** The epoch's loss sum and correct count so far. */
  total: number;
  hits: number;
  /** Rows held out by validationSplit (their indices), so a resumed run holds out the same. */
  validationRows?: number[];
  /** Every parameter's values, in Network.params() order. */
  params: number[][];
  optimizer: { name: string; t: number; slots: number[][][] };
  rng: number[];
  history: History;
  early?: { best: number; bestEpoch: number; sinceBest: number; bestParams?: number[][] };
}

export interface CheckpointOptions {
  /** Save after every this many batches (counted across epochs). */
  everyBatches?: number;
  /** Save after every this many epochs. */
  everyEpochs?: number;
  /** Receives each checkpoint (e.g. writes it to a file atomically). */
  save: (c: Checkpoint) => void;
}
