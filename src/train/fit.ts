import { check } from '../errors.js';
import { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import type { Checkpoint, CheckpointOptions } from './checkpoint.js';
import { EarlyStopping, errorThreshold, userEpochEnd, validation, type EpochCallback } from './callbacks.js';
import { Trainer } from './trainer.js';
import { refuseUntrainable, resolveOptimizer, restoreWeights, type EpochSummary } from './trainer-parts.js';
import { DivergedError, type Data, type EpochInfo, type FitOptions, type History, type StopReason } from './fit-options.js';

export { DivergedError, type BatchInfo, type EpochInfo, type FitOptions, type History, type StopReason } from './fit-options.js';

/** One call of fit: the trainer, the history it fills, and what runs between its steps. */
interface Run {
  options: FitOptions;
  trainer: Trainer;
  history: History;
  epochs: number;
  callbacks: EpochCallback[];
  early?: EarlyStopping;
  cp?: CheckpointOptions;
  validationRows?: Int32Array;
  /** Something runs after every batch. */
  perBatch: boolean;
  /** Nothing runs between epochs: the trainer may run many per call of its engine. */
  fast: boolean;
  stepsDone: number;
  stoppedByBatch: boolean;
  /** The history's seconds so far. */
  clock(): number;
}

/**
 * Trains the network by backpropagation and gradient descent: for each batch, forward, loss,
 * backward, optimizer step (see Trainer), with the callbacks of FitOptions between them.
 * Everything random comes from the network's seeded generator.
 */
export function fit(net: Network, x: Data, y: Data, options: FitOptions = {}): History {
  const started = now();
  const run = begin(net, x, y, options, started);
  try {
    if (run.fast) {
      const left = run.epochs - run.trainer.currentEpoch + 1;
      if (left > 0 && run.trainer.epochs(left, run.history, options.errorThreshold) === 'threshold') run.history.stopReason = 'threshold';
    } else {
      epochLoop(run);
    }
    return run.history;
  } catch (e) {
    if (e instanceof DivergedError && e.history !== run.history) throw new DivergedError(e.epoch, e.batch, e.learningRate, run.history);
    throw e;
  } finally {
    run.trainer.sync();
    run.history.seconds = run.clock();
  }
}

/** Checks the options, splits off the validation rows, puts a checkpoint back, and builds the trainer and callbacks. */
function begin(net: Network, x: Data, y: Data, options: FitOptions, started: number): Run {
  const X0 = net.input(x, 'X');
  const Y0 = net.input(y, 'Y');
  net.validate(X0, Y0);
  refuseUntrainable(net);
  const epochs = options.epochs ?? 100;
  if (!(Number.isInteger(epochs) && epochs >= 0)) check(false, `epochs must be a whole number ≥ 0, got ${epochs}`);
  const threshold = options.errorThreshold;
  if (!(threshold === undefined || Number.isFinite(threshold))) check(false, `errorThreshold must be a number, got ${threshold}`);
  const cp = options.checkpoint;
  for (const k of cp ? (['everyBatches', 'everyEpochs'] as const) : []) {
    const v = cp![k];
    check(v === undefined || (Number.isInteger(v) && v > 0), `checkpoint.${k} must be a whole number ≥ 1, got ${v}`);
  }
  const opt = resolveOptimizer(options.optimizer);
  const resume = options.resume;
  if (resume) {
    check(resume?.kind === 'backprop-checkpoint', 'resume: not a checkpoint (kind must be backprop-checkpoint)', 'checkpoint');
    restoreWeights(net, opt, resume);
  }
  const split = splitValidation(net, X0, Y0, options);
  const { batchSize, learningRate, schedule, shuffle, engine, compiled, l1, l2 } = options;
  const trainer = new Trainer(net, split.X, split.Y, { batchSize, learningRate, optimizer: opt, schedule, shuffle, engine, compiled, l1, l2 });
  trainer.autoSync = false;
  if (resume) trainer.resumeAt(resume);

  const es = typeof options.earlyStopping === 'number' ? { patience: options.earlyStopping } : options.earlyStopping;
  const early = es ? new EarlyStopping(net, es, resume?.early) : undefined;
  const classify = trainer.classify;
  const VX = split.VX;
  const history: History = resume
    ? { ...cloneHistory(resume.history), stopReason: 'epochs' }
    : {
        loss: [], learningRate: [], epochs: 0, stopReason: 'epochs', seconds: 0,
        ...(classify ? { accuracy: [] } : {}), ...(VX ? { valLoss: [] } : {}), ...(VX && classify ? { valAccuracy: [] } : {}),
      };
  const secondsBefore = history.seconds;
  const perBatch = options.onBatchEnd !== undefined || options.shouldStop !== undefined || cp?.everyBatches !== undefined;
  const perEpoch = options.onEpochEnd !== undefined || VX !== undefined || es !== undefined || cp !== undefined;
  const run: Run = {
    options, trainer, history, epochs, early, cp, perBatch,
    validationRows: split.rows,
    fast: !perBatch && !perEpoch && typeof options.schedule !== 'function',
    callbacks: [],
    stepsDone: 0,
    stoppedByBatch: false,
    clock: () => secondsBefore + (now() - started) / 1000,
  };
  run.callbacks = [
    ...(VX && split.VY ? [validation(net, VX, split.VY, classify, trainer)] : []),
    userEpochEnd(options.onEpochEnd, () => run.stoppedByBatch),
    ...(threshold !== undefined ? [errorThreshold(threshold)] : []),
    ...(early ? [early] : []),
  ];
  return run;
}

/** The validation rows, given or split off the training rows with the seeded generator (or as a checkpoint recorded them). */
function splitValidation(net: Network, X0: Matrix, Y0: Matrix, options: FitOptions) {
  if (options.validationData) {
    const VX = net.input(options.validationData[0], 'validation X');
    const VY = net.input(options.validationData[1], 'validation Y');
    net.validate(VX, VY, 'validation X');
    return { X: X0, Y: Y0, VX, VY, rows: undefined };
  }
  const f = options.validationSplit;
  if (f === undefined) return { X: X0, Y: Y0, VX: undefined, VY: undefined, rows: undefined };
  check(f > 0 && f < 1, `validationSplit must be between 0 and 1 (exclusive), got ${f}`);
  const nVal = heldOut(X0.rows, f);
  check(nVal >= 1 && nVal < X0.rows, `validationSplit ${f} of ${X0.rows} rows leaves no rows on one side`);
  const recorded = options.resume?.validationRows;
  const perm = recorded ? Int32Array.from(recorded) : net.rng.shuffle(Int32Array.from({ length: X0.rows }, (_, i) => i));
  const nTrain = X0.rows - nVal;
  const part = (m: Matrix, from: number, to: number) => m.gatherRows(perm, from, to, new Matrix(to - from, m.cols, net.dtype));
  return { X: part(X0, 0, nTrain), Y: part(Y0, 0, nTrain), VX: part(X0, nTrain, X0.rows), VY: part(Y0, nTrain, X0.rows), rows: perm };
}

/** Rows validationSplit `f` holds out of `rows`. */
export function heldOut(rows: number, f: number | undefined): number {
  return f === undefined ? 0 : Math.round(rows * f);
}

/** Epoch after epoch, with the callbacks between them (and between batches when one needs it). */
function epochLoop(run: Run): void {
  const { trainer } = run;
  while (trainer.currentEpoch <= run.epochs) {
    let ended: Ended = 'done';
    if (run.perBatch) {
      ended = batchLoop(run);
    } else {
      run.stepsDone += trainer.batches - trainer.batch;
      trainer.epoch();
    }
    if (ended === 'interrupted') {
      run.history.stopReason = 'interrupted'; // stopped mid-epoch: the checkpoint holds the epoch's progress
      return;
    }
    run.stoppedByBatch = ended === 'callback';
    const summary = run.stoppedByBatch && trainer.batch > 0 ? trainer.partialEpoch() : trainer.lastEpoch!;
    if (endOfEpoch(run, summary, ended)) return;
  }
}

type Ended = 'done' | 'callback' | 'interrupted' | 'interrupted-at-end';

/** The rest of an epoch's batches, with onBatchEnd, shouldStop and batch checkpoints after each. */
function batchLoop(run: Run): Ended {
  const { trainer, options, cp } = run;
  for (;;) {
    const info = trainer.step();
    run.stepsDone++;
    if (options.onBatchEnd) {
      trainer.sync(); // the callback sees the weights, and may change them
      const go = options.onBatchEnd(info);
      trainer.touched();
      if (go === false) return 'callback';
    }
    const interrupted = options.shouldStop?.() === true;
    const more = info.batch < info.batches;
    if (cp && more && (interrupted || (cp.everyBatches && run.stepsDone % cp.everyBatches === 0))) cp.save(snapshot(run));
    if (interrupted) return more ? 'interrupted' : 'interrupted-at-end';
    if (!more) return 'done';
  }
}

/** The history, the epoch callbacks and the epoch's checkpoint; true when training stops here. */
function endOfEpoch(run: Run, s: EpochSummary, ended: Ended): boolean {
  const { trainer, history, cp } = run;
  trainer.sync();
  history.loss.push(s.loss);
  history.learningRate.push(s.learningRate);
  history.epochs = s.epoch;
  const info: EpochInfo = { epoch: s.epoch, loss: s.loss, learningRate: s.learningRate };
  if (trainer.classify) history.accuracy!.push((info.accuracy = s.accuracy));
  let stop: StopReason | undefined = ended === 'interrupted-at-end' ? 'interrupted' : undefined;
  for (const callback of run.callbacks) {
    const asked = callback.onEpochEnd(info, history);
    if (asked) {
      stop = asked;
      break;
    }
  }
  const due = cp && ((cp.everyEpochs && s.epoch % cp.everyEpochs === 0) || (cp.everyBatches && run.stepsDone % cp.everyBatches === 0) || stop === 'interrupted');
  if (stop) history.stopReason = stop;
  if (due && (!stop || stop === 'interrupted')) cp!.save(snapshot(run));
  if (stop) return true;
  trainer.touched(); // the callbacks, or early stopping, may have changed the weights
  return false;
}

/** The checkpoint of where the run stands: the trainer's state, the history so far, early stopping's bookkeeping. */
function snapshot(run: Run): Checkpoint {
  const s = run.trainer.state();
  return {
    kind: 'backprop-checkpoint',
    epoch: s.epoch,
    batch: s.batch,
    order: s.order,
    total: s.total,
    hits: s.hits,
    ...(run.validationRows ? { validationRows: Array.from(run.validationRows) } : {}),
    params: s.params,
    optimizer: s.optimizer,
    rng: s.rng,
    history: { ...cloneHistory(run.history), seconds: run.clock() },
    ...(run.early ? { early: run.early.state() } : {}),
  };
}

function cloneHistory(h: History): History {
  return JSON.parse(JSON.stringify(h)) as History;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
