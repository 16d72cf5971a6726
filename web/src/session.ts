/**
 * One training session of the playground: the data, the library Network and its optimizer.
 * Every step is a step of the library's Trainer, every run a call of its fit; every matrix shown is the library's trace of the
 * batch a step uses. No DOM here: the worker runs it, and tests run it in Node.
 */
import {
  Matrix,
  Trainer,
  fit,
  optimizer,
  trace,
  type Network,
  type Optimizer,
  type Recorder,
  type TraceEntry,
} from '../../src/index.js';
import { batchRows, fitOptions, penaltyNow, wantsOneHot, type PlaygroundConfig } from './config.js';
import { buildNetwork } from './build-network.js';
import { classOf, type Dataset } from './datasets.js';
import { datasetFor } from './csv-data.js';

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
}

export class Session {
  config: PlaygroundConfig;
  readonly data: Dataset;
  readonly net: Network;
  optimizer: Optimizer;
  private readonly X: Matrix;
  private readonly Y: Matrix;
  private readonly testX?: Matrix;
  private readonly testY?: Matrix;
  private steps = 0;
  private rowsSeen = 0;
  /** Training loss of each whole epoch played, the test loss after it, and the seconds spent in fit. */
  readonly history = { loss: [] as number[], testLoss: [] as number[], seconds: 0 };

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
  }

  /**
   * Learning rate, optimizer and batch from the next step on, the network as it is: the
   * optimizer's state (momentum, Adam's moments) is kept when it is the same optimizer.
   */
  retune(next: PlaygroundConfig): void {
    if (next.optimizer !== this.config.optimizer) this.optimizer = optimizer(next.optimizer);
    this.config = next;
  }

  get batchSize(): number {
    return batchRows(this.config, this.X.rows);
  }

  /** Gradient steps in one pass over the training rows. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.X.rows / this.batchSize);
  }

  /** A trainer at the start of an epoch, with this session's network, data, optimizer and settings. */
  private trainer(): Trainer {
    return new Trainer(this.net, this.X, this.Y, { ...fitOptions(this.config, this.X.rows), optimizer: this.optimizer });
  }

  /** The rows the next step will use: the first batch of the epoch the library's trainer would start now. */
  nextBatchRows(): number[] {
    return Array.from(this.trainer().nextBatchRows());
  }

  /** The library's trace of the next step's batch with the current weights. */
  traceNext(): TraceView {
    const rows = this.nextBatchRows();
    const t = trace(
      this.net,
      rows.map((i) => this.data.trainX[i]),
      rows.map((i) => this.data.trainY[i]),
    );
    return { rows, entries: t.entries, loss: t.loss };
  }

  /**
   * One gradient step: the first step of the library's trainer, on the rows nextBatchRows()
   * names (the network keeps its engine between steps). Throws what the trainer throws:
   * 'untrainable' through a step activation, a DivergedError when the loss becomes NaN.
   */
  step(): void {
    const started = performance.now();
    const info = this.trainer().step();
    this.history.seconds += (performance.now() - started) / 1000;
    this.steps += 1;
    this.rowsSeen += info.size;
  }

  /** `epochs` whole epochs of the library's fit. */
  run(epochs: number): void {
    const h = fit(this.net, this.X, this.Y, {
      ...fitOptions(this.config, this.X.rows),
      epochs,
      optimizer: this.optimizer,
      onBatchEnd: () => {
        this.steps += 1;
      },
      onEpochEnd: (info) => {
        this.history.loss.push(info.loss);
        if (this.testX && this.testY) this.history.testLoss.push(this.net.lossOn(this.testX, this.testY));
      },
    });
    this.history.seconds += h.seconds;
    this.rowsSeen += epochs * this.X.rows;
  }

  progress(): Progress {
    const train = this.measure(this.X, this.Y);
    const test = this.testX && this.testY ? this.measure(this.testX, this.testY) : null;
    return {
      step: this.steps,
      epoch: this.rowsSeen / this.X.rows,
      trainLoss: train.loss + penaltyNow(this.config, this.net), // with regularisation, the loss training minimises (as fit's history)
      testLoss: test?.loss ?? null,
      trainAccuracy: train.accuracy,
      testAccuracy: test?.accuracy ?? null,
    };
  }

  private measure(x: Matrix, y: Matrix): { loss: number; accuracy: number } {
    const loss = this.net.lossOn(x, y);
    const out = this.net.forward(x);
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
    };
  }
}
