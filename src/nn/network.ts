import { checkNetworkSize } from './limits.js';
import { BackpropError, check } from '../errors.js';
import { Matrix, type DType, type FloatArray } from '../tensor/matrix.js';
import { Random } from '../tensor/random.js';
import { layerPrefix, type Recorder } from '../trace/recorder.js';
import { Dense, type LayerBuffers } from './dense.js';
import { initialise, INIT_NAMES, type InitName } from './init.js';
import { loss as lookupLoss, type Loss } from './losses.js';

/** One layer of a network. */
export interface LayerSpec {
  /** Number of neurons. */
  units: number;
  /** Activation name (default 'sigmoid'). */
  activation?: string;
  /** Whether this layer has a bias row (default: the network's `bias`). */
  bias?: boolean;
  /** Explicit weights, inputs × units (e.g. the slides' W1). */
  weights?: number[][];
  /** Explicit biases, length units. */
  biases?: number[];
}

export interface NetworkOptions {
  /** Number of input features (columns of X). */
  inputs: number;
  /** The layers, the last being the output layer. */
  layers: LayerSpec[];
  /** Loss name (default 'half-mean-over-samples', the first slide set's MSE). */
  loss?: string;
  /** Whether layers have biases by default (default true; the slides' Iris example has none). */
  bias?: boolean;
  /** Weight initialisation (default 'auto'). Ignored for layers given explicit weights. */
  init?: InitName;
  /** Half-width of the 'uniform' initialisation (default 0.5). */
  initRange?: number;
  /** Seed of the network's random generator, used for initialisation and by fit (default 1). */
  seed?: number;
  /**
   * Element type of weights and buffers: 'float64' (default; traces and gradient checks) or
   * 'float32' (half the memory, and the WebAssembly SIMD kernels for large products).
   */
  dtype?: DType;
}

/** The trainable arrays of a network, each beside its gradient. */
export interface Param {
  readonly name: string;
  readonly value: FloatArray;
  readonly grad: FloatArray;
}

/** A feedforward network of dense layers with a loss: forward, backward, predict. */
export class Network {
  readonly inputs: number;
  readonly layers: readonly Dense[];
  readonly loss: Loss;
  readonly seed: number;
  readonly dtype: DType;
  /** The generator behind everything random: initialisation here, shuffling and splits in fit. */
  readonly rng: Random;
  private readonly workspaces = new Map<number, LayerBuffers[]>();

  constructor(options: NetworkOptions) {
    check(options !== null && typeof options === 'object', 'new Network(options): options must be an object');
    const { inputs, layers, bias = true, init = 'auto', initRange = 0.5, seed = 1, dtype = 'float64' } = options;
    check(Number.isInteger(inputs) && inputs > 0, `inputs must be a positive whole number, got ${inputs}`);
    check(Array.isArray(layers) && layers.length > 0, 'layers must be a non-empty array of { units, activation }');
    check((INIT_NAMES as readonly string[]).includes(init), `unknown init '${init}': expected one of ${INIT_NAMES.join(', ')}`);
    check(Number.isFinite(initRange) && initRange > 0, `initRange must be a positive number, got ${initRange}`);
    check(Number.isInteger(seed), `seed must be a whole number, got ${seed}`);
    check(dtype === 'float64' || dtype === 'float32', `dtype must be 'float64' or 'float32', got '${dtype}'`);
    this.dtype = dtype;
    this.inputs = inputs;
    this.seed = seed;
    this.rng = new Random(seed);
    this.loss = lookupLoss(options.loss ?? 'half-mean-over-samples');
    checkNetworkSize(inputs, layers, bias, dtype); // before any layer is allocated

    let fanIn = inputs;
    this.layers = layers.map((spec, i) => {
      const where = `layer ${i + 1}`;
      check(
        Number.isInteger(spec?.units) && spec.units > 0,
        `${where}: units must be a positive whole number, got ${spec?.units}`,
      );
      const layer = new Dense(fanIn, spec.units, spec.activation ?? 'sigmoid', spec.bias ?? bias, dtype);
      if (spec.weights) {
        const w = Matrix.from(spec.weights, `${where} weights`);
        check(
          w.rows === fanIn && w.cols === spec.units,
          `${where}: weights are ${w.rows}×${w.cols}, expected ${fanIn}×${spec.units} (inputs × units)`,
          'shape',
        );
        check(w.findNonFinite() < 0, `${where}: weights contain NaN or an infinite value`, 'value');
        layer.W.data.set(w.data);
        if (spec.biases) {
          check(layer.useBias, `${where}: biases given but the layer has bias off`);
          check(spec.biases.length === spec.units, `${where}: ${spec.biases.length} biases, expected ${spec.units}`, 'shape');
          layer.b.set(spec.biases);
        }
      } else {
        initialise(layer, init, this.rng, initRange);
      }
      fanIn = spec.units;
      return layer;
    });

    const out = this.layers[this.layers.length - 1];
    const fused = this.loss.fusedWith;
    if (fused && out.activation.name !== fused) {
      throw new BackpropError(
        'option',
        `the ${this.loss.name} loss needs a ${fused} output layer, but the output activation is ${out.activation.name}: ` +
          `use activation '${fused}' on the last layer, or a squared-error loss`,
      );
    }
    if (out.activation.name === 'softmax' && out.units < 2) {
      throw new BackpropError('option', 'a softmax output over 1 unit is always 1: use sigmoid for a single output');
    }
  }

