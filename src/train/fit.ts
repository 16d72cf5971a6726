import { BackpropError, check } from '../errors.js';
import { Matrix, type FloatArray } from '../tensor/matrix.js';
import type { Network, Param } from '../nn/network.js';
import { classesOf, isClassification, accuracy } from './metrics.js';
import { defaultLearningRate, optimizer as makeOptimizer, type Optimizer, type OptimizerName, type OptimizerSpec } from './optimizers.js';
import { scheduledRate, validateSchedule } from './schedules.js';
import type { Checkpoint } from './checkpoint.js';
import { DivergedError, type Data, type EpochInfo, type FitOptions, type History, type StopReason } from './fit-options.js';

export { DivergedError, type BatchInfo, type EpochInfo, type FitOptions, type History, type StopReason } from './fit-options.js';
import { KERNEL_CHUNK, KERNEL_MIN_STEPS, Float64Kernel } from './kernel.js';

/**
 * Trains the network by backpropagation and gradient descent: for each batch, forward, loss,
 * backward, optimizer step. Everything random comes from the network's seeded generator.
 */
export function fit(net: Network, x: Data, y: Data, options: FitOptions = {}): History {
  const started = now();
  const X0 = net.input(x, 'X');
  const Y0 = net.input(y, 'Y');
  net.validate(X0, Y0);
  const stuck = net.layers.findIndex((l) => !l.activation.trainable);
  if (stuck >= 0) {
    throw new BackpropError(
      'untrainable',
      `layer ${stuck + 1} uses the step activation, whose derivative is 0 everywhere except at 0, where it is undefined. ` +
        'Backpropagation multiplies by that derivative, so every gradient below it is 0 and gradient descent cannot learn. ' +
        "Use 'sigmoid', the smooth version of step, as the slides do (step stays available for forward passes and traces).",
    );
  }

  const epochs = options.epochs ?? 100;
  check(Number.isInteger(epochs) && epochs >= 0, `epochs must be a whole number ≥ 0, got ${epochs}`);
  const opt = resolveOptimizer(options.optimizer);
  const lr0 = options.learningRate ?? defaultLearningRate(opt.spec.name);
  check(Number.isFinite(lr0) && lr0 > 0, `learningRate must be a positive number, got ${lr0}`);
  validateSchedule(options.schedule);
  const shuffle = options.shuffle ?? true;
  const threshold = options.errorThreshold;
  check(threshold === undefined || Number.isFinite(threshold), `errorThreshold must be a number, got ${threshold}`);
  const cp = options.checkpoint;
  if (cp) {
    for (const k of ['everyBatches', 'everyEpochs'] as const) {
      const v = cp[k];
      check(v === undefined || (Number.isInteger(v) && v > 0), `checkpoint.${k} must be a whole number ≥ 1, got ${v}`);
    }
  }
  const resume = options.resume;
  const params = net.params();
  if (resume) restore(net, opt, resume);

  // Validation data: given, or a seeded split of the training rows.
  let X = X0;
  let Y = Y0;
  let VX: Matrix | undefined;
  let VY: Matrix | undefined;
  let validationRows: Int32Array | undefined;
  if (options.validationData) {
    VX = net.input(options.validationData[0], 'validation X');
    VY = net.input(options.validationData[1], 'validation Y');
    net.validate(VX, VY, 'validation X');
  } else if (options.validationSplit !== undefined) {
    const f = options.validationSplit;
    check(f > 0 && f < 1, `validationSplit must be between 0 and 1 (exclusive), got ${f}`);
    const nVal = Math.round(X0.rows * f);
    check(nVal >= 1 && nVal < X0.rows, `validationSplit ${f} of ${X0.rows} rows leaves no rows on one side`);
    const perm = resume?.validationRows
      ? Int32Array.from(resume.validationRows)
      : net.rng.shuffle(Int32Array.from({ length: X0.rows }, (_, i) => i));
    validationRows = perm;
    const nTrain = X0.rows - nVal;
    X = X0.gatherRows(perm, 0, nTrain, new Matrix(nTrain, X0.cols, net.dtype));
    Y = Y0.gatherRows(perm, 0, nTrain, new Matrix(nTrain, Y0.cols, net.dtype));
    VX = X0.gatherRows(perm, nTrain, X0.rows, new Matrix(nVal, X0.cols, net.dtype));
    VY = Y0.gatherRows(perm, nTrain, X0.rows, new Matrix(nVal, Y0.cols, net.dtype));
  }

  const n = X.rows;
  const bs = options.batchSize ?? 'full';
  check(
    bs === 'full' || (Number.isInteger(bs) && bs > 0),
    `batchSize must be 'full' or a whole number ≥ 1, got ${bs}`,
  );
  const batchSize = bs === 'full' ? n : Math.min(bs, n);
  const batches = Math.ceil(n / batchSize);

  const es = typeof options.earlyStopping === 'number' ? { patience: options.earlyStopping } : options.earlyStopping;
  if (es) check(Number.isInteger(es.patience) && es.patience > 0, `earlyStopping patience must be a whole number ≥ 1, got ${es.patience}`);

  const classify = isClassification(Y);
  const history: History = resume
    ? { ...structuredCloneHistory(resume.history), stopReason: 'epochs' }
    : {
        loss: [],
        learningRate: [],
        epochs: 0,
        stopReason: 'epochs',
        seconds: 0,
        ...(classify ? { accuracy: [] } : {}),
        ...(VX ? { valLoss: [] } : {}),
        ...(VX && classify ? { valAccuracy: [] } : {}),
      };
  const secondsBefore = history.seconds;

  // Batch buffers, sized once; rows are copied in each step in the epoch's order.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const full = batches === 1;
  const bx = full ? X : new Matrix(batchSize, X.cols, net.dtype);
  const by = full ? Y : new Matrix(batchSize, Y.cols, net.dtype);
  const tail = n % batchSize;
  const tx = tail && !full ? new Matrix(tail, X.cols, net.dtype) : undefined;
  const ty = tail && !full ? new Matrix(tail, Y.cols, net.dtype) : undefined;
  const sums = net.loss.mean;
  const predicted = new Int32Array(batchSize);
  const actual = new Int32Array(batchSize);

  let best = resume?.early?.best ?? Infinity;
  let bestEpoch = resume?.early?.bestEpoch ?? 0;
  let sinceBest = resume?.early?.sinceBest ?? 0;
  let bestWeights: FloatArray[] | undefined = resume?.early?.bestParams?.map((p) => Float64Array.from(p));
  let stepsDone = 0;

  const snapshot = (epoch: number, batch: number, total: number, hits: number): Checkpoint => ({
    kind: 'backprop-checkpoint',
    epoch,
    batch,
    order: Array.from(order),
    total,
    hits,
    ...(validationRows ? { validationRows: Array.from(validationRows) } : {}),
    params: params.map((p) => Array.from(p.value)),
    optimizer: { name: opt.spec.name, ...opt.getState() },
    rng: net.rng.getState(),
    history: { ...structuredCloneHistory(history), seconds: secondsBefore + (now() - started) / 1000 },
    ...(es ? { early: { best, bestEpoch, sinceBest, ...(bestWeights ? { bestParams: bestWeights.map((w) => Array.from(w)) } : {}) } } : {}),
  });

  // The float64 WebAssembly kernel (src/train/kernel.ts) trains whenever it can: with
  // nothing to run between batches or epochs, thousands of epochs per call, the history filled
  // from what it reports; with something to run between epochs, an epoch per call; between
  // batches, a batch per call. Every way computes the bits of the JavaScript kernels.
  const perBatch = options.onBatchEnd !== undefined || options.shouldStop !== undefined || cp?.everyBatches !== undefined;
  const perEpoch = options.onEpochEnd !== undefined || VX !== undefined || es !== undefined || cp !== undefined;
  const manyEpochs = !perBatch && !perEpoch && typeof options.schedule !== 'function' && !(resume && resume.batch > 0);
  const compiled = options.compiled ?? true;
  const firstEpoch = resume ? resume.epoch : 1;
  // (a run of a few steps, like the playground's one batch per call, costs less without it)
  const kernel = compiled && (epochs - firstEpoch + 1) * batches >= KERNEL_MIN_STEPS
    ? Float64Kernel.create(net, opt, X, Y, { batchSize, shuffled: shuffle && !full, classify, threshold: manyEpochs ? threshold : undefined })
    : undefined;

  // One epoch's batches from `first` on, kept in a small function of its own so that the hot
  // loop is compiled quickly and apart from the bookkeeping below. Sums go into `acc`.
  const acc = { total: 0, hits: 0 };
  const runBatches = (epoch: number, lr: number, first: number): 'done' | 'callback' | 'interrupted' | 'interrupted-at-end' => {
    if (kernel && shuffle && !full) kernel.setOrder(order);
    for (let b = first; b < batches; b++) {
      const start = b * batchSize;
      const end = Math.min(start + batchSize, n);
      let loss: number;
      if (kernel) {
        const step = kernel.batch(lr, b);
        if (!step) {
          kernel.save();
          history.seconds = secondsBefore + (now() - started) / 1000;
          throw new DivergedError(epoch, b + 1, lr, history);
        }
        loss = step.loss;
        if (classify) acc.hits += step.hits;
      } else {
        const last = end - start !== batchSize;
        const xb = full ? bx : X.gatherRows(order, start, end, last ? tx! : bx);
        const yb = full ? by : Y.gatherRows(order, start, end, last ? ty! : by);
        loss = net.trainingPass(xb, yb, compiled);
        if (!Number.isFinite(loss) || !allFinite(params)) {
          history.seconds = secondsBefore + (now() - started) / 1000;
          throw new DivergedError(epoch, b + 1, lr, history);
        }
        if (classify) acc.hits += countHits(net.lastOutput(xb.rows), yb, predicted, actual);
        opt.step(params, lr);
      }
      stepsDone++;

      acc.total += sums ? loss * (end - start) : loss;
      if (options.onBatchEnd) {
        kernel?.save(); // the callback sees the weights, and may change them
        const go = options.onBatchEnd({ epoch, batch: b + 1, batches, size: end - start, loss });
        kernel?.load();
        if (go === false) return 'callback';
      }
      const interrupted = options.shouldStop?.() === true;
      if (cp && b + 1 < batches && (interrupted || (cp.everyBatches && stepsDone % cp.everyBatches === 0))) {
        kernel?.save();
        cp.save(snapshot(epoch, b + 1, acc.total, acc.hits));
      }
      if (interrupted) return b + 1 < batches ? 'interrupted' : 'interrupted-at-end';
    }
    return 'done';
  };

  if (resume) order.set(resume.order); // each epoch shuffles the previous epoch's order

  // The first calls are short: WebAssembly starts in its baseline compiler and moves to the
  // optimised code only for calls made after that code is ready, so the calls double in length.
  for (let epoch = firstEpoch, span = 16; kernel && manyEpochs && epoch <= epochs; span *= 2) {
    const count = Math.min(epochs - epoch + 1, span, kernel.maxEpochs);
    const lrs = new Float64Array(count);
    if (options.schedule) for (let k = 0; k < count; k++) lrs[k] = scheduledRate(options.schedule, epoch - 1 + k, lr0);
    else lrs.fill(lr0);
    // each epoch's row order, shuffled from the one before as the loop below does it
    let orders: Int32Array | undefined;
    const rngAfter: ReturnType<typeof net.rng.getState>[] = [];
    if (shuffle && !full) {
      orders = new Int32Array(count * n);
      for (let k = 0; k < count; k++) {
        net.rng.shuffle(order);
        orders.set(order, k * n);
        rngAfter.push(net.rng.getState());
      }
    }
    const run = kernel.run(lrs, orders);
    append(history.loss, run.losses);
    append(history.learningRate, lrs.subarray(0, run.epochs));
    if (classify) append(history.accuracy!, run.accuracy);
    epoch += run.epochs;
    history.epochs = epoch - 1;
    // on an early stop, the generator as the loop below would leave it: the stopping epoch has shuffled
    if (orders && run.status !== 'ran') net.rng.setState(rngAfter[run.status === 'diverged' ? run.epochs : run.epochs - 1]);
    if (run.status === 'diverged') {
      kernel.save();
      history.seconds = secondsBefore + (now() - started) / 1000;
      throw new DivergedError(epoch, run.batch, lrs[run.epochs], history);
    }
    if (run.status === 'threshold') {
      history.stopReason = 'threshold';
      break;
    }
  }
  if (kernel && manyEpochs) {
    kernel.save();
    history.seconds = secondsBefore + (now() - started) / 1000;
    return history;
  }

  for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
    const lr = scheduledRate(options.schedule, epoch - 1, lr0);
    const resuming = resume !== undefined && epoch === resume.epoch && resume.batch > 0;
    if (!resuming && shuffle && !full) net.rng.shuffle(order);
    let epochLoss: number;
    let epochAccuracy: number;
    let ended: ReturnType<typeof runBatches> = 'done';
    if (kernel && !perBatch && !resuming) {
      const run = kernel.run(Float64Array.of(lr), shuffle && !full ? order : undefined);
      kernel.save();
      if (run.status === 'diverged') {
        history.seconds = secondsBefore + (now() - started) / 1000;
        throw new DivergedError(epoch, run.batch, lr, history);
      }
      stepsDone += batches;
      epochLoss = run.losses[0];
      epochAccuracy = run.accuracy[0];
    } else {
      acc.total = resuming ? resume.total : 0;
      acc.hits = resuming ? resume.hits : 0;
      ended = runBatches(epoch, lr, resuming ? resume.batch : 0);
      kernel?.save();
      epochLoss = sums ? acc.total / n : acc.total;
      epochAccuracy = acc.hits / n;
    }
    const stopByCallback = ended === 'callback';
    if (ended === 'interrupted' || ended === 'interrupted-at-end') history.stopReason = 'interrupted';
    if (ended === 'interrupted') {
      // stopped mid-epoch: the checkpoint holds the epoch's progress
      history.seconds = secondsBefore + (now() - started) / 1000;
      return history;
    }

    history.loss.push(epochLoss);
    history.learningRate.push(lr);
    history.epochs = epoch;
    const info: EpochInfo = { epoch, loss: epochLoss, learningRate: lr };
    if (classify) history.accuracy!.push((info.accuracy = epochAccuracy));
    if (VX && VY) {
      const vl = net.lossOn(VX, VY);
      history.valLoss!.push((info.valLoss = vl));
      if (classify) history.valAccuracy!.push((info.valAccuracy = accuracy(net.forward(VX), VY)));
    }
    let stop: StopReason | undefined = history.stopReason === 'interrupted' ? 'interrupted' : undefined;
    if (options.onEpochEnd?.(info) === false || stopByCallback) stop = 'callback';
    else if (threshold !== undefined && epochLoss <= threshold) stop = 'threshold';
    else if (es) {
      const watched = info.valLoss ?? epochLoss;
      if (watched < best - (es.minDelta ?? 0)) {
        best = watched;
        bestEpoch = epoch;
        sinceBest = 0;
        if (es.restoreBest !== false) bestWeights = params.map((p) => p.value.slice());
      } else if (++sinceBest >= es.patience) {
        stop = 'early-stopping';
        history.bestEpoch = bestEpoch;
        if (bestWeights) params.forEach((p, i) => p.value.set(bestWeights![i]));
      }
    }
    const epochCheckpoint = cp && ((cp.everyEpochs && epoch % cp.everyEpochs === 0) || (cp.everyBatches && stepsDone % cp.everyBatches === 0) || stop === 'interrupted');
    if (stop) history.stopReason = stop;
    if (epochCheckpoint && (!stop || stop === 'interrupted')) cp!.save(snapshot(epoch + 1, 0, 0, 0));
    if (stop) break;
    kernel?.load(); // the callback, or early stopping, may have changed the weights
  }
  history.seconds = secondsBefore + (now() - started) / 1000;
  return history;
}

