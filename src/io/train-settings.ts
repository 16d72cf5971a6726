import type { TargetKind } from '../data/dataset.js';
import type { ScalingName } from '../data/preprocess.js';
import type { OptimizerName } from '../engine/optimizers.js';

/** The settings a training run used, every default filled in. */
export interface TrainSettings {
  target: string;
  kind: TargetKind;
  layers: number[];
  activation: string;
  outputActivation: string;
  loss: string;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number | 'full';
  epochs: number;
  seed: number;
  testSplit: number;
  stratify: boolean;
  validationSplit?: number;
  earlyStop?: number;
  scale: ScalingName;
  /** L1 and L2 regularisation (src/nn/penalty.ts): present only when not 0, so runs without them read as before. */
  l1?: number;
  l2?: number;
}

/**
 * The defaults of a training run on a table, in one place: trainModel's resolveSettings fills
 * them in, and the command line shows them in its help. The rest depend on the data (hidden
 * units, output activation, loss, test split) or the optimizer (the learning rate, see
 * defaultLearningRate).
 */
export const TRAIN_DEFAULTS = {
  activation: 'tanh',
  optimizer: 'adam',
  batchSize: 32,
  epochs: 100,
  seed: 1,
  testSplit: 0.2,
  scale: 'standard',
  l1: 0,
  l2: 0,
} as const satisfies Partial<TrainSettings>;
