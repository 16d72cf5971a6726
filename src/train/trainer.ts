import { check } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import type { Engine, EngineInput, EngineName, EpochsRun } from '../engine/engine.js';
import { createEngine } from '../engine/create.js';
import { Random } from '../tensor/random.js';
import { isClassification } from './metrics.js';
import { defaultLearningRate, type Optimizer } from '../engine/optimizers.js';
import { refuseUntrainable, resolveOptimizer, restoreWeights, type EpochSink, type EpochSummary, type TrainerOptions, type TrainerState } from './trainer-parts.js';

export type { EpochSink, EpochSummary, TrainerOptions, TrainerState } from './trainer-parts.js';
import { scheduledRate, validateSchedule, type Schedule } from './schedules.js';
import { DivergedError, regularisation, type BatchInfo, type Data } from './fit-options.js';

/**
 * Trains a network on (X, Y) step by step: it holds the optimizer, the engine, the row order and
 * the position in the epoch. step() takes the next batch, epoch() finishes the epoch, epochs()
 * runs many with nothing between them (in as few engine calls as it can), state()/restore()
 * carry a run across processes. Everything random comes from the network's generator: each epoch
 * shuffles the previous epoch's order when its first step is taken.
 *
 * Between calls the weights are the network's (`autoSync`, the default): each call takes them
 * into the engine and hands them back. fit turns that off and calls sync() and touched() itself,
 * only where a callback looks at the weights or may change them.
 */
export class Trainer {
  readonly net: Network;
  readonly optimizer: Optimizer;
  readonly X: Matrix;
  readonly Y: Matrix;
  readonly rows: number;
  readonly batchSize: number;
  readonly batches: number;
  /** The targets are classes (every value 0 or 1): steps count the rows classified right. */
  readonly classify: boolean;
  /** The rate before any schedule. */
  readonly learningRate: number;
  readonly schedule: Schedule | undefined;
  /** Whether each epoch takes the rows in a new shuffled order. */
  readonly shuffled: boolean;
  /** The regularisation coefficients (0: none). */
  readonly l1: number;
  readonly l2: number;
  /** Whether each call takes the network's weights in and hands them back (see the class comment). */
  autoSync = true;
  /** The last whole epoch. */
  lastEpoch: EpochSummary | undefined;
  private readonly engineName: EngineName;
  private readonly order: Int32Array;
  private epochNo = 1;
  private batchNo = 0;
  private total = 0;
  private hits = 0;
  private engineHeld: Engine | undefined;
  /** What the engine is built from. */
  private readonly input: EngineInput;
  /** The engine's order is not the trainer's (a new epoch, or a restore). */
  private orderSent = false;
  /** The engine holds newer weights than the network. */
  private ahead = false;
  /** The network may hold newer weights than the engine. */
  private stale = false;
  /** Epochs in the next call of the engine's epochs() (see chunk()). */
  private span = 0;

  constructor(net: Network, x: Data, y: Data, options: TrainerOptions = {}) {
    this.net = net;
    this.X = net.input(x, 'X');
    this.Y = net.input(y, 'Y');
    net.validate(this.X, this.Y);
    this.optimizer = resolveOptimizer(options.optimizer);
    this.learningRate = options.learningRate ?? defaultLearningRate(this.optimizer.spec.name);
    if (!(Number.isFinite(this.learningRate) && this.learningRate > 0)) check(false, `learningRate must be a positive number, got ${this.learningRate}`);
    validateSchedule(options.schedule);
    this.schedule = options.schedule;
    const bs = options.batchSize ?? 'full';
    if (!(bs === 'full' || (Number.isInteger(bs) && bs > 0))) check(false, `batchSize must be 'full' or a whole number ≥ 1, got ${bs}`);
    this.rows = this.X.rows;
    this.batchSize = bs === 'full' ? this.rows : Math.min(bs, this.rows);
    this.batches = Math.ceil(this.rows / this.batchSize);
    this.shuffled = (options.shuffle ?? true) && this.batches > 1;
    this.classify = isClassification(this.Y);
    ({ l1: this.l1, l2: this.l2 } = regularisation(options));
    this.engineName = options.engine ?? (options.compiled === false ? 'reference' : 'auto');
    this.order = new Int32Array(this.rows);
    for (let i = 0; i < this.rows; i++) this.order[i] = i;
    this.input = { net, opt: this.optimizer, X: this.X, Y: this.Y, batchSize: this.batchSize, shuffled: this.shuffled, classify: this.classify, l1: this.l1, l2: this.l2 };
  }

  /** Batches in an epoch of `rows` rows. */
  static batchCount(rows: number, batchSize: number | 'full'): number {
    return batchSize === 'full' ? 1 : Math.ceil(rows / Math.min(batchSize, rows));
  }

  /** The 1-based epoch in progress, or the next one when `batch` is 0. */
  get currentEpoch(): number {
    return this.epochNo;
  }

  /** Batches of the current epoch already done. */
  get batch(): number {
    return this.batchNo;
  }

