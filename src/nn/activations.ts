import { BackpropError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import { exp, tanh } from './math.js';

export const ACTIVATION_NAMES = ['sigmoid', 'step', 'tanh', 'relu', 'leaky-relu', 'softmax', 'linear'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** The slope of leaky relu for negative inputs. */
export const LEAKY_SLOPE = 0.01;

/**
 * An activation function: its forward map and, beside it, the local derivative that
 * backpropagation multiplies in: `delta = error ⊙ f'(in)`.
 */
export interface Activation {
  readonly name: ActivationName;
  /** The forward formula, as text. */
  readonly formula: string;
  /** The derivative used by backward, as text. */
  readonly derivative: string;
  /** False for step: its derivative is zero almost everywhere, so nothing can be learnt through it. */
  readonly trainable: boolean;
  /** output = f(input). Softmax works row by row; the others elementwise. */
  forward(input: Matrix, output: Matrix): void;
  /** delta = error ⊙ ∂output/∂input (for softmax, the row-wise Jacobian–vector product). */
  backward(input: Matrix, output: Matrix, error: Matrix, delta: Matrix): void;
}

/** An activation defined elementwise by f(x) and f'(x) written through x and y = f(x). */
function elementwise(
  name: ActivationName,
  formula: string,
  derivative: string,
  f: (x: number) => number,
  df: (x: number, y: number) => number,
  trainable = true,
): Activation {
  return {
    name,
    formula,
    derivative,
    trainable,
    forward(input, output) {
      const x = input.data;
      const y = output.data;
      for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
    },
    backward(input, output, error, delta) {
      const x = input.data;
      const y = output.data;
      const e = error.data;
      const d = delta.data;
      for (let i = 0; i < x.length; i++) d[i] = e[i] * df(x[i], y[i]);
    },
  };
}

const sigmoid: Activation = {
  name: 'sigmoid',
  formula: 'σ(x) = 1 / (1 + e^(−x))',
  derivative: "σ'(x) = σ(x) · (1 − σ(x))",
  trainable: true,
  forward(input, output) {
    const x = input.data;
    const y = output.data;
    for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + exp(-x[i]));
  },
  backward(_input, output, error, delta) {
    const y = output.data;
    const e = error.data;
    const d = delta.data;
    // delta = error ⊙ out ⊙ (1 − out)
    for (let i = 0; i < y.length; i++) d[i] = e[i] * y[i] * (1 - y[i]);
  },
};

const softmax: Activation = {
  name: 'softmax',
  formula: 'softmax(x)_k = e^(x_k − max x) / Σ_j e^(x_j − max x), row by row',
  derivative: 'delta_k = out_k · (error_k − Σ_j error_j · out_j), row by row',
  trainable: true,
  forward(input, output) {
    const c = input.cols;
    const x = input.data;
    const y = output.data;
    for (let i = 0; i < input.rows; i++) {
      const o = i * c;
      let max = -Infinity;
      for (let j = 0; j < c; j++) if (x[o + j] > max) max = x[o + j];
      let sum = 0;
      for (let j = 0; j < c; j++) {
        const v = exp(x[o + j] - max);
        y[o + j] = v;
        sum += v;
      }
      for (let j = 0; j < c; j++) y[o + j] /= sum;
    }
  },
  backward(_input, output, error, delta) {
    const c = output.cols;
    const y = output.data;
    const e = error.data;
    const d = delta.data;
    for (let i = 0; i < output.rows; i++) {
      const o = i * c;
      let dot = 0;
      for (let j = 0; j < c; j++) dot += e[o + j] * y[o + j];
      for (let j = 0; j < c; j++) d[o + j] = y[o + j] * (e[o + j] - dot);
    }
  },
};

const ACTIVATIONS: Record<ActivationName, Activation> = {
  sigmoid,
  softmax,
  step: elementwise(
    'step',
    'step(x) = 0 if x < 0, else 1',
    "step'(x) = 0 (undefined at 0): no gradient flows through step",
    (x) => (x < 0 ? 0 : 1),
    () => 0,
    false,
  ),
  tanh: elementwise('tanh', 'tanh(x)', "tanh'(x) = 1 − tanh(x)²", tanh, (_x, y) => 1 - y * y),
  relu: elementwise(
    'relu',
    'relu(x) = max(0, x)',
    "relu'(x) = 1 if x > 0, else 0",
    (x) => (x > 0 ? x : 0),
    (x) => (x > 0 ? 1 : 0),
  ),
  'leaky-relu': elementwise(
    'leaky-relu',
    `leaky_relu(x) = x if x > 0, else ${LEAKY_SLOPE}·x`,
    `leaky_relu'(x) = 1 if x > 0, else ${LEAKY_SLOPE}`,
    (x) => (x > 0 ? x : LEAKY_SLOPE * x),
    (x) => (x > 0 ? 1 : LEAKY_SLOPE),
  ),
  linear: elementwise('linear', 'linear(x) = x', "linear'(x) = 1", (x) => x, () => 1),
};

/** Looks an activation up by name ('leaky_relu' and 'leakyrelu' are accepted for 'leaky-relu'). */
export function activation(name: string): Activation {
  const key = normaliseActivationName(name);
  if (!key) {
    throw new BackpropError(
      'option',
      `unknown activation '${name}': expected one of ${ACTIVATION_NAMES.join(', ')}`,
    );
  }
  return ACTIVATIONS[key];
}

/** The canonical name for an activation name, or undefined if unknown. */
export function normaliseActivationName(name: string): ActivationName | undefined {
  const k = String(name).trim().toLowerCase().replace(/_/g, '-');
  const key = k === 'leakyrelu' ? 'leaky-relu' : k === 'identity' ? 'linear' : k;
  return (ACTIVATION_NAMES as readonly string[]).includes(key) ? (key as ActivationName) : undefined;
}
