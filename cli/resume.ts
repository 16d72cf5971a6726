import type { SettingNames, TrainCheckpoint } from '../src/io/train-checkpoint.js';
import type { TrainModelOptions } from '../src/io/train-model.js';

/** The flag that sets each training setting, to name it in messages. */
export const SETTING_FLAGS: SettingNames = {
  target: '--target',
  kind: '--task',
  layers: '--layers',
  activation: '--activation',
  outputActivation: '--output-activation',
  loss: '--loss',
  optimizer: '--optimizer',
  learningRate: '--lr',
  batchSize: '--batch',
  epochs: '--epochs',
  seed: '--seed',
  testSplit: '--test-split',
  stratify: '--no-stratify',
  validationSplit: '--validation-split',
  earlyStop: '--early-stop',
  scale: '--scale',
  l1: '--l1',
  l2: '--l2',
};

/** Each training flag (as commander names its value) and the option it sets. */
const OPTION_OF_FLAG = {
  target: 'target',
  task: 'task',
  layers: 'layers',
  activation: 'activation',
  outputActivation: 'outputActivation',
  loss: 'loss',
  optimizer: 'optimizer',
  lr: 'learningRate',
  batch: 'batchSize',
  epochs: 'epochs',
  seed: 'seed',
  testSplit: 'testSplit',
  validationSplit: 'validationSplit',
  earlyStop: 'earlyStop',
  scale: 'scale',
  stratify: 'stratify',
  l1: 'l1',
  l2: 'l2',
} as const satisfies Record<string, keyof TrainModelOptions>;

/**
 * The options of a resumed run: the checkpoint's settings, with the flags given on the command
 * line (`given` says which were) put over them. They are then checked against the checkpoint:
 * any difference but the number of epochs is refused, naming the flag.
 */
export function resumeOptions(c: TrainCheckpoint, flags: TrainModelOptions, given: (flag: string) => boolean): TrainModelOptions {
  const s = c.settings;
  const options: TrainModelOptions = {
    target: s.target,
    task: s.kind,
    layers: s.layers,
    activation: s.activation,
    outputActivation: s.outputActivation,
    loss: s.loss,
    optimizer: s.optimizer,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    epochs: s.epochs,
    seed: s.seed,
    testSplit: s.testSplit,
    stratify: s.stratify,
    validationSplit: s.validationSplit,
    earlyStop: s.earlyStop,
    scale: s.scale,
    l1: s.l1,
    l2: s.l2,
  };
  for (const [flag, key] of Object.entries(OPTION_OF_FLAG)) {
    if (given(flag)) (options as Record<string, unknown>)[key] = flags[key];
  }
  return options;
}
