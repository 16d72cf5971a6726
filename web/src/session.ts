/**
 * One training session of the playground: the data, the library Network, its optimizer and one
 * library Trainer for the whole run, so that single steps and played epochs walk through the
 * epochs and shuffles exactly as one call of fit would. Every matrix shown is the library's trace
 * of the batch the next step uses. No DOM here: the worker runs it, and tests run it in Node.
 */
import {
  Matrix,
  Trainer,
  evaluate,
  optimizer,
  trace,
  type Network,
  type Optimizer,
  type Recorder,
  type TraceEntry,
  type TrainerState,
} from '../../src/index.js';
import { batchRows, fitOptions, penaltyNow, penaltyOf, wantsOneHot, type PlaygroundConfig } from './config.js';
import { buildNetwork } from './build-network.js';
import { classOf, type Dataset } from './datasets.js';
import { datasetFor } from './csv-data.js';
import { measureDue, type LastMeasurement } from './measuring.js';

/** The matrices of one pass, as the matrices view shows them. */
export interface TraceView {
  /** Which rows of the training data the batch holds (0-based). */
  rows: number[];
  entries: TraceEntry[];
  loss: { name: string; formula: string; value: number };
}

/** Every node's output over a res×res grid of the input plane, layer by layer (row-major, units innermost). */
export interface Grids {
  res: number;
  box: [number, number, number, number];
  /** For each layer, res·res·units values. */
  layers: Float32Array[];
}

/** Where training stands, sent to the page after each step or run. */
export interface Progress {
  /** Gradient steps (batches) taken since the reset. */
  step: number;
  /** Training rows seen divided by the number of training rows. */
  epoch: number;
  /** The step the losses and accuracies below were measured at: `step` when they are current, earlier while playing on large data. */
  measuredAt: number;
  trainLoss: number;
  testLoss: number | null;
  trainAccuracy: number;
  testAccuracy: number | null;
}

/** What the page needs to draw one frame. */
export interface Frame extends Progress {
  /** Weights and biases of each layer (W is inputs × units, row-major). */
  weights: { W: number[][]; b: number[] }[];
  grids?: Grids;
  trace?: TraceView;
}

/** Everything that determines the next step, for checking it against the library elsewhere. */
export interface Snapshot {
  config: PlaygroundConfig;
  model: ReturnType<Network['toJSON']>;
  rng: [number, number, number, number];
  optimizer: ReturnType<Optimizer['getState']>;
  step: number;
  /** Where the run stands in its epoch (Trainer.resumeAt puts a library trainer there). */
  position: Position;
}

/** A trainer's place in the run: the epoch, the batches of it done, its row order and partial sums. */
export type Position = Pick<TrainerState, 'epoch' | 'batch' | 'order' | 'total' | 'hits'>;

export class Session {
  config: PlaygroundConfig;
  readonly data: Dataset;
  readonly net: Network;
  optimizer: Optimizer;
  private readonly X: Matrix;
  private readonly Y: Matrix;
  private readonly testX?: Matrix;
  private readonly testY?: Matrix;
  /** The run's trainer: made with the session, carried on (its place kept) when a live setting changes. */
  private trainer: Trainer;
  private steps = 0;
  private rowsSeen = 0;
  /** A classifier's confusion matrix of the test rows (the training rows without any), as the last progress() measured it. */
  confusion: number[][] | undefined;
  /** Training loss of each whole epoch played, the test loss after it, and the seconds spent in fit. */
  readonly history = { loss: [] as number[], testLoss: [] as number[], seconds: 0 };
  /** The clock measurements are timed by, in milliseconds (tests put their own in). */
  clock: () => number = () => performance.now();
  /** The last measurement's figures, what it cost and when it ended. */
  private last?: LastMeasurement & { progress: Progress };
  /** Set when the settings change: the next frame is measured, playing or not. */
  private remeasure = false;

