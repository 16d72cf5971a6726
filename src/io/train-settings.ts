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
}
