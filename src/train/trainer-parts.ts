import { BackpropError, check } from '../errors.js';
import type { Network } from '../nn/network.js';
import type { EngineName } from '../engine/engine.js';
import { optimizer as makeOptimizer, type Optimizer, type OptimizerName, type OptimizerSpec } from '../engine/optimizers.js';
import type { Schedule } from './schedules.js';

// What a Trainer (trainer.ts) is made from and gives back: its options, an epoch's summary, its
// state for checkpoints, and the checks and lookups made when one is built or restored.

/** How a Trainer takes its steps. */
export interface TrainerOptions {
  /** Rows per step: 'full' (the default), 1, or any size in between; the last batch of an epoch may be smaller. */
  batchSize?: number | 'full';
  /** Step size α (default: defaultLearningRate of the optimizer, 0.1 or 0.01). */
  learningRate?: number;
  /** 'sgd' (default), 'momentum', 'nesterov', 'rmsprop', 'adam', a spec, or an optimizer object (whose state carries on). */
  optimizer?: OptimizerName | OptimizerSpec | Optimizer;
  /** Learning-rate schedule over epochs. */
  schedule?: Schedule;
  /** Shuffle the rows each epoch with the network's seeded generator (default true; no effect with one batch). */
  shuffle?: boolean;
  /** Regularisation (default 0 each): loss + l1·Σ|W| + l2/2·ΣW² over the weights, not the biases (src/nn/penalty.ts). */
  l1?: number;
  l2?: number;
  /** 'auto' (default): the WebAssembly engine where it runs, else the reference; 'reference' or 'wasm' to force one (see src/engine/). */
  engine?: EngineName;
  /** @deprecated `compiled: false` is `engine: 'reference'`. */
  compiled?: boolean;
}

/** One whole epoch: its loss (each batch measured before its update), accuracy and rate. */
export interface EpochSummary {
  epoch: number;
  loss: number;
  accuracy: number;
  learningRate: number;
}

/** Where a Trainer stands: with the network's weights, the optimizer's state and the generator's, a run can go on exactly. */
export interface TrainerState {
  /** The 1-based epoch in progress (or about to start when `batch` is 0). */
  epoch: number;
  /** Batches of that epoch already done. */
  batch: number;
  /** The epoch's row order. */
  order: number[];
  /** The epoch's loss sum and correct count so far. */
  total: number;
  hits: number;
  params: number[][];
  optimizer: { name: string; t: number; slots: number[][][] };
  rng: number[];
}

/** Where `Trainer.epochs` appends what each epoch gave (a History fits). */
export interface EpochSink {
  loss: number[];
  accuracy?: number[];
  learningRate: number[];
  epochs: number;
}

/** Puts a state's weights, optimizer state and generator state back, after checking they fit. */
export function restoreWeights(net: Network, opt: Optimizer, c: Pick<TrainerState, 'params' | 'optimizer' | 'rng'>): void {
  const params = net.params();
  check(
    c.params.length === params.length && c.params.every((p, i) => p.length === params[i].value.length),
    'resume: the checkpoint was made for a network of another shape',
    'checkpoint',
  );
  check(c.optimizer.name === opt.spec.name, `resume: the checkpoint used the ${c.optimizer.name} optimizer, not ${opt.spec.name}`, 'checkpoint');
  params.forEach((p, i) => p.value.set(c.params[i]));
  opt.setState({ t: c.optimizer.t, slots: c.optimizer.slots });
  net.rng.setState(c.rng);
}

export function refuseUntrainable(net: Network): void {
  const stuck = net.layers.findIndex((l) => !l.activation.trainable);
  if (stuck < 0) return;
  throw new BackpropError(
    'untrainable',
    `layer ${stuck + 1} uses the step activation, whose derivative is 0 everywhere except at 0, where it is undefined. ` +
      'Backpropagation multiplies by that derivative, so every gradient below it is 0 and gradient descent cannot learn. ' +
      "Use 'sigmoid', the smooth version of step, as the slides do (step stays available for forward passes and traces).",
  );
}

export function resolveOptimizer(o: TrainerOptions['optimizer']): Optimizer {
  if (o && typeof o === 'object' && 'step' in o) return o;
  return makeOptimizer((o as OptimizerName | OptimizerSpec | undefined) ?? 'sgd');
}