/** Puts a checkpoint's weights, optimizer state and generator state back. */
function restore(net: Network, opt: Optimizer, c: Checkpoint): void {
  check(c?.kind === 'backprop-checkpoint', 'resume: not a checkpoint (kind must be backprop-checkpoint)', 'checkpoint');
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

function structuredCloneHistory(h: History): History {
  return JSON.parse(JSON.stringify(h)) as History;
}

function resolveOptimizer(o: FitOptions['optimizer']): Optimizer {
  if (o && typeof o === 'object' && 'step' in o) return o;
  return makeOptimizer((o as OptimizerName | OptimizerSpec | undefined) ?? 'sgd');
}

/** Appends the values to the array (push.apply copies natively; spreading a typed array iterates in JavaScript). */
function append(to: number[], values: Float64Array): void {
  Array.prototype.push.apply(to, values as unknown as number[]);
}

function allFinite(params: readonly Param[]): boolean {
  // x · 0 is 0 for every finite x and NaN otherwise: one branch-free pass, four sums side by side
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (const p of params) {
    const g = p.grad;
    const n = g.length - (g.length % 4);
    for (let i = 0; i < n; i += 4) {
      s0 += g[i] * 0;
      s1 += g[i + 1] * 0;
      s2 += g[i + 2] * 0;
      s3 += g[i + 3] * 0;
    }
    for (let i = n; i < g.length; i++) s0 += g[i] * 0;
  }
  return s0 + s1 + s2 + s3 === 0;
}

function countHits(out: Matrix, y: Matrix, predicted: Int32Array, actual: Int32Array): number {
  classesOf(out, predicted);
  classesOf(y, actual);
  let h = 0;
  for (let i = 0; i < out.rows; i++) if (predicted[i] === actual[i]) h++;
  return h;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
