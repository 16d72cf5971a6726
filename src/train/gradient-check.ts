import type { FloatArray, Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { addPenalty, penaltyValue } from '../nn/penalty.js';
import { regularisation } from './fit-options.js';

export interface GradientCheckResult {
  /** max over all weights and biases of |analytic − numeric| / max(|analytic|, |numeric|, floor). */
  maxRelativeError: number;
  /** Number of values checked. */
  checked: number;
  /** Where the largest relative error is. */
  worst: { param: string; index: number; analytic: number; numeric: number };
}

export interface GradientCheckOptions {
  /** Finite-difference step (default 1e-3: with the five-point formula, rounding, not truncation, is the larger error below it). */
  epsilon?: number;
  /**
   * Gradients smaller than this in size are compared by absolute error divided by it. Default
   * max(1e-6, 1e-6·|L|): the numerical gradient's rounding error grows with the loss L (about
   * 1e-13·|L| at the default ε), so a fixed floor would fail correct gradients of large losses.
   */
  floor?: number;
  /**
   * Regularisation to check with the loss (default 0 each, as fit's options): the loss gains
   * l2/2·ΣW² + l1·Σ|W| and the gradients l2·W + l1·sign(W). Away from W = 0 for l1, where |W|
   * has no derivative.
   */
  l1?: number;
  l2?: number;
}

/**
 * Compares the gradient backpropagation computes with a numerical one from the loss alone,
 * using the five-point central difference
 *   ∂L/∂w ≈ [8(L(w+ε) − L(w−ε)) − (L(w+2ε) − L(w−2ε))] / (12ε)
 * whose truncation error is O(ε⁴); in float64 the two agree to about 1e-8 relative.
 */
export function gradientCheck(
  net: Network,
  x: Matrix | number[][],
  y: Matrix | number[][],
  options: GradientCheckOptions = {},
): GradientCheckResult {
  const eps = options.epsilon ?? 1e-3;
  const X = net.input(x, 'X');
  const Y = net.input(y, 'Y');
  net.validate(X, Y);
  const penalty = regularisation(options);
  const loss = () => net.lossOn(X, Y) + penaltyValue(net.layers, penalty);
  net.forward(X);
  net.backward(X, Y);
  addPenalty(net.layers, penalty); // as the engines' steps add it (W_update += l2·W + l1·sign(W))
  const params = net.params();
  const analytic = params.map((p) => p.grad.slice());
  const floor = options.floor ?? Math.max(1e-6, 1e-6 * Math.abs(loss()));

  const result: GradientCheckResult = {
    maxRelativeError: 0,
    checked: 0,
    worst: { param: '', index: -1, analytic: 0, numeric: 0 },
  };
  const at = (w: FloatArray, i: number, v: number) => {
    w[i] = v;
    return loss();
  };
  params.forEach((p, k) => {
    const w = p.value;
    for (let i = 0; i < w.length; i++) {
      const orig = w[i];
      const numeric =
        (8 * (at(w, i, orig + eps) - at(w, i, orig - eps)) - (at(w, i, orig + 2 * eps) - at(w, i, orig - 2 * eps))) /
        (12 * eps);
      w[i] = orig;
      const a = analytic[k][i];
      const rel = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
      result.checked++;
      if (!(rel <= result.maxRelativeError)) {
        result.maxRelativeError = rel;
        result.worst = { param: p.name, index: i, analytic: a, numeric };
      }
    }
  });
  return result;
}
