import { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
import { addPenalty, hasPenalty, type Penalty } from '../nn/penalty.js';
import { regularisation } from '../train/fit-options.js';
import type { Recorder } from './recorder.js';

/** One named matrix of a pass. */
export interface TraceEntry {
  name: string;
  formula: string;
  value: number[][];
}

/** A recorded forward and backward pass: the inputs, every named intermediate, and the loss. */
export interface Trace {
  entries: TraceEntry[];
  /** The loss of the pass: with regularisation, the penalty included (as training reports it). */
  loss: { name: string; formula: string; value: number };
  /** The matrix called `name`, or undefined. */
  get(name: string): number[][] | undefined;
}

/** A recorder that keeps a copy of everything it is given, in order. */
export class TraceRecorder implements Recorder {
  readonly entries: TraceEntry[] = [];
  record(name: string, value: Matrix, formula: string): void {
    this.entries.push({ name, formula, value: value.toArray() });
  }
}

/** Options of trace(): fit's regularisation (see FitOptions.l1, l2 and src/nn/penalty.ts). */
export interface TraceOptions {
  /** L1 regularisation (default 0): W_update gains l1·sign(W), the loss l1·Σ|W|. */
  l1?: number;
  /** L2 regularisation (default 0): W_update gains l2·W, the loss l2/2·ΣW². */
  l2?: number;
}

/**
 * Runs one forward and backward pass over (X, Y) through the reference engine's code
 * (Network.forward and Network.backward; the WebAssembly engine computes the same bits), and
 * records every named matrix: X, the weights, H_in, H_out, O_in, O_out, O_error, O_delta,
 * W2_update, H_error, H_delta, W1_update (per-layer names H1, H2, … for deeper networks).
 * With `l1` or `l2` (fit's options), each W_update is the one a training step applies, the
 * penalty's gradient added (src/nn/penalty.ts, as the engines add it), and the loss includes the
 * penalty. The weights are not changed.
 */
export function trace(net: Network, x: Matrix | number[][], y: Matrix | number[][], options: TraceOptions = {}): Trace {
  const penalty = regularisation(options);
  const X = net.input(x, 'X');
  const Y = net.input(y, 'Y');
  net.validate(X, Y);
  const rec = new TraceRecorder();
  rec.record('X', X, 'X: the inputs, one sample per row');
  net.layers.forEach((l, i) => {
    rec.record(`W${i + 1}`, l.W, `W${i + 1}: ${l.inputs}×${l.units} weights`);
    if (l.useBias) rec.record(`b${i + 1}`, new Matrix(1, l.units, l.b), `b${i + 1}: bias row`);
  });
  rec.record('Y', Y, 'Y: the targets');
  net.forward(X, rec);
  let value = net.backward(X, Y, rec);
  const entries = rec.entries;
  let formula = net.loss.formula;
  if (hasPenalty(penalty)) {
    value += addPenalty(net.layers, penalty); // as the engines' step: loss + penalty; W_update += l2·W + l1·sign(W)
    net.layers.forEach((l, i) => {
      const e = entries.find((t) => t.name === `W${i + 1}_update`)!;
      e.value = l.dW.toArray();
      e.formula = penalisedUpdate(e.formula, `W${i + 1}`, penalty);
    });
    formula = `${formula} + ${penaltyTerms(penalty, 'ΣW²', 'Σ|W|')} over every layer's weights, not the biases (${coefficients(penalty)})`;
  }
  return {
    entries,
    loss: { name: net.loss.name, formula, value },
    get: (name) => entries.find((e) => e.name === name)?.value,
  };
}

/** The penalty's terms that are not 0: `l2/2·ΣW² + l1·Σ|W|` (for the loss) or `l2·W1 + l1·sign(W1)` (for W1_update). */
function penaltyTerms({ l1, l2 }: Penalty, square: string, abs: string): string {
  return [l2 ? `l2${square.startsWith('Σ') ? '/2' : ''}·${square}` : '', l1 ? `l1·${abs}` : ''].filter(Boolean).join(' + ');
}

function coefficients({ l1, l2 }: Penalty): string {
  return [l2 ? `l2 = ${l2}` : '', l1 ? `l1 = ${l1}` : ''].filter(Boolean).join(', ');
}

/** `W1_update = 1/N · Xᵀ·H_delta   (1/N = 0.5)` with the penalty's gradient: `… + l2·W1   (1/N = 0.5, l2 = 0.003)`. */
function penalisedUpdate(formula: string, w: string, penalty: Penalty): string {
  const terms = ` + ${penaltyTerms(penalty, w, `sign(${w})`)}`;
  const m = /^(.*?)(\s+)\((.*)\)$/.exec(formula);
  return m ? `${m[1]}${terms}${m[2]}(${m[3]}, ${coefficients(penalty)})` : `${formula}${terms}   (${coefficients(penalty)})`;
}

/** The trace as one JSON-ready object: each name maps to its 2-D array, plus loss and formulas. */
export function traceToJSON(t: Trace): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of t.entries) out[e.name] = e.value;
  out.loss = t.loss;
  out.formulas = Object.fromEntries(t.entries.map((e) => [e.name, e.formula]));
  return out;
}

/** Formats a matrix the way the slides print them: [[0.81 0.81] …] with `digits` decimals. */
export function formatMatrix(m: number[][], digits = 2): string {
  const cells = m.map((row) => row.map((v) => v.toFixed(digits)));
  const width = Math.max(...cells.flat().map((s) => s.length));
  return cells.map((row, i) => `${i === 0 ? '[[' : ' ['}${row.map((s) => s.padStart(width)).join(' ')}]${i === cells.length - 1 ? ']' : ''}`).join('\n');
}

/** The whole trace as text: each matrix under its name and formula. */
export function formatTrace(t: Trace, digits = 3): string {
  const parts = t.entries.map((e) => `${e.name}   ${e.formula}\n${formatMatrix(e.value, digits)}`);
  parts.push(`loss (${t.loss.name}) = ${t.loss.value.toFixed(6)}\n  ${t.loss.formula}`);
  return parts.join('\n\n');
}
