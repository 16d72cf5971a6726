/**
 * What the playground trains: the data, the network and the fit options, as one plain object
 * that the page edits and the worker turns into a library Network and FitOptions.
 */
import { IRIS3 } from '../../src/data/examples.js';
import type { FitOptions, Network, OptimizerName } from '../../src/index.js';
import { penaltyValue } from '../../src/nn/penalty.js';
import type { DataOptions } from './datasets.js';

export const HIDDEN_ACTIVATIONS = ['tanh', 'sigmoid', 'relu', 'leaky-relu', 'linear', 'step'] as const;
export const OUTPUT_ACTIVATIONS = ['sigmoid', 'softmax', 'linear', 'tanh', 'step'] as const;
export const LOSSES = [
  'half-mean-over-samples',
  'half-mean-over-elements',
  'mean-over-samples',
  'mean-over-elements',
  'half-sum-of-squares',
  'sum-of-squares',
  'binary-cross-entropy',
  'cross-entropy',
] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export const BATCH_MODES = ['full', 'stochastic', 'mini'] as const;
/** The rates the L1 and L2 controls offer (0: off), as TensorFlow Playground offers them. */
export const REGULARISATION_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1];

export type BatchMode = (typeof BATCH_MODES)[number];

/** The largest network the page lets a learner build. */
export const MAX_LAYERS = 6;
export const MAX_UNITS = 8;

export interface HiddenLayer {
  units: number;
  activation: string;
}

export interface PlaygroundConfig {
  data: DataOptions;
  hidden: HiddenLayer[];
  outputActivation: string;
  bias: boolean;
  loss: string;
  optimizer: OptimizerName;
  learningRate: number;
  batch: BatchMode;
  /** Rows per step in mini-batch mode. */
  batchSize: number;
  /** Seeds the network's weights and, through it, the shuffling of batches. */
  seed: number;
  /**
   * The library's fit options l1 and l2 (src/nn/penalty.ts), either or both (0: off): the training
   * loss gains l1·Σ|W| + l2/2·ΣW² over the weights, not the biases, and W_update l1·sign(W) + l2·W.
   */
  l1: number;
  l2: number;
  /** One output per class even without softmax (set for a loaded model that has them). */
  oneHot?: boolean;
}

export const DEFAULT_CONFIG: PlaygroundConfig = {
  data: { name: 'xor', samples: 300, noise: 0, trainRatio: 0.5, irisFeatures: [2, 3], seed: 1 },
  // 3×8 relu with Adam at 0.01 draws a clean two-spirals boundary (94–99 % test accuracy by
  // epoch 300 for seeds 1–3); 2×4 tanh at 0.03 stays near 60 %, 3×8 tanh at 0.03 collapses to 52 %
  hidden: [
    { units: 8, activation: 'relu' },
    { units: 8, activation: 'relu' },
    { units: 8, activation: 'relu' },
  ],
  outputActivation: 'sigmoid',
  bias: true,
  loss: 'half-mean-over-samples',
  optimizer: 'adam',
  learningRate: 0.01,
  batch: 'mini',
  batchSize: 10,
  seed: 1,
  l1: 0,
  l2: 0,
};

/** The slides' 4-2-3 network on the slides' 3 samples, the whole batch at once, with the slides' loss. */
export function slidesConfig(from: PlaygroundConfig): PlaygroundConfig {
  return {
    ...from,
    data: { ...from.data, name: 'slides' },
    hidden: [{ units: IRIS3.W1[0].length, activation: 'sigmoid' }],
    outputActivation: 'sigmoid',
    bias: false,
    loss: 'half-mean-over-samples',
    optimizer: 'sgd',
    learningRate: 0.1,
    batch: 'full',
    l1: 0,
    l2: 0,
  };
}

/** Leaving the slides example for `data`: the default network and training options again. */
export function leaveSlides(from: PlaygroundConfig, data: DataOptions): PlaygroundConfig {
  const d = DEFAULT_CONFIG;
  return {
    ...from,
    data,
    hidden: d.hidden.map((l) => ({ ...l })),
    outputActivation: d.outputActivation,
    bias: d.bias,
    loss: d.loss,
    optimizer: d.optimizer,
    learningRate: d.learningRate,
    batch: d.batch,
    l1: d.l1,
    l2: d.l2,
  };
}

/** Whether the output layer wants one target column per class (softmax and the cross-entropies do). */
export function wantsOneHot(config: PlaygroundConfig): boolean {
  return config.outputActivation === 'softmax' || config.oneHot === true;
}

/** Rows per step for the config on `rows` training rows. */
export function batchRows(config: PlaygroundConfig, rows: number): number {
  if (config.batch === 'full') return rows;
  if (config.batch === 'stochastic') return 1;
  return Math.max(1, Math.min(rows, Math.round(config.batchSize)));
}

/** The library fit options for one step or one run of epochs (the optimizer object is kept by the caller). */
export function fitOptions(config: PlaygroundConfig, rows: number): FitOptions {
  const size = batchRows(config, rows);
  return {
    batchSize: size === rows ? 'full' : size,
    learningRate: config.learningRate,
    shuffle: true,
    ...penaltyOf(config),
  };
}

/** The fit options l1 and l2 the config asks for, those that are on ({} without regularisation). */
export function penaltyOf(config: PlaygroundConfig): { l1?: number; l2?: number } {
  return { ...(config.l1 > 0 ? { l1: config.l1 } : {}), ...(config.l2 > 0 ? { l2: config.l2 } : {}) };
}

/** The penalty the training loss includes, on the network's weights as they are (0 without regularisation). */
export function penaltyNow(config: PlaygroundConfig, net: Network): number {
  const { l1 = 0, l2 = 0 } = penaltyOf(config);
  return l1 || l2 ? penaltyValue(net.layers, { l1, l2 }) : 0;
}

/** The settings a running network takes from its next step on, without starting again. */
export const LIVE_SETTINGS = ['learningRate', 'optimizer', 'batch', 'batchSize', 'l1', 'l2'] as const;

/** Whether `b` differs from `a` only in live settings: the same data and the same network. */
export function sameNetwork(a: PlaygroundConfig, b: PlaygroundConfig): boolean {
  const strip = (c: PlaygroundConfig) => {
    const rest: Record<string, unknown> = { ...c };
    for (const k of LIVE_SETTINGS) delete rest[k];
    // keys in one order, so that two configs built in different ways compare equal
    return JSON.stringify(rest, (_, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v,
    );
  };
  return strip(a) === strip(b);
}
