import type { Matrix } from '../tensor/matrix.js';

/**
 * Receives the named intermediates of a pass as the network computes them. The network calls
 * `record` only when a recorder is passed in, so training runs the same code without one.
 * The matrix passed is a reused buffer: a recorder that keeps it must copy it.
 */
export interface Recorder {
  record(name: string, value: Matrix, formula: string): void;
}

/**
 * The slides' names for layer `index` (0-based) of `count` layers: with one hidden layer,
 * H and O; deeper, H1, H2, … and O; a single layer is O.
 */
export function layerPrefix(index: number, count: number): string {
  if (index === count - 1) return 'O';
  return count === 2 ? 'H' : `H${index + 1}`;
}
