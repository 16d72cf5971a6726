import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../src/data/dataset.js';
import type { Split } from '../src/data/preprocess.js';
import { BackpropError } from '../src/errors.js';
import type { ModelHistory } from '../src/io/model-file.js';
import type { ModelEvaluation } from '../src/io/model.js';
import type { CheckpointOrigin, TrainCheckpoint } from '../src/io/train-checkpoint.js';
import type { TrainModelOptions } from '../src/io/train-model.js';
import type { EpochProgress } from './progress.js';
import { runJob } from './train-job.js';

/**
 * With checkpoints, training runs in a worker thread (cli/train-worker.ts). fit is synchronous,
 * so a process training on its main thread would not see SIGINT or SIGTERM before the last
 * epoch; here the main thread stays free, and on a signal it sets a flag shared with the worker,
 * which fit's shouldStop reads after every batch: fit saves a checkpoint and returns.
 */

/** What the worker is given: the data set (its arrays moved, not copied) and plain options (no functions cross threads). */
export interface WorkerInput {
  dataset: Dataset;
  options: Omit<TrainModelOptions, 'onStart' | 'onEpochEnd' | 'checkpoint' | 'shouldStop'>;
  checkpoint?: { path: string; everyEpochs?: number; everyBatches?: number; origin: CheckpointOrigin };
  /** Send the model file's text back (when it is to be saved). */
  modelText: boolean;
  /** Set to 1 by the main thread to stop training after the current batch. */
  stop: Int32Array;
}

/** The results that matter to the command line, as plain data. */
export interface TrainedParts {
  split: Split;
  history: ModelHistory;
  train: ModelEvaluation;
  test?: ModelEvaluation;
  metrics: Record<string, number | null>;
  /** The model file's text, when asked for; or why it could not be written. */
  modelText?: string;
  modelError?: string;
}

export type WorkerMessage =
  | { type: 'start'; split: Split }
  | { type: 'epoch'; info: EpochProgress }
  | { type: 'checkpoint'; epoch: number; batch: number; epochsDone: number }
  | { type: 'done'; parts: TrainedParts }
  | { type: 'diverged'; message: string; epoch: number; batch: number; parts: TrainedParts }
  | { type: 'error'; code: string; message: string };

export type Outcome =
  | { kind: 'done'; parts: TrainedParts; signal?: NodeJS.Signals }
  | { kind: 'diverged'; message: string; epoch: number; batch: number; parts: TrainedParts };

export interface RunEvents {
  onStart?(split: Split): void;
  onEpoch?(info: EpochProgress): void;
  onCheckpoint?(at: { epoch: number; batch: number; epochsDone: number }): void;
  /** The first SIGINT or SIGTERM (only with `catchSignals`); a second one ends the process at once. */
  onSignal?(signal: NodeJS.Signals): void;
}

/**
 * Trains; resolves with the outcome, rejects with a BackpropError or an internal error. With
 * `catchSignals`, in a worker thread while the main thread waits for SIGINT and SIGTERM;
 * otherwise in this thread (the default signal handling ends the process, as for any command).
 */
export function runTraining(input: Omit<WorkerInput, 'stop'>, events: RunEvents, catchSignals: boolean): Promise<Outcome> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(128 + (constants.signals[s] ?? 2));
    signal = s;
    Atomics.store(stop, 0, 1);
    events.onSignal?.(s);
  };
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      // a signal that arrives once the results are in ends the process at once
      if (!signal) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      f();
    };
    const onMessage = (m: WorkerMessage) => {
      switch (m.type) {
        case 'start':
          return events.onStart?.(m.split);
        case 'epoch':
          return events.onEpoch?.(m.info);
        case 'checkpoint':
          return events.onCheckpoint?.(m);
        case 'done':
          return settle(() => resolve({ kind: 'done', parts: m.parts, ...(signal ? { signal } : {}) }));
        case 'diverged':
          return settle(() => resolve({ kind: 'diverged', message: m.message, epoch: m.epoch, batch: m.batch, parts: m.parts }));
        case 'error':
          return settle(() => reject(new BackpropError(m.code, m.message)));
      }
    };
    if (!catchSignals) {
      try {
        runJob({ ...input, stop }, onMessage);
      } catch (err) {
        settle(() => reject(err));
      }
      return;
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const worker = startWorker({ ...input, stop });
    worker.on('message', onMessage);
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the training worker stopped without a result (exit code ${code})`))));
  });
}

function startWorker(workerData: WorkerInput): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Run from source through tsx: the worker registers tsx before it loads its TypeScript entry.
    const entry = new URL('./train-worker.ts', here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData, transferList: buffers(workerData.dataset) });
  }
  return new Worker(new URL('./train-worker.js', here), { workerData, transferList: buffers(workerData.dataset) });
}

/** The memory of the data set's arrays, moved to the worker rather than copied. */
function buffers(d: Dataset): ArrayBuffer[] {
  const all = [d.X.data.buffer, d.Y.data.buffer, ...(d.labels ? [d.labels.buffer] : [])] as ArrayBuffer[];
  return [...new Set(all)];
}
