import type { Dense } from './dense.js';

/**
 * Regularisation: a penalty on the size of the weights, added to the loss.
 *
 *   penalty = l2/2 · Σ W² + l1 · Σ |W|        over the weights of every layer, not the biases
 *   ∂penalty/∂W = l2 · W + l1 · sign(W)        (sign(0) = 0), added to each W_update
 *
 * l2 is weight decay (PyTorch's `weight_decay` on the weights alone), l1 pushes weights to 0.
 * The penalty is a number per step, not per row: every loss convention adds it as it is.
 */
export interface Penalty {
  /** Coefficient of Σ|W| (≥ 0; 0: none). */
  readonly l1: number;
  /** Coefficient of ½·ΣW² (≥ 0; 0: none). */
  readonly l2: number;
}

/** Whether a penalty does anything. */
export function hasPenalty(p: Partial<Penalty> | undefined): p is Penalty {
  return p !== undefined && ((p.l1 ?? 0) !== 0 || (p.l2 ?? 0) !== 0);
}

/**
 * Adds the penalty's gradient to every layer's W_update (after Network.backward) and returns the
 * penalty, measured on the weights before the step. The WebAssembly kernel (assembly/float64.ts,
 * `penalise`) does the same operations in the same order — layers in order, each W row-major:
 *   sq += w·w;  ab += |w|;  dW += l2·w + l1·sign(w);   penalty = 0.5·l2·sq + l1·ab
 */
export function addPenalty(layers: readonly Dense[], { l1, l2 }: Penalty): number {
  let sq = 0;
  let ab = 0;
  for (const layer of layers) {
    const w = layer.W.data;
    const g = layer.dW.data;
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      sq += x * x;
      ab += Math.abs(x);
      g[i] += l2 * x + l1 * (x > 0 ? 1 : x < 0 ? -1 : 0); // W_update += l2·W + l1·sign(W)
    }
  }
  return 0.5 * l2 * sq + l1 * ab;
}

/** The penalty alone (the weights and gradients unchanged), as addPenalty computes it. */
export function penaltyValue(layers: readonly Dense[], { l1, l2 }: Penalty): number {
  let sq = 0;
  let ab = 0;
  for (const layer of layers) {
    const w = layer.W.data;
    for (let i = 0; i < w.length; i++) {
      sq += w[i] * w[i];
      ab += Math.abs(w[i]);
    }
  }
  return 0.5 * l2 * sq + l1 * ab;
}