  /** Builds the data and the network; throws the library's BackpropError if the choices do not fit. */
  constructor(config: PlaygroundConfig, net?: Network) {
    this.config = config;
    this.data = datasetFor(config.data, wantsOneHot(config));
    this.net = net ?? buildNetwork(config, this.data);
    this.net.validate(Matrix.from(this.data.trainX, 'X'), Matrix.from(this.data.trainY, 'Y'));
    this.optimizer = optimizer(config.optimizer);
    this.X = Matrix.from(this.data.trainX, 'training X');
    this.Y = Matrix.from(this.data.trainY, 'training Y');
    if (this.data.testX.length > 0) {
      this.testX = Matrix.from(this.data.testX, 'test X');
      this.testY = Matrix.from(this.data.testY, 'test Y');
    }
    this.trainer = this.newTrainer();
  }

  /**
   * Learning rate, optimizer and batch from the next step on, the network and the run as they
   * are: the optimizer's state (momentum, Adam's moments) is kept when it is the same optimizer,
   * the epoch goes on where it was (a new batch size takes effect with the next epoch's shuffle).
   * A Trainer's settings are fixed when it is made (its engine is laid out for them), so a
   * trainer with the new settings takes over at the old one's place.
   */
  retune(next: PlaygroundConfig): void {
    this.remeasure = true;
    const sameBatch = batchRows(next, this.X.rows) === this.batchSize;
    const samePenalty = JSON.stringify(penaltyOf(next)) === JSON.stringify(penaltyOf(this.config)); // l1, l2
    if (next.optimizer === this.config.optimizer && next.learningRate === this.config.learningRate && sameBatch && samePenalty) {
      this.config = next;
      return;
    }
    const at = this.position();
    if (next.optimizer !== this.config.optimizer) this.optimizer = optimizer(next.optimizer);
    this.config = next;
    this.trainer = this.newTrainer();
    // mid-epoch under another batch size, the epoch ends here: the next step begins a new one
    this.trainer.resumeAt(sameBatch || at.batch === 0 ? at : { ...at, epoch: at.epoch + 1, batch: 0 });
  }

  /** Where the run stands (the weights are the network's). */
  position(): Position {
    const { epoch, batch, order, total, hits } = this.trainer.state();
    return { epoch, batch, order, total, hits };
  }

  get batchSize(): number {
    return batchRows(this.config, this.X.rows);
  }

  /** Gradient steps in one pass over the training rows. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.X.rows / this.batchSize);
  }

  /** A trainer at the start of a run, with this session's network, data, optimizer and settings. */
  private newTrainer(): Trainer {
    return new Trainer(this.net, this.X, this.Y, { ...fitOptions(this.config, this.X.rows), optimizer: this.optimizer });
  }

  /** The rows the next step will use, as the trainer will take them. */
  nextBatchRows(): number[] {
    return Array.from(this.trainer.nextBatchRows());
  }

  /** The library's trace of the next step's batch with the current weights. */
  traceNext(): TraceView {
    const rows = this.nextBatchRows();
    const t = trace(
      this.net,
      rows.map((i) => this.data.trainX[i]),
      rows.map((i) => this.data.trainY[i]),
      penaltyOf(this.config), // the update the step applies: W_update with l2·W + l1·sign(W), the loss with the penalty
    );
    return { rows, entries: t.entries, loss: t.loss };
  }

  /**
   * One gradient step of the run's trainer, on the rows nextBatchRows() names. Throws what the
   * trainer throws: 'untrainable' through a step activation, a DivergedError when the loss
   * becomes NaN (the weights of the last good step kept).
   */
  step(): void {
    const started = performance.now();
    const info = this.trainer.step();
    this.history.seconds += (performance.now() - started) / 1000;
    this.steps += 1;
    this.rowsSeen += info.size;
  }

  /**
   * `epochs` epochs of the run's trainer, as fit runs them: the first one finishes the epoch in
   * progress when single steps began it. Each whole epoch's loss, and the test loss after it, go
   * into the history.
   */
  run(epochs: number): void {
    const started = performance.now();
    try {
      for (let k = 0; k < epochs; k++) {
        const done = this.trainer.batch;
        const summary = this.trainer.epoch();
        this.steps += this.trainer.batches - done;
        this.rowsSeen += this.X.rows - done * this.trainer.batchSize;
        this.history.loss.push(summary.loss);
        if (this.testX && this.testY) this.history.testLoss.push(this.net.lossOn(this.testX, this.testY));
      }
    } finally {
      this.history.seconds += (performance.now() - started) / 1000;
    }
  }

