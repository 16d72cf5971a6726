import { BackpropError, check } from '../errors.js';
import { normaliseActivationName } from '../nn/activations.js';
import { loss as lookupLoss, normaliseLossName } from '../nn/losses.js';
import { Network } from '../nn/network.js';
import { Random } from '../tensor/random.js';
import type { Matrix } from '../tensor/matrix.js';
import { DivergedError, fit, heldOut, type EpochInfo, type History } from '../train/fit.js';
import { regularisation } from '../train/fit-options.js';
import { Trainer } from '../train/trainer.js';
import { lossInBlocks } from '../engine/forward.js';
import { trainingParts, truthOf, type Truth } from './train-parts.js';
import { defaultLearningRate, OPTIMIZER_NAMES, type OptimizerName } from '../engine/optimizers.js';
import type { CsvTable } from '../data/csv.js';
import { datasetFromTable, type Dataset, type TargetKind } from '../data/dataset.js';
import { fitScaler, splitRows, type Scaler, type ScalingName, type Split } from '../data/preprocess.js';
export type { TrainSettings } from './train-settings.js';
import { MODEL_FORMAT, MODEL_VERSION, type ModelFile, type ModelHistory } from './model-file.js';
import { Model, type DataIdentity, type ModelEvaluation } from './model.js';
import { TRAIN_DEFAULTS, type TrainSettings } from './train-settings.js';
import {
  checkCheckpointShape,
  checkResumable,
  TRAIN_CHECKPOINT_FORMAT,
  TRAIN_CHECKPOINT_VERSION,
  type SettingNames,
  type TrainCheckpoint,
} from './train-checkpoint.js';

/**
 * Everything about training on a table, each with a default that suits a small tabular data set:
 * standardised features, one hidden tanh layer, softmax with cross-entropy for classes (two
 * classes too: one code path, a probability per class name) or a linear output with mean
 * squared error for numbers (the targets standardised, and unscaled again on prediction), Adam.
 */
export interface TrainModelOptions {
  /** Target column by name (default: the last column). */
  target?: string;
  /** How to read the target (default 'auto': see DatasetOptions). */
  task?: 'auto' | TargetKind;
  /** Hidden layer sizes (default one layer of defaultHiddenUnits(inputs, outputs); [] for none). */
  layers?: number[];
  /** Activation of the hidden layers (default 'tanh'). */
  activation?: string;
  /** Activation of the output layer (default softmax for classes, linear for numbers). */
  outputActivation?: string;
  /** Loss (default: cross-entropy after softmax, binary cross-entropy after a sigmoid classifier, else mse). */
  loss?: string;
  /** Optimizer (default 'adam'). */
  optimizer?: OptimizerName;
  /** Step size (default: defaultLearningRate, 0.01 for adam and rmsprop, 0.1 for the others). */
  learningRate?: number;
  /** Rows per step: 'full' or a whole number (default 32). */
  batchSize?: number | 'full';
  /** Passes over the training rows (default 100). */
  epochs?: number;
  /** Seed of the split, the initial weights and the shuffling (default 1). */
  seed?: number;
  /** Fraction of rows held out as the test part (default 0.2; 0 when the data has fewer than 20 rows). */
  testSplit?: number;
  /** Stratify the split by class (default true; only classification targets have classes). */
  stratify?: boolean;
  /** Fraction of the training rows held out for validation (default none; 0.1 with earlyStop). */
  validationSplit?: number;
  /** Stop after this many epochs without a better validation loss, keeping the best weights. */
  earlyStop?: number;
  /** Feature scaling (default 'standard'). */
  scale?: ScalingName;
  /** L1 regularisation: loss + l1·Σ|W| over the weights, not the biases (default 0: none). */
  l1?: number;
  /** L2 regularisation (weight decay): loss + l2/2·ΣW² over the weights, not the biases (default 0: none). */
  l2?: number;
  /** Called once the rows are split and the network is built, before the first epoch. */
  onStart?: (info: { settings: TrainSettings; split: Split; network: Network }) => void;
  /**
   * Build the training and test parts in the data set's own arrays (its rows put in the split's
   * order and scaled in place) instead of copies: half the memory, and the data set is not
   * usable afterwards. The command line's training thread does this with the data handed to it.
   */
  reuseData?: boolean;
  /** Called after every epoch, with the test loss when there is a test part; return false to stop. */
  onEpochEnd?: (info: EpochInfo & { testLoss?: number }) => void | boolean;
  /** Save a checkpoint every N epochs and/or every N batches (counted across epochs), and on shouldStop. */
  checkpoint?: { everyEpochs?: number; everyBatches?: number; save: (c: TrainCheckpoint) => void };
  /**
   * Continue the run a checkpoint was made of. The data must be the same and the settings too
   * (checked; `settingNames` says what to call them in the message), except `epochs`, which may
   * grow. The run then ends with the weights an uninterrupted run would have, bit for bit.
   */
  resume?: TrainCheckpoint;
  settingNames?: SettingNames;
  /**
   * Asked after every batch: true stops training there, after saving a checkpoint (when
   * `checkpoint` is set); the history's stopReason is then 'interrupted'.
   */
  shouldStop?: () => boolean;
}

