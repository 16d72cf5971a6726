import { BackpropError } from '../errors.js';
import type { Scaler, ScalingName } from './preprocess.js';

/**
 * Column statistics gathered one value at a time, for data that never sits in memory at once:
 * count, mean and the sum of squared deviations by Welford's update (numerically stable in one
 * pass), and min and max. `scaler()` turns them into the Scaler fitScaler would fit (the same
 * rule for a constant column; the mean and variance may differ from a two-pass sum in the last
 * bits).
 */
export class RunningStats {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  /** Σ (x − mean)², per column. */
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly cols: number) {
    this.count = new Float64Array(cols);
    this.mean = new Float64Array(cols);
    this.m2 = new Float64Array(cols);
    this.min = new Float64Array(cols).fill(Infinity);
    this.max = new Float64Array(cols).fill(-Infinity);
  }

  /** One value of column j. */
  add(j: number, x: number): void {
    const n = ++this.count[j];
    const d = x - this.mean[j];
    this.mean[j] += d / n;
    this.m2[j] += d * (x - this.mean[j]);
    if (x < this.min[j]) this.min[j] = x;
    if (x > this.max[j]) this.max[j] = x;
  }

  /** The population variance of column j (0 with fewer than one value). */
  variance(j: number): number {
    return this.count[j] > 0 ? this.m2[j] / this.count[j] : 0;
  }

  /** The scaling of these columns (see fitScaler); `names` name a column whose figures overflow. */
  scaler(kind: ScalingName, names?: readonly string[]): Scaler {
    const shift = new Array<number>(this.cols).fill(0);
    const scale = new Array<number>(this.cols).fill(1);
    if (kind === 'none') return { kind, shift, scale };
    for (let j = 0; j < this.cols; j++) {
      if (!(this.count[j] > 0)) throw new BackpropError('data', 'cannot fit a scaling to no rows');
      if (kind === 'standard') {
        const mean = this.mean[j];
        const std = Math.sqrt(this.variance(j));
        shift[j] = mean;
        scale[j] = std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1;
      } else {
        shift[j] = this.min[j];
        scale[j] = this.max[j] > this.min[j] ? this.max[j] - this.min[j] : 1;
      }
      if (!Number.isFinite(shift[j]) || !Number.isFinite(scale[j])) {
        const column = names?.[j] !== undefined ? `column '${names[j]}'` : `column ${j + 1}`;
        const top = Math.max(Math.abs(this.min[j]), Math.abs(this.max[j]));
        throw new BackpropError(
          'data',
          `${column} holds values too large to scale (up to ${top.toExponential(2)}): their ${kind === 'minmax' ? 'range' : 'mean or variance'} ` +
            `overflows 64-bit floating point. Divide the column by a power of ten first${kind === 'standard' ? ', or scale it by min and max' : ''}`,
        );
      }
    }
    return { kind, shift, scale };
  }
}
