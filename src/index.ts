// The public API of backprop. ONNX export is in its own entry, 'backprop/onnx' (src/onnx.ts).
export { BackpropError } from './errors.js';
export { Matrix, matmul, addRow, colSums } from './tensor/matrix.js';
export { Random } from './tensor/random.js';
export { setThreads, setWorkerFactory, type WorkerFactory, type WorkerHandle } from './tensor/threads.js';
export { threadsReady } from './tensor/wasm.js';
export { activation, ACTIVATION_NAMES, LEAKY_SLOPE, type Activation, type ActivationName } from './nn/activations.js';
export { loss, LOSS_NAMES, LOSS_ALIASES, type Loss, type LossName } from './nn/losses.js';
export { INIT_NAMES, type InitName } from './nn/init.js';
export { Dense } from './nn/dense.js';
import './network-methods.js'; // net.fit, net.evaluate, net.toFunction
export { Network, type LayerSpec, type NetworkOptions, type NetworkJSON, type Param } from './nn/network.js';
export { optimizer, defaultLearningRate, OPTIMIZER_NAMES, type Optimizer, type OptimizerName, type OptimizerSpec } from './engine/optimizers.js';
export type { Schedule } from './train/schedules.js';
export type { Checkpoint, CheckpointOptions } from './train/checkpoint.js';
export { Trainer, type TrainerOptions, type TrainerState, type EpochSummary } from './train/trainer.js';
export type { Engine, EngineName, EngineKind } from './engine/engine.js';
export { fit, DivergedError, type FitOptions, type History, type EpochInfo, type BatchInfo, type StopReason } from './train/fit.js';
export { evaluate, accuracy, confusionMatrix, classesOf, type Evaluation } from './train/metrics.js';
export { gradientCheck, type GradientCheckResult, type GradientCheckOptions } from './train/gradient-check.js';
export { trace, traceToJSON, formatTrace, formatMatrix, TraceRecorder, type Trace, type TraceEntry } from './trace/trace.js';
export type { Recorder } from './trace/recorder.js';
export { IRIS3, XOR, XOR_SLIDE_ITERATIONS, slidesIrisNetwork } from './data/examples.js';
export { detectDelimiter, parseNumber, CSV_DELIMITERS, type CsvTable, type CsvOptions } from './data/csv.js';
export { parseCsv, CsvRecordReader, type RecordHandler } from './data/csv-records.js';
export {
  datasetFromTable,
  datasetForSchema,
  readDataset,
  readForSchema,
  MAX_AUTO_CLASSES,
  type Dataset,
  type DataSchema,
  type DatasetOptions,
  type TargetKind,
  type CsvSource,
  type ReadOptions,
  type SchemaData,
} from './data/dataset.js';
export type { StoreType } from './data/column-store.js';
export { fitScaler, applyScaler, invertScaler, splitRows, takeRows, SCALING_NAMES, type Scaler, type ScalingName, type Split, type ColumnScaling } from './data/preprocess.js';
export { parseModelFile, modelFileToText, networkFromModelFile, MODEL_FORMAT, MODEL_VERSION, type ModelFile, type ModelHistory } from './io/model-file.js';
export { Model, fingerprintTable, type PreparedData, type Predictions, type ModelEvaluation, type RowSelection } from './io/model.js';
export { trainModel, resolveSettings, defaultHiddenUnits, defaultLoss, MIN_ROWS_FOR_TEST_SPLIT, TrainingDivergedError, type TrainModelOptions, type TrainModelResult, type TrainSettings } from './io/train-model.js';
export {
  parseTrainCheckpoint,
  trainCheckpointToText,
  checkResumable,
  TRAIN_CHECKPOINT_FORMAT,
  TRAIN_CHECKPOINT_VERSION,
  type TrainCheckpoint,
  type CheckpointOrigin,
  type SettingNames,
} from './io/train-checkpoint.js';
export { toFunction, type StandaloneOptions } from './io/standalone.js';
export { setMemoryLimit, memoryLimit, TRAINING_COPIES } from './nn/limits.js';
export { setWarningHandler } from './warnings.js';
