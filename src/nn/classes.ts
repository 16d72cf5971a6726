import type { Matrix } from '../tensor/matrix.js';

/**
 * The class of each row: the largest output's index when there are several outputs (the first
 * of equal ones), or 0/1 by the threshold 0.5 for a single output. The library's one rule for
 * it: metrics, the reference engine's accuracy and (in AssemblyScript) the WebAssembly engine's
 * (assembly/output64.ts) all follow it.
 */
export function classesOf(m: Matrix, out: Int32Array = new Int32Array(m.rows)): Int32Array {
  const c = m.cols;
  const d = m.data;
  for (let i = 0; i < m.rows; i++) {
    if (c === 1) {
      out[i] = d[i] >= 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}