  /** The engine the steps run on (made on first use, and kept); a network that cannot learn is refused here. */
  get engine(): Engine {
    if (!this.engineHeld) refuseUntrainable(this.net);
    this.engineHeld ??= createEngine(this.input, this.engineName);
    return this.engineHeld;
  }

  /** The learning rate of an epoch (default: the current one), after the schedule. */
  rate(epoch = this.epochNo): number {
    return scheduledRate(this.schedule, epoch - 1, this.learningRate);
  }

  /** The rows (0-based) the next step() takes, without drawing from the generator. */
  nextBatchRows(): Int32Array {
    let order = this.order;
    if (this.batchNo === 0 && this.shuffled) {
      const rng = new Random(0);
      rng.setState(this.net.rng.getState());
      order = rng.shuffle(order.slice());
    }
    const start = this.batchNo * this.batchSize;
    return order.slice(start, Math.min(start + this.batchSize, this.rows));
  }

  /** One step on the next batch. Throws DivergedError (keeping the last good weights) when the loss or a gradient is not finite. */
  step(): BatchInfo {
    const engine = this.prepare();
    const b = this.batchNo;
    const lr = this.rate();
    const r = engine.step(b, lr);
    this.ahead = true;
    if (!r) this.diverged(b + 1, lr);
    const size = Math.min(this.batchSize, this.rows - b * this.batchSize);
    const info: BatchInfo = { epoch: this.epochNo, batch: b + 1, batches: this.batches, size, loss: r.loss };
    this.total += this.net.loss.mean ? r.loss * size : r.loss;
    this.hits += r.hits;
    if (++this.batchNo === this.batches) this.endEpoch(this.summary(lr));
    if (this.autoSync) this.sync();
    return info;
  }

  /** Runs the rest of the current epoch (all of it when none has been taken) and returns it. */
  epoch(): EpochSummary {
    if (this.batchNo > 0 || !this.engine.epochs) {
      const auto = this.autoSync;
      this.stale ||= auto;
      this.autoSync = false;
      try {
        do this.step();
        while (this.batchNo > 0);
      } finally {
        this.autoSync = auto;
      }
    } else {
      const engine = this.prepare();
      const lr = this.rate();
      const run = engine.epochs!(Float64Array.of(lr), this.shuffled ? this.order : undefined, undefined);
      this.ahead = true;
      if (run.status === 'diverged') this.divergedIn(run, lr);
      this.endEpoch({ epoch: this.epochNo, loss: run.losses[0], accuracy: run.accuracy[0], learningRate: lr });
    }
    if (this.autoSync) this.sync();
    return this.lastEpoch!;
  }

  /**
   * Up to `count` whole epochs with nothing run between them, appending each one's loss, accuracy
   * and rate to `into` (and its epoch count); stops after an epoch whose loss is at or below
   * `threshold`. The WebAssembly engine runs many epochs per call. Returns 'threshold' when the
   * threshold stopped it.
   */
  epochs(count: number, into: EpochSink, threshold?: number): 'epochs' | 'threshold' {
    const last = this.epochNo + count - 1; // (an epoch begun counts as one)
    const auto = this.autoSync;
    this.stale ||= auto;
    this.autoSync = false;
    try {
      while (this.epochNo <= last) {
        if (this.engine.epochs && this.batchNo === 0) {
          if (this.chunk(this.prepare(), last, into, threshold) === 'threshold') return 'threshold';
          continue;
        }
        const s = this.epoch();
        into.loss.push(s.loss);
        into.learningRate.push(s.learningRate);
        if (this.classify) into.accuracy?.push(s.accuracy);
        into.epochs = s.epoch;
        if (threshold !== undefined && s.loss <= threshold) return 'threshold';
      }
      return 'epochs';
    } finally {
      this.autoSync = auto;
      if (auto) this.sync();
    }
  }

  /** Hands the engine's weights, gradients and optimizer state back to the network (when it is ahead). */
  sync(): void {
    if (!this.ahead) return;
    this.engineHeld?.save();
    this.ahead = false;
  }

  /** Says the network's weights (or the optimizer's state) may have changed: the next step takes them again. */
  touched(): void {
    this.stale = true;
  }

  /** The loss and accuracy of the current epoch so far (for a run stopped mid-epoch). */
  partialEpoch(): EpochSummary {
    return this.summary(this.rate());
  }

  /** Position, weights, optimizer and generator: what restore() needs to go on exactly. */
  state(): TrainerState {
    this.sync();
    return {
      epoch: this.epochNo,
      batch: this.batchNo,
      order: Array.from(this.order),
      total: this.total,
      hits: this.hits,
      params: this.net.params().map((p) => Array.from(p.value)),
      optimizer: { name: this.optimizer.spec.name, ...this.optimizer.getState() },
      rng: this.net.rng.getState(),
    };
  }

  /** Puts a state back: weights, optimizer, generator, and the position in the epoch. */
  restore(s: TrainerState): void {
    restoreWeights(this.net, this.optimizer, s);
    this.resumeAt(s);
  }

