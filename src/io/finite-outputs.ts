import { BackpropError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';

/**
 * Refuses a network's outputs when one is not a finite number (weights so large that a row
 * overflows them), naming the first such row: `lines` are the rows' numbers in `source` (`offset` the first row's index among them).
 */
export function checkFiniteOutputs(out: Matrix, from: { lines?: ArrayLike<number>; source?: string; offset?: number } = {}): void {
  const { lines, source, offset = 0 } = from;
  const d = out.data;
  const c = out.cols;
  for (let i = 0; i < d.length; i++) {
    if (Number.isFinite(d[i])) continue;
    const r = Math.floor(i / c);
    const row = `row ${lines ? lines[offset + r] : offset + r + 1}${source ? ` of ${source}` : ''}`;
    const which = c > 1 ? `output ${(i % c) + 1}` : 'output';
    throw new BackpropError(
      'model',
      `${row}: the model's ${which} is ${d[i]}, not a finite number: its weights are too large for this row's values (a damaged model file, or one trained to diverge)`,
    );
  }
}