/**
 * trainModel's DivergedError (see fit): it also carries the result with the weights of the
 * last good step, so that a caller can save them. Figures that are not finite are null there.
 */
export class TrainingDivergedError extends DivergedError {
  readonly result: TrainModelResult;
  constructor(e: DivergedError, learningRate: number, result: TrainModelResult) {
    super(e.epoch, e.batch, learningRate, e.history);
    this.result = result;
  }
}

export interface TrainModelResult {
  model: Model;
  dataset: Dataset;
  settings: TrainSettings;
  split: Split;
  history: ModelHistory;
  /** The trained model on its training rows, and on its test rows (when there are some). */
  train: ModelEvaluation;
  test?: ModelEvaluation;
  /** trainLoss, trainAccuracy, testLoss, testAccuracy (or RMSE and MAE for numbers), epochs, seconds. */
  metrics: Record<string, number | null>;
}

/** Up to this many data rows, the model file lists its test rows; past it, they are derived again from the seed (see Model.splitRows). */
export const STORED_SPLIT_MAX_ROWS = 10_000;

/** Fewer data rows than this and, unless told otherwise, all rows train (there is no test part). */
export const MIN_ROWS_FOR_TEST_SPLIT = 20;

/** One hidden layer's default width: twice the larger of inputs and outputs, between 8 and 64. */
export function defaultHiddenUnits(inputs: number, outputs: number): number {
  return Math.min(64, Math.max(8, 2 * Math.max(inputs, outputs)));
}

/** The default loss for an output activation and a kind of target. */
export function defaultLoss(outputActivation: string, kind: TargetKind): string {
  const out = normaliseActivationName(outputActivation);
  if (out === 'softmax') return 'cross-entropy';
  if (out === 'sigmoid' && kind === 'classification') return 'binary-cross-entropy';
  return 'mse';
}