  /** Puts only the position back (epoch, batch, row order, partial sums). */
  resumeAt(s: Pick<TrainerState, 'epoch' | 'batch' | 'order' | 'total' | 'hits'>): void {
    check(s.order.length === this.rows && s.batch >= 0 && s.batch < this.batches, 'resume: the checkpoint was made for other data or batches', 'checkpoint');
    this.order.set(s.order);
    this.epochNo = s.epoch;
    this.batchNo = s.batch;
    this.total = s.batch > 0 ? s.total : 0;
    this.hits = s.batch > 0 ? s.hits : 0;
    this.orderSent = false;
    this.stale = true;
  }

  /** The engine, ready for the next step: the network's weights taken in if need be, a new epoch's rows shuffled. */
  private prepare(): Engine {
    const fresh = this.engineHeld === undefined;
    const engine = this.engine;
    if (!fresh && engine.claim?.(this.input)) this.orderSent = false; // another trainer of this network had it
    else if (!fresh && (this.stale || this.autoSync)) engine.load();
    this.stale = false;
    if (this.batchNo === 0) {
      this.total = 0;
      this.hits = 0;
      if (this.shuffled) {
        this.net.rng.shuffle(this.order);
        this.orderSent = false;
      }
    }
    if (!this.orderSent && this.shuffled) engine.setOrder(this.order);
    this.orderSent = true;
    return engine;
  }

  /** Many epochs in one call of the engine: their orders drawn first, the generator left as the steps would leave it. */
  private chunk(engine: Engine, last: number, into: EpochSink, threshold: number | undefined): 'epochs' | 'threshold' {
    // The first calls are short: WebAssembly starts in its baseline compiler and moves to the
    // optimised code only for calls made after that code is ready, so the calls double in length.
    this.span = this.span ? this.span * 2 : 16;
    const n = this.rows;
    const count = Math.min(last - this.epochNo + 1, this.span, engine.maxEpochs);
    const lrs = new Float64Array(count);
    for (let k = 0; k < count; k++) lrs[k] = this.rate(this.epochNo + k);
    // prepare() shuffled the first epoch's order: each further epoch shuffles the one before
    let orders: Int32Array | undefined;
    const rngAfter: number[][] = [];
    if (this.shuffled) {
      orders = new Int32Array(count * n);
      for (let k = 0; k < count; k++) {
        if (k > 0) this.net.rng.shuffle(this.order);
        orders.set(this.order, k * n);
        rngAfter.push(this.net.rng.getState());
      }
    }
    const run = engine.epochs!(lrs, orders, threshold);
    this.ahead = true;
    append(into.loss, run.losses);
    append(into.learningRate, lrs.subarray(0, run.epochs));
    if (this.classify && into.accuracy) append(into.accuracy, run.accuracy);
    this.epochNo += run.epochs;
    into.epochs = this.epochNo - 1;
    if (run.epochs > 0) {
      const k = run.epochs - 1;
      this.lastEpoch = { epoch: this.epochNo - 1, loss: run.losses[k], accuracy: run.accuracy[k], learningRate: lrs[k] };
    }
    if (orders && run.status !== 'ran') {
      // on an early stop, the generator and the order as the stopping epoch left them
      const k = run.status === 'diverged' ? run.epochs : run.epochs - 1;
      this.net.rng.setState(rngAfter[k]);
      this.order.set(orders.subarray(k * n, (k + 1) * n));
    }
    if (run.status === 'diverged') this.divergedIn(run, lrs[run.epochs]);
    return run.status === 'threshold' ? 'threshold' : 'epochs';
  }

  private summary(lr: number): EpochSummary {
    const loss = this.net.loss.mean ? this.total / this.rows : this.total;
    return { epoch: this.epochNo, loss, accuracy: this.hits / this.rows, learningRate: lr };
  }

  private endEpoch(s: EpochSummary): void {
    this.lastEpoch = s;
    this.epochNo++;
    this.batchNo = 0;
    this.total = 0;
    this.hits = 0;
  }

  /** The weights of the last good step back in the network, and the error (whose history holds only the epochs done: fit puts in its own). */
  /** A many-epochs call stopped by a batch that diverged: the trainer stands before that batch, with the epoch's sums so far, as its steps would leave it. */
  private divergedIn(run: EpochsRun, lr: number): never {
    this.batchNo = run.batch - 1;
    this.total = run.partial?.total ?? 0;
    this.hits = run.partial?.hits ?? 0;
    this.orderSent = false; // the engine's row order for single steps is this epoch's again
    this.diverged(run.batch, lr);
  }

  private diverged(batch: number, lr: number): never {
    this.sync();
    throw new DivergedError(this.epochNo, batch, lr, {
      loss: [], learningRate: [], epochs: this.epochNo - 1, stopReason: 'epochs', seconds: 0,
    });
  }
}

/** Appends the values to the array (push.apply copies natively; spreading a typed array iterates in JavaScript). */
function append(to: number[], values: Float64Array): void {
  if (values.length > 16) Array.prototype.push.apply(to, values as unknown as number[]);
  else for (let i = 0; i < values.length; i++) to.push(values[i]);
}
