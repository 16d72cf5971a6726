import { Matrix } from '../tensor/matrix.js';
import type { Network } from '../nn/network.js';
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

/**
 * Runs one forward and backward pass over (X, Y) through the reference engine's code
 * (Network.forward and Network.backward; the WebAssembly engine computes the same bits), and
 * records every named matrix: X, the weights, H_in, H_out, O_in, O_out, O_error, O_delta,
 * W2_update, H_error, H_delta, W1_update (per-layer names H1, H2, … for deeper networks).
 * The weights are not changed.
 */
export function trace(net: Network, x: Matrix | number[][], y: Matrix | number[][]): Trace {
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
  const value = net.backward(X, Y, rec);
  const entries = rec.entries;
  return {
    entries,
    loss: { name: net.loss.name, formula: net.loss.formula, value },
    get: (name) => entries.find((e) => e.name === name)?.value,
  };
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