  /** Loss and accuracy of the current weights on every training and test row, measured now. */
  progress(): Progress {
    const started = this.clock();
    const train = this.measure(this.X, this.Y);
    const test = this.testX && this.testY ? this.measure(this.testX, this.testY) : null;
    this.confusion = (test ?? train).confusion;
    const progress: Progress = {
      step: this.steps,
      epoch: this.rowsSeen / this.X.rows,
      measuredAt: this.steps,
      trainLoss: train.loss + penaltyNow(this.config, this.net), // with regularisation, the loss training minimises (as fit's history)
      testLoss: test?.loss ?? null,
      trainAccuracy: train.accuracy,
      testAccuracy: test?.accuracy ?? null,
    };
    const end = this.clock();
    this.last = { progress, cost: end - started, end };
    this.remeasure = false;
    return progress;
  }

  /**
   * The progress a frame shows. Paused (after a pause, a single step, a reset or a model load),
   * and after a change of settings, it is measured now: the figures are those of the weights shown.
   * While playing it is measured when measureDue says so; in between, the last figures are carried
   * with the step they were measured at (`measuredAt`), and the confusion matrix is theirs too.
   */
  frameProgress(playing: boolean): Progress {
    if (!playing || this.remeasure || !this.last || measureDue(this.last, this.clock())) return this.progress();
    return { ...this.last.progress, step: this.steps, epoch: this.rowsSeen / this.X.rows };
  }

  /**
   * Loss and accuracy on (x, y): for a classifier the library's evaluate (one forward pass, in the
   * WebAssembly kernel where it runs, block by block), which also gives the confusion matrix.
   */
  private measure(x: Matrix, y: Matrix): { loss: number; accuracy: number; confusion?: number[][] } {
    if (this.data.kind === 'classification') {
      const e = evaluate(this.net, x, y);
      return { loss: e.loss, accuracy: e.accuracy!, confusion: e.confusion };
    }
    const loss = this.net.lossOn(x, y);
    // the outputs of that same pass (one forward pass over the rows, not two)
    const out = this.net.lastOutput(x.rows);
    let hits = 0;
    for (let i = 0; i < x.rows; i++) {
      const o = out.data.subarray(i * out.cols, (i + 1) * out.cols);
      const t = y.data.subarray(i * y.cols, (i + 1) * y.cols);
      if (classOf(o) === classOf(t)) hits++;
    }
    return { loss, accuracy: hits / x.rows };
  }

  weights(): Frame['weights'] {
    return this.net.layers.map((l) => ({ W: l.W.toArray(), b: Array.from(l.b) }));
  }

  /** Every node's output over the data's box, or undefined when the inputs are not 2-D. */
  grids(res: number): Grids | undefined {
    const box = this.data.box;
    if (!box || this.net.inputs !== 2) return undefined;
    const [x0, x1, y0, y1] = box;
    const plane = new Matrix(res * res, 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        // row r counts down from the top of the box, as a picture is drawn
        plane.set(r * res + c, 0, x0 + ((c + 0.5) / res) * (x1 - x0));
        plane.set(r * res + c, 1, y1 - ((r + 0.5) / res) * (y1 - y0));
      }
    }
    const layers: Float32Array[] = [];
    const keep: Recorder = {
      record(name, value) {
        if (name.endsWith('_out')) layers.push(Float32Array.from(value.data));
      },
    };
    this.net.forward(plane, keep);
    return { res, box, layers };
  }

  snapshot(): Snapshot {
    return {
      config: this.config,
      model: this.net.toJSON(),
      rng: this.net.rng.getState(),
      optimizer: this.optimizer.getState(),
      step: this.steps,
      position: this.position(),
    };
  }
}