/** Fills in the defaults for a data set; checks what the network and fit will not. */
export function resolveSettings(dataset: Pick<Dataset, 'schema'> & { X: { rows: number; cols: number } }, o: TrainModelOptions = {}): TrainSettings {
  const { kind, classes } = dataset.schema;
  const outputs = kind === 'classification' ? classes!.length : 1;
  const layers = o.layers ?? [defaultHiddenUnits(dataset.X.cols, outputs)];
  check(
    Array.isArray(layers) && layers.every((u) => Number.isInteger(u) && u > 0),
    `layers must be a list of positive whole numbers, got ${JSON.stringify(layers)}`,
  );
  const outputActivation = o.outputActivation ?? (kind === 'classification' ? 'softmax' : 'linear');
  const optimizer = o.optimizer ?? TRAIN_DEFAULTS.optimizer;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(optimizer)) {
    throw new BackpropError('option', `unknown optimizer '${optimizer}': expected one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const learningRate = o.learningRate ?? defaultLearningRate(optimizer);
  const loss = lookupLoss(o.loss ?? defaultLoss(outputActivation, kind)).name;
  const n = dataset.X.rows;
  const testSplit = o.testSplit ?? (n < MIN_ROWS_FOR_TEST_SPLIT ? 0 : TRAIN_DEFAULTS.testSplit);
  check(Number.isFinite(testSplit) && testSplit >= 0 && testSplit < 1, `testSplit must be ≥ 0 and < 1, got ${testSplit}`);
  const validationSplit = o.validationSplit ?? (o.earlyStop !== undefined ? 0.1 : undefined);
  if (validationSplit !== undefined) {
    check(validationSplit > 0 && validationSplit < 1, `validationSplit must be > 0 and < 1, got ${validationSplit}`);
  }
  const { l1, l2 } = regularisation({ l1: o.l1 ?? TRAIN_DEFAULTS.l1, l2: o.l2 ?? TRAIN_DEFAULTS.l2 });
  return {
    target: dataset.schema.target,
    kind,
    layers,
    activation: o.activation ?? TRAIN_DEFAULTS.activation,
    outputActivation,
    loss,
    optimizer,
    learningRate,
    batchSize: o.batchSize ?? TRAIN_DEFAULTS.batchSize,
    epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
    seed: o.seed ?? TRAIN_DEFAULTS.seed,
    testSplit,
    stratify: (o.stratify ?? true) && kind === 'classification',
    ...(validationSplit !== undefined ? { validationSplit } : {}),
    ...(o.earlyStop !== undefined ? { earlyStop: o.earlyStop } : {}),
    scale: o.scale ?? TRAIN_DEFAULTS.scale,
    ...(l1 ? { l1 } : {}),
    ...(l2 ? { l2 } : {}),
  };
}

/**
 * Trains a network on a table: reads the target and features, splits the rows (seeded), fits
 * the scaling on the training rows, builds and trains the network, and measures it on both
 * parts. Runs in Node and in browsers; `Model.toText()` gives the file to save. `dataset`, when
 * given, is datasetFromTable(table, …) already done by the caller.
 */
export function trainModel(data: CsvTable | Dataset, options: TrainModelOptions = {}, given?: Dataset): TrainModelResult {
  const rows = 'X' in data ? data.X.rows : data.rows.length;
  check(rows > 0, `${data.source} has a header row but no data rows: there is nothing to train on`, 'data');
  const dataset = given ?? ('X' in data ? data : datasetFromTable(data, { target: options.target, task: options.task }));
  const table: DataIdentity = { source: dataset.source, rows: dataset.X.rows, fingerprint: dataset.fingerprint };
  const s = resolveSettings(dataset, options);
  const { kind, classes } = dataset.schema;
  check(Number.isInteger(s.seed), `seed must be a whole number, got ${s.seed}`);

  // The split has its own generator, so the test rows depend on the seed and data alone.
  const split = splitRows(dataset.X.rows, s.testSplit, new Random(s.seed), s.stratify ? dataset.labels : undefined);
  // Each part is copied out of the data once, already scaled; the scalings are fitted on the training rows where they lie.
  const features = fitScaler(dataset.X, s.scale, dataset.schema.features, split.train);
  const target = kind === 'regression' ? fitScaler(dataset.Y, s.outputActivation === 'sigmoid' ? 'minmax' : 'standard', [s.target], split.train) : undefined;
  const truth = { train: truthOf(dataset, split.train), test: truthOf(dataset, split.test) };
  const { X, Y, testX, testY } = trainingParts(dataset, split, features, target, options.reuseData === true);

  const outputs = kind === 'classification' ? classes!.length : 1;
  const network = new Network({
    inputs: X.cols,
    layers: [
      ...s.layers.map((units) => ({ units, activation: s.activation })),
      { units: outputs, activation: s.outputActivation },
    ],
    loss: s.loss,
    seed: s.seed,
  });

  const resume = options.resume;
  if (resume) checkResume(resume, table, s, options, { X, network, hasTest: testX !== undefined });

  options.onStart?.({ settings: s, split, network });
  const testLoss: number[] = resume && testX ? resume.testLoss.slice(0, resume.fit.history.epochs) : [];
  const cp = options.checkpoint;
  const run: Run = { table, dataset, s, split, network, features, target, X, Y, testX, testY, testLoss, truth };
  let fitted: History;
  try {
    fitted = fit(network, X, Y, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      optimizer: s.optimizer,
      validationSplit: s.validationSplit,
      earlyStopping: s.earlyStop,
      l1: s.l1,
      l2: s.l2,
      onEpochEnd: (info) => {
        let tl: number | undefined;
        if (testX && testY) testLoss.push((tl = lossInBlocks(network, testX, testY)));
        return options.onEpochEnd?.({ ...info, ...(tl !== undefined ? { testLoss: tl } : {}) });
      },
      ...(cp
        ? {
            checkpoint: {
              everyEpochs: cp.everyEpochs,
              everyBatches: cp.everyBatches,
              save: (c) =>
                cp.save({
                  format: TRAIN_CHECKPOINT_FORMAT,
                  version: TRAIN_CHECKPOINT_VERSION,
                  data: table,
                  settings: s,
                  testLoss: testLoss.slice(0, c.history.epochs),
                  fit: c,
                }),
            },
          }
        : {}),
      ...(resume ? { resume: resume.fit } : {}),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    throw new TrainingDivergedError(err, s.learningRate, finish(run, { ...err.history, stopReason: 'diverged' }));
  }
  return finish(run, fitted);
}

/** What trainModel built, for finish(). */
interface Run {
  table: DataIdentity;
  dataset: Dataset;
  s: TrainSettings;
  split: Split;
  network: Network;
  features: Scaler;
  target: Scaler | undefined;
  X: Matrix;
  Y: Matrix;
  testX: Matrix | undefined;
  testY: Matrix | undefined;
  testLoss: number[];
  /** Each part's classes or values in the target's units, as evaluation takes them. */
  truth: { train: Truth; test: Truth };
}

/** The model file, and the model measured on both parts. */
function finish(run: Run, fitted: ModelHistory): TrainModelResult {
  const { table, dataset, s, split, network, features, target, X, Y, testX, testY, testLoss } = run;
  const { kind } = dataset.schema;
  // With early stopping the best weights come back: keep the curves, they show what happened.
  const history: ModelHistory = finiteCurves({
    ...fitted,
    ...(testLoss.length ? { testLoss: testLoss.slice(0, fitted.epochs) } : {}),
  });

  const file = trainedModelFile({ table, schema: dataset.schema, s, network, features, target, history, ...(table.rows <= STORED_SPLIT_MAX_ROWS ? { testRows: split.test } : {}) });
  const model = new Model(file, network);
  const train = model.evaluatePrepared({ X, Y, ...run.truth.train });
  const test = testX && testY ? model.evaluatePrepared({ X: testX, Y: testY, ...run.truth.test }) : undefined;

  const figure = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null); // e.g. after a divergence
  const metrics: Record<string, number | null> = {
    trainLoss: figure(train.loss),
    testLoss: test ? figure(test.loss) : null,
    ...(kind === 'classification'
      ? { trainAccuracy: figure(train.accuracy), testAccuracy: test ? figure(test.accuracy) : null }
      : { trainRmse: figure(train.rmse), testRmse: test ? figure(test.rmse) : null, testMae: test ? figure(test.mae) : null }),
    epochs: history.epochs,
    seconds: history.seconds,
  };
  file.training.metrics = metrics;
  return { model, dataset, settings: s, split, history, train, test, metrics };
}

/** What a trained model's file is made of. */
export interface TrainedModelParts {
  table: DataIdentity;
  schema: Dataset['schema'];
  s: TrainSettings;
  network: Network;
  features: Scaler;
  target: Scaler | undefined;
  history: ModelHistory;
  /** The test rows, listed in the file (small data only). */
  testRows?: Int32Array;
  /** The test rows were chosen by a hash of each row's index (the disk cache's split, never stratified). */
  hashedSplit?: boolean;
}

/** The model file of a trained network (its metrics filled in later). */
export function trainedModelFile({ table, schema, s, network, features, target, history, testRows, hashedSplit }: TrainedModelParts): ModelFile {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network: network.toJSON() as ModelFile['network'],
    data: {
      source: table.source,
      rows: table.rows,
      fingerprint: table.fingerprint,
      ...schema,
    },
    preprocessing: { features, ...(target ? { target } : {}) },
    training: {
      optimizer: s.optimizer,
      learningRate: s.learningRate,
      batchSize: s.batchSize,
      epochs: s.epochs,
      seed: s.seed,
      testSplit: s.testSplit,
      stratified: s.stratify && !hashedSplit,
      ...(s.validationSplit !== undefined ? { validationSplit: s.validationSplit } : {}),
      ...(s.earlyStop !== undefined ? { earlyStop: s.earlyStop } : {}),
      ...(s.l1 ? { l1: s.l1 } : {}),
      ...(s.l2 ? { l2: s.l2 } : {}),
      ...(testRows ? { testRows: Array.from(testRows) } : {}),
      ...(hashedSplit ? { split: 'hashed' as const } : {}),
      history,
      metrics: {},
    },
  };
}

/** Checks that a checkpoint belongs to this data and these settings, and fits this network and its batches. */
function checkResume(resume: TrainCheckpoint, table: DataIdentity, s: TrainSettings, options: TrainModelOptions, at: { X: Matrix; network: Network; hasTest: boolean }): void {
  checkResumable(resume, table, s, options.settingNames);
  const rows = at.X.rows - heldOut(at.X.rows, s.validationSplit);
  checkCheckpointShape(resume.fit, {
    rows,
    allRows: at.X.rows,
    batches: Trainer.batchCount(rows, s.batchSize),
    paramSizes: at.network.params().map((p) => p.value.length),
    validation: s.validationSplit !== undefined,
  });
  if (at.hasTest && resume.testLoss.length < resume.fit.history.epochs) {
    throw new BackpropError('checkpoint', `the checkpoint holds ${resume.testLoss.length} test losses for ${resume.fit.history.epochs} epochs`);
  }
}

/**
 * The history with each per-epoch curve cut before its first figure that is not a finite number
 * (a test loss that overflowed as training diverged): JSON cannot hold such numbers.
 */
export function finiteCurves(h: ModelHistory): ModelHistory {
  const out = { ...h };
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'testLoss', 'learningRate'] as const) {
    const curve = h[k];
    const bad = curve ? curve.findIndex((x) => !Number.isFinite(x)) : -1;
    if (bad >= 0) out[k] = curve!.slice(0, bad);
  }
  return out;
}
