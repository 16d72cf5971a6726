import { BackpropError, check } from '../errors.js';
import type { Param } from '../nn/network.js';
import { powi } from '../nn/math.js';

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** An optimizer by name with its hyper-parameters (each has the usual default). */
export interface OptimizerSpec {
  name: OptimizerName;
  /** Momentum coefficient μ for momentum and nesterov (default 0.9). */
  momentum?: number;
  /** RMSprop's decay ρ (default 0.9). */
  rho?: number;
  /** Adam's β1 (default 0.9). */
  beta1?: number;
  /** Adam's β2 (default 0.999). */
  beta2?: number;
  /** Added to denominators (default 1e-8). */
  epsilon?: number;
}

/** Updates parameters from their gradients; keeps whatever state it needs per parameter. */
export interface Optimizer {
  readonly spec: Required<OptimizerSpec>;
  /** One update of every parameter with learning rate lr. */
  step(params: readonly Param[], lr: number): void;
  /** The optimizer's state (moment estimates, step count), for checkpoints. */
  getState(): { t: number; slots: number[][][] };
  setState(state: { t: number; slots: number[][][] }): void;
}

/**
 * The default learning rate for each optimizer when none is given, for fit, the Trainer,
 * trainModel and the command line alike: 0.1 for sgd, momentum and nesterov; 0.01 for rmsprop
 * and adam (ten times Keras's 0.001: the small tabular sets this library trains on reach their
 * loss in far fewer epochs with it).
 */
export function defaultLearningRate(name: OptimizerName): number {
  return name === 'adam' || name === 'rmsprop' ? 0.01 : 0.1;
}

export function optimizer(spec: OptimizerName | OptimizerSpec): Optimizer {
  const s: OptimizerSpec = typeof spec === 'string' ? { name: spec } : spec;
  const name = String(s?.name ?? '').toLowerCase() as OptimizerName;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new BackpropError('option', `unknown optimizer '${s?.name}': expected one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const full: Required<OptimizerSpec> = {
    name,
    momentum: s.momentum ?? 0.9,
    rho: s.rho ?? 0.9,
    beta1: s.beta1 ?? 0.9,
    beta2: s.beta2 ?? 0.999,
    epsilon: s.epsilon ?? 1e-8,
  };
  if (!(full.momentum >= 0 && full.momentum < 1)) check(false, `momentum must be in [0, 1), got ${full.momentum}`);
  if (!(full.rho > 0 && full.rho < 1)) check(false, `rho must be in (0, 1), got ${full.rho}`);
  if (!(full.beta1 >= 0 && full.beta1 < 1)) check(false, `beta1 must be in [0, 1), got ${full.beta1}`);
  if (!(full.beta2 > 0 && full.beta2 < 1)) check(false, `beta2 must be in (0, 1), got ${full.beta2}`);
  if (!(full.epsilon > 0)) check(false, `epsilon must be positive, got ${full.epsilon}`);
  return new SlotOptimizer(full);
}

/**
 * The live state of an optimizer made by optimizer() — its step count and, per parameter, its
 * slot arrays (created if it has not stepped yet) — for the float64 kernel, which repeats its
 * steps exactly; undefined for any other optimizer.
 */
export function builtinState(o: Optimizer, params: readonly Param[]): { slots: Float64Array[][]; steps: number; setSteps(t: number): void } | undefined {
  if (!(o instanceof SlotOptimizer)) return undefined;
  return o.live(params);
}

/** Whether the optimizer is one optimizer() made (whose steps the float64 kernel repeats exactly). */
export function isBuiltin(o: Optimizer): boolean {
  return o instanceof SlotOptimizer;
}

/** Number of state arrays ("slots") each optimizer keeps per parameter. */
const SLOTS: Record<OptimizerName, number> = { sgd: 0, momentum: 1, nesterov: 1, rmsprop: 1, adam: 2 };

class SlotOptimizer implements Optimizer {
  readonly spec: Required<OptimizerSpec>;
  private t = 0;
  private slots: Float64Array[][] = [];

  constructor(spec: Required<OptimizerSpec>) {
    this.spec = spec;
  }

  live(params: readonly Param[]) {
    this.ensureSlots(params);
    return { slots: this.slots, steps: this.t, setSteps: (t: number) => void (this.t = t) };
  }

  private ensureSlots(params: readonly Param[]): void {
    const k = SLOTS[this.spec.name];
    if (this.slots.length === params.length) return;
    this.slots = params.map((p) => {
      const slots: Float64Array[] = [];
      for (let i = 0; i < k; i++) slots.push(new Float64Array(p.value.length));
      return slots;
    });
  }

  step(params: readonly Param[], lr: number): void {
    this.ensureSlots(params);
    this.t++;
    const { name, momentum: mu, rho, beta1, beta2, epsilon } = this.spec;
    const c1 = name === 'adam' ? 1 - powi(beta1, this.t) : 1;
    const c2 = name === 'adam' ? 1 - powi(beta2, this.t) : 1;
    for (let p = 0; p < params.length; p++) {
      const w = params[p].value;
      const g = params[p].grad;
      const slot = this.slots[p];
      switch (name) {
        case 'sgd': // W := W − α · W_update
          for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
          break;
        case 'momentum': {
          const v = slot[0]; // v := μv − α·g;  W := W + v
          for (let i = 0; i < w.length; i++) {
            v[i] = mu * v[i] - lr * g[i];
            w[i] += v[i];
          }
          break;
        }
        case 'nesterov': {
          const v = slot[0]; // v := μv − α·g;  W := W − μ·v_old + (1 + μ)·v  (look-ahead form)
          for (let i = 0; i < w.length; i++) {
            const old = v[i];
            v[i] = mu * v[i] - lr * g[i];
            w[i] += -mu * old + (1 + mu) * v[i];
          }
          break;
        }
        case 'rmsprop': {
          const s = slot[0]; // s := ρs + (1 − ρ)g²;  W := W − α·g / (√s + ε)
          for (let i = 0; i < w.length; i++) {
            s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
            w[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + epsilon);
          }
          break;
        }
        case 'adam': {
          const m = slot[0]; // m := β1·m + (1 − β1)·g;  v := β2·v + (1 − β2)·g²
          const v = slot[1]; // W := W − α·m̂ / (√v̂ + ε), with bias-corrected m̂, v̂
          for (let i = 0; i < w.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
          }
          break;
        }
      }
    }
  }

  getState() {
    return { t: this.t, slots: this.slots.map((ps) => ps.map((a) => Array.from(a))) };
  }

  setState(state: { t: number; slots: number[][][] }) {
    this.t = state.t;
    this.slots = state.slots.map((ps) => ps.map((a) => Float64Array.from(a)));
  }
}