  /** Number of outputs (units of the last layer). */
  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  /** The trainable arrays (W1, b1, W2, …) beside their gradients. */
  params(): Param[] {
    const out: Param[] = [];
    this.layers.forEach((l, i) => {
      out.push({ name: `W${i + 1}`, value: l.W.data, grad: l.dW.data });
      if (l.useBias) out.push({ name: `b${i + 1}`, value: l.b, grad: l.db });
    });
    return out;
  }

  /** Total number of trainable values. */
  get parameterCount(): number {
    return this.params().reduce((s, p) => s + p.value.length, 0);
  }

  /** Reused buffers for a batch of `rows` samples. */
  private buffers(rows: number): LayerBuffers[] {
    let ws = this.workspaces.get(rows);
    if (!ws) {
      if (this.workspaces.size >= 8) this.workspaces.clear();
      ws = this.layers.map((l) => l.buffers(rows));
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /** X as a matrix of the network's element type. */
  input(x: Matrix | number[][], name = 'X'): Matrix {
    return Matrix.of(x, name).to(this.dtype);
  }

  /** Checks X against the network's inputs (and Y against its outputs). */
  validate(x: Matrix, y?: Matrix, what = 'X'): void {
    if (x.cols !== this.inputs) {
      throw new BackpropError('shape', `${what} has ${x.cols} columns, but the network has ${this.inputs} inputs`);
    }
    const bad = x.findNonFinite();
    if (bad >= 0) {
      throw new BackpropError(
        'value',
        `${what} has ${x.data[bad]} at row ${Math.floor(bad / x.cols) + 1}, column ${(bad % x.cols) + 1}: inputs must be finite numbers`,
      );
    }
    if (y) {
      const yw = what === 'X' ? 'Y' : `targets of ${what}`;
      if (y.rows !== x.rows) throw new BackpropError('shape', `${what} has ${x.rows} rows but ${yw} has ${y.rows}`);
      if (y.cols !== this.outputs) {
        throw new BackpropError('shape', `${yw} has ${y.cols} columns, but the network has ${this.outputs} outputs`);
      }
      const badY = y.findNonFinite();
      if (badY >= 0) {
        throw new BackpropError(
          'value',
          `${yw} has ${y.data[badY]} at row ${Math.floor(badY / y.cols) + 1}, column ${(badY % y.cols) + 1}: targets must be finite numbers`,
        );
      }
    }
  }

  /**
   * The forward pass: for each layer z = a_prev·W + b, a = f(z). Returns the output buffer
   * (reused by the next pass of the same batch size: copy it to keep it).
   */
  forward(x: Matrix, rec?: Recorder): Matrix {
    const ws = this.buffers(x.rows);
    const n = this.layers.length;
    let input = x;
    for (let i = 0; i < n; i++) {
      const layer = this.layers[i];
      const buf = ws[i];
      layer.forward(input, buf);
      if (rec) {
        const p = layerPrefix(i, n);
        const inName = i === 0 ? 'X' : `${layerPrefix(i - 1, n)}_out`;
        rec.record(`${p}_in`, buf.z, `${p}_in = ${inName}·W${i + 1}${layer.useBias ? ` + b${i + 1}` : ''}`);
        rec.record(`${p}_out`, buf.a, `${p}_out = ${layer.activation.name}(${p}_in)`);
      }
      input = buf.a;
    }
    return input;
  }

  /**
   * The backward pass for the batch last sent through forward(x): the chain rule of the slides,
   * from the output layer down, in this order:
   *
   *   1. O_error  = O_out − Y                       the loss's derivative (its constant kept apart, in `scale`)
   *   2. O_delta  = O_error ⊙ f'(O_in)              (softmax + cross-entropy, sigmoid + binary cross-entropy: O_out − Y)
   *   3. W2_update = scale · H_outᵀ·O_delta,  b2_update = scale · Σ_rows O_delta
   *   4. H_error  = O_delta·W2ᵀ                     handed to the layer below, which repeats 2–4
   *
   * and the optimizer then takes W := W − α·W_update. Leaves every gradient in the layers and
   * returns the loss. The WebAssembly engine (assembly/layers64.ts) runs the same four steps in
   * the same order.
   */
  backward(x: Matrix, y: Matrix, rec?: Recorder): number {
    const ws = this.buffers(x.rows);
    const n = this.layers.length;
    const out = ws[n - 1];
    const loss = this.loss;
    const scale = loss.scale(x.rows, this.outputs);
    const value = loss.value(out.a, y, out.z);

    loss.error(out.a, y, out.error); // O_error = O_out − Y
    for (let i = n - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const buf = ws[i];
      const input = i === 0 ? x : ws[i - 1].a;
      const fused = i === n - 1 && loss.fusedWith === layer.activation.name;
      if (fused) buf.delta.data.set(buf.error.data); // O_delta = O_out − Y: the activation's derivative cancels the loss's
      else layer.delta(buf); //                         O_delta = O_error ⊙ f'(O_in)
      layer.gradients(input, buf, scale); //            W_update = scale · inᵀ·delta
      if (i > 0) layer.backError(buf, ws[i - 1].error); // H_error = O_delta·W2ᵀ
      if (rec) this.recordBackward(rec, i, buf, fused, scale);
    }
    return value;
  }

  private recordBackward(rec: Recorder, i: number, buf: LayerBuffers, fused: boolean, scale: number): void {
    const n = this.layers.length;
    const layer = this.layers[i];
    const p = layerPrefix(i, n);
    const inName = i === 0 ? 'X' : `${layerPrefix(i - 1, n)}_out`;
    const s = this.loss.scaleText;
    rec.record(
      `${p}_error`,
      buf.error,
      i === n - 1 ? `${p}_error = O_out − Y` : `${p}_error = ${layerPrefix(i + 1, n)}_delta·W${i + 2}ᵀ`,
    );
    rec.record(
      `${p}_delta`,
      buf.delta,
      fused
        ? `${p}_delta = O_out − Y   (${layer.activation.name} with ${this.loss.name}: the derivatives cancel)`
        : `${p}_delta = ${p}_error ⊙ ${layer.activation.name}'(${p}_in)   [${layer.activation.derivative}]`,
    );
    rec.record(`W${i + 1}_update`, this.layers[i].dW, `W${i + 1}_update = ${s} · ${inName}ᵀ·${p}_delta   (${s} = ${scale})`);
    if (layer.useBias) {
      rec.record(
        `b${i + 1}_update`,
        new Matrix(1, layer.units, layer.db),
        `b${i + 1}_update = ${s} · Σ_rows ${p}_delta`,
      );
    }
  }

  /** The output of the last pass over a batch of `rows` rows (a reused buffer). */
  lastOutput(rows: number): Matrix {
    const ws = this.buffers(rows);
    return ws[ws.length - 1].a;
  }

  /** The output layer's z (O_in, the logits) of the last pass over a batch of `rows` rows (a reused buffer). */
  lastLogits(rows: number): Matrix {
    const ws = this.buffers(rows);
    return ws[ws.length - 1].z;
  }

  /** Outputs for the rows of X. */
  predict(x: Matrix | number[][]): number[][] {
    const m = this.input(x, 'X');
    this.validate(m);
    return this.forward(m).toArray();
  }

  /** Loss of the network on (X, Y), without changing anything. */
  lossOn(x: Matrix, y: Matrix): number {
    const out = this.forward(x);
    const ws = this.buffers(x.rows);
    return this.loss.value(out, y, ws[ws.length - 1].z);
  }

  /** The architecture and weights as plain data (see io/ for the versioned model file). */
  toJSON(): NetworkJSON {
    return {
      inputs: this.inputs,
      loss: this.loss.name,
      seed: this.seed,
      ...(this.dtype === 'float32' ? { dtype: this.dtype } : {}),
      layers: this.layers.map((l) => ({
        units: l.units,
        activation: l.activation.name,
        bias: l.useBias,
        weights: l.W.toArray(),
        ...(l.useBias ? { biases: Array.from(l.b) } : {}),
      })),
    };
  }

  /** A network from toJSON()'s data. */
  static fromJSON(json: NetworkJSON): Network {
    return new Network({
      inputs: json.inputs,
      loss: json.loss,
      seed: json.seed,
      dtype: json.dtype,
      layers: json.layers.map((l) => ({ ...l, biases: l.bias ? l.biases : undefined })),
    });
  }

  /** A copy with the same architecture, loss, weights and seed. */
  clone(): Network {
    const net = Network.fromJSON(this.toJSON());
    net.rng.setState(this.rng.getState());
    return net;
  }

  /** Copies every weight and bias from a network of the same shape. */
  copyWeightsFrom(other: Network): void {
    const mine = this.params();
    const theirs = other.params();
    check(
      mine.length === theirs.length && mine.every((p, i) => p.value.length === theirs[i].value.length),
      'copyWeightsFrom: the networks have different shapes',
      'shape',
    );
    mine.forEach((p, i) => p.value.set(theirs[i].value));
  }
}

export interface NetworkJSON {
  inputs: number;
  loss: string;
  seed?: number;
  dtype?: DType;
  layers: { units: number; activation: string; bias: boolean; weights: number[][]; biases?: number[] }[];
}
