import { BackpropError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import type { ActivationName } from './activations.js';
import { exp, log, log1p } from './math.js';

export const LOSS_NAMES = [
  'half-mean-over-samples',
  'mean-over-samples',
  'sum-of-squares',
  'half-sum-of-squares',
  'half-mean-over-elements',
  'mean-over-elements',
  'cross-entropy',
  'binary-cross-entropy',
] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Short names accepted wherever a loss name is. */
export const LOSS_ALIASES: Record<string, LossName> = {
  mse: 'half-mean-over-samples',
  sse: 'sum-of-squares',
  'categorical-cross-entropy': 'cross-entropy',
  crossentropy: 'cross-entropy',
  bce: 'binary-cross-entropy',
};

/**
 * A loss: its value, and its derivative split the way the slides split it.
 *   O_error  = ∂L/∂O_out without the constant factor (O_out − Y for every squared error)
 *   W_update = scale · (layer input)ᵀ · delta
 * so the deltas printed by a trace are the slides' unscaled ones, and the convention's
 * constant (1/N, 2/N, 1/(NK), …) appears once, in `scale`.
 */
export interface Loss {
  readonly name: LossName;
  /** The loss as a formula over N samples and K outputs. */
  readonly formula: string;
  /** The gradient's constant factor as text, e.g. '1/N': W_update = scale · inᵀ · delta. */
  readonly scaleText: string;
  /** True when the loss is divided by N (so a batch's loss is a mean); false for plain sums. */
  readonly mean: boolean;
  /**
   * The output activation whose derivative cancels against this loss's (softmax for cross-entropy,
   * sigmoid for binary cross-entropy): with it, O_delta = O_out − Y exactly and stably.
   * A loss that has one requires that output activation.
   */
  readonly fusedWith?: ActivationName;
  /** The loss value. `logits` is O_in, used by the cross-entropies for a stable log. */
  value(out: Matrix, y: Matrix, logits: Matrix): number;
  /** O_error, written into `err`. */
  error(out: Matrix, y: Matrix, err: Matrix): void;
  /** The constant factor of the gradient for a batch of n samples with k outputs. */
  scale(n: number, k: number): number;
}

function sumSquares(out: Matrix, y: Matrix): number {
  const o = out.data;
  const t = y.data;
  let s = 0;
  for (let i = 0; i < o.length; i++) {
    const d = o[i] - t[i];
    s += d * d;
  }
  return s;
}

/** O_error = O_out − Y: the error of every loss here (the WebAssembly engine computes the same). */
export function difference(out: Matrix, y: Matrix, err: Matrix): void {
  const o = out.data;
  const t = y.data;
  const e = err.data;
  // O_error = O_out − Y
  for (let i = 0; i < o.length; i++) e[i] = o[i] - t[i];
}

function squared(
  name: LossName,
  formula: string,
  lossFactor: (n: number, k: number) => number,
  scaleText: string,
  mean = true,
): Loss {
  return {
    name,
    formula,
    scaleText,
    mean,
    value: (out, y) => lossFactor(out.rows, out.cols) * sumSquares(out, y),
    error: difference,
    // d/dO_out of c·Σ(O_out − Y)² is 2c·(O_out − Y)
    scale: (n, k) => 2 * lossFactor(n, k),
  };
}

const LOSSES: Record<LossName, Loss> = {
  'half-mean-over-samples': squared(
    'half-mean-over-samples',
    'L = 1/(2N) · Σ_n Σ_k (O_out − Y)²   (the first slide set\'s "Mean Squared Error")',
    (n) => 1 / (2 * n),
    '1/N',
  ),
  'mean-over-samples': squared(
    'mean-over-samples',
    'L = 1/N · Σ_n Σ_k (O_out − Y)²',
    (n) => 1 / n,
    '2/N',
  ),
  'sum-of-squares': squared(
    'sum-of-squares',
    'L = Σ_n Σ_k (O_out − Y)²   (Neural Network II, no ½)',
    () => 1,
    '2',
    false,
  ),
  'half-sum-of-squares': squared(
    'half-sum-of-squares',
    'L = ½ · Σ_n Σ_k (O_out − Y)²   (½ per sample, summed: the handwritten notes and the XOR slides)',
    () => 0.5,
    '1',
    false,
  ),
  'half-mean-over-elements': squared(
    'half-mean-over-elements',
    'L = 1/(2NK) · Σ_n Σ_k (O_out − Y)²   (gives the W2_update printed on the Iris slide)',
    (n, k) => 1 / (2 * n * k),
    '1/(NK)',
  ),
  'mean-over-elements': squared(
    'mean-over-elements',
    'L = 1/(NK) · Σ_n Σ_k (O_out − Y)²   (what Keras and TensorFlow.js call mean squared error)',
    (n, k) => 1 / (n * k),
    '2/(NK)',
  ),
  'cross-entropy': {
    name: 'cross-entropy',
    formula: 'L = −1/N · Σ_n Σ_k Y · log(O_out), O_out = softmax(O_in)',
    scaleText: '1/N',
    mean: true,
    fusedWith: 'softmax',
    value(_out, y, logits) {
      // −Σ_k y_k log softmax(z)_k = Σ_k y_k (logsumexp(z) − z_k), computed without overflow
      const c = logits.cols;
      const z = logits.data;
      const t = y.data;
      let s = 0;
      for (let i = 0; i < logits.rows; i++) {
        const o = i * c;
        let max = -Infinity;
        for (let j = 0; j < c; j++) if (z[o + j] > max) max = z[o + j];
        let sum = 0;
        for (let j = 0; j < c; j++) sum += exp(z[o + j] - max);
        const lse = max + log(sum);
        for (let j = 0; j < c; j++) if (t[o + j] !== 0) s += t[o + j] * (lse - z[o + j]);
      }
      return s / logits.rows;
    },
    error: difference,
    scale: (n) => 1 / n,
  },
  'binary-cross-entropy': {
    name: 'binary-cross-entropy',
    formula: 'L = −1/N · Σ_n Σ_k [Y · log(O_out) + (1 − Y) · log(1 − O_out)], O_out = σ(O_in)',
    scaleText: '1/N',
    mean: true,
    fusedWith: 'sigmoid',
    value(_out, y, logits) {
      // −[y log σ(z) + (1−y) log(1−σ(z))] = max(z, 0) − y·z + log(1 + e^(−|z|))
      const z = logits.data;
      const t = y.data;
      let s = 0;
      for (let i = 0; i < z.length; i++) s += Math.max(z[i], 0) - t[i] * z[i] + log1p(exp(-Math.abs(z[i])));
      return s / logits.rows;
    },
    error: difference,
    scale: (n) => 1 / n,
  },
};

/** Looks a loss up by name or alias (see LOSS_NAMES and LOSS_ALIASES). */
export function loss(name: string): Loss {
  const key = normaliseLossName(name);
  if (!key) {
    throw new BackpropError(
      'option',
      `unknown loss '${name}': expected one of ${LOSS_NAMES.join(', ')} (or ${Object.keys(LOSS_ALIASES).join(', ')})`,
    );
  }
  return LOSSES[key];
}

/** The canonical name for a loss name or alias, or undefined if unknown. */
export function normaliseLossName(name: string): LossName | undefined {
  const k = String(name).trim().toLowerCase().replace(/_/g, '-');
  if ((LOSS_NAMES as readonly string[]).includes(k)) return k as LossName;
  return LOSS_ALIASES[k];
}
