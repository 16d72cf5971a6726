import { BackpropError } from '../src/errors.js';
import { trainModel, TrainingDivergedError, type TrainModelOptions, type TrainModelResult } from '../src/io/train-model.js';
import { saveCheckpoint } from './checkpoint-files.js';
import { Matrix } from '../src/tensor/matrix.js';
import type { Dataset } from '../src/data/dataset.js';
import type { TrainedParts, WorkerInput, WorkerMessage } from './train-runner.js';

/**
 * The training of `backprop train` (see cli/train-runner.ts): runs trainModel, saves the
 * checkpoints, and posts progress and results, from a worker thread or in the main thread.
 */
export function runJob(input: WorkerInput, post: (m: WorkerMessage) => void): void {
  try {
    const result = trainModel(revive(input.dataset), {
      ...input.options,
      reuseData: true, // the data were handed to this job: the parts are built in their memory
      onStart: ({ split }) => post({ type: 'start', split }),
      onEpochEnd: (info) => post({ type: 'epoch', info }),
      shouldStop: () => Atomics.load(input.stop, 0) !== 0,
      ...(input.checkpoint ? { checkpoint: checkpointOptions(input.checkpoint, post) } : {}),
    });
    post({ type: 'done', parts: parts(result, input.modelText) });
  } catch (err) {
    if (err instanceof TrainingDivergedError) {
      post({ type: 'diverged', message: err.message, epoch: err.epoch, batch: err.batch, parts: parts(err.result, input.modelText) });
    } else if (err instanceof BackpropError) {
      post({ type: 'error', code: err.code, message: err.message });
    } else {
      throw err;
    }
  }
}

function checkpointOptions(cp: NonNullable<WorkerInput['checkpoint']>, post: (m: WorkerMessage) => void): TrainModelOptions['checkpoint'] {
  return {
    everyEpochs: cp.everyEpochs,
    everyBatches: cp.everyBatches,
    save: (c) => {
      saveCheckpoint(cp.path, { ...c, origin: cp.origin });
      post({ type: 'checkpoint', epoch: c.fit.epoch, batch: c.fit.batch, epochsDone: c.fit.history.epochs });
    },
  };
}

function parts(r: TrainModelResult, modelText: boolean): TrainedParts {
  const p: TrainedParts = { split: r.split, history: r.history, train: r.train, test: r.test, metrics: r.metrics };
  if (modelText && !r.model.network.params().every((q) => q.value.every(Number.isFinite))) {
    p.modelError = 'some of its weights are not finite numbers';
  } else if (modelText) {
    try {
      p.modelText = r.model.toText();
    } catch (err) {
      if (!(err instanceof BackpropError)) throw err;
      p.modelError = err.message;
    }
  }
  return p;
}

/** The data set again with its matrices as Matrix objects (a worker receives them as plain objects). */
function revive(d: Dataset): Dataset {
  const m = (x: Matrix): Matrix => (x instanceof Matrix ? x : new Matrix((x as Matrix).rows, (x as Matrix).cols, (x as Matrix).data));
  return { ...d, X: m(d.X), Y: m(d.Y) };
}
