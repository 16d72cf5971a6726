import { activation as lookupActivation, type Activation } from './activations.js';
import { addRow, allocate, colSums, Matrix, matmul, type DType, type FloatArray } from '../tensor/matrix.js';

/** The buffers one layer uses for one batch size, allocated once and reused. */
export interface LayerBuffers {
  /** Pre-activation, e.g. H_in = X·W1 (+ b1). */
  readonly z: Matrix;
  /** Activation output, e.g. H_out = σ(H_in). */
  readonly a: Matrix;
  /** ∂L/∂a without the loss's constant, e.g. O_error = O_out − Y, H_error = O_delta·W2ᵀ. */
  readonly error: Matrix;
  /** ∂L/∂z without the loss's constant, e.g. O_delta = O_error ⊙ O_out ⊙ (1 − O_out). */
  readonly delta: Matrix;
}

/**
 * A fully connected layer: weights W (inputs × units), an optional bias row b, an activation.
 * Forward and backward sit side by side; both work on caller-owned buffers and allocate nothing.
 */
export class Dense {
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  /** Weights, inputs × units, so that z = x·W. */
  readonly W: Matrix;
  /** Bias row (length units; unused when useBias is false). */
  readonly b: FloatArray;
  /** Gradient of the loss with respect to W, after backward. */
  readonly dW: Matrix;
  /** Gradient of the loss with respect to b, after backward. */
  readonly db: FloatArray;
  readonly dtype: DType;

  constructor(inputs: number, units: number, activationName: string, useBias: boolean, dtype: DType = 'float64') {
    this.inputs = inputs;
    this.units = units;
    this.activation = lookupActivation(activationName);
    this.useBias = useBias;
    this.dtype = dtype;
    this.W = new Matrix(inputs, units, dtype);
    this.b = allocate(useBias ? units : 0, dtype);
    this.dW = new Matrix(inputs, units, dtype);
    this.db = allocate(useBias ? units : 0, dtype);
  }

  buffers(rows: number): LayerBuffers {
    const m = () => new Matrix(rows, this.units, this.dtype);
    return { z: m(), a: m(), error: m(), delta: m() };
  }

  /** z = x·W + b;  a = f(z). */
  forward(x: Matrix, buf: LayerBuffers): void {
    matmul(x, this.W, buf.z); //                 H_in = X·W1
    if (this.useBias) addRow(buf.z, this.b); //  … + b1, the same row for every sample
    this.activation.forward(buf.z, buf.a); //    H_out = σ(H_in)
  }

  /** delta = error ⊙ f'(z), from buf.error (unless the loss already wrote delta, see Network). */
  delta(buf: LayerBuffers): void {
    this.activation.backward(buf.z, buf.a, buf.error, buf.delta); // H_delta = H_error ⊙ σ'(H_in)
  }

  /** dW = scale · xᵀ·delta;  db = scale · Σ_rows delta. */
  gradients(x: Matrix, buf: LayerBuffers, scale: number): void {
    matmul(x, buf.delta, this.dW, true, false, scale); // W2_update = scale · H_outᵀ·O_delta (scale: the loss's 1/N, 1/(NK), 2/N, 1…)
    if (this.useBias) colSums(buf.delta, this.db, scale); // b2_update = scale · Σ_n O_delta
  }

  /** The error handed to the layer below: prevError = delta·Wᵀ. */
  backError(buf: LayerBuffers, prevError: Matrix): void {
    matmul(buf.delta, this.W, prevError, false, true); // H_error = O_delta·W2ᵀ
  }
}
