/** The page's colours: classes, weight signs, and values mapped onto a diverging scale. */

export type RGB = [number, number, number];

/** Class colours: class 0 orange, class 1 blue, class 2 green. */
export const CLASS_COLORS: RGB[] = [
  [245, 147, 34],
  [8, 119, 189],
  [44, 160, 44],
];
const WHITE: RGB = [248, 248, 248];

export const NEGATIVE = '#f59322';
export const POSITIVE = '#0877bd';

function mix(a: RGB, b: RGB, t: number): RGB {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** A value on [lo, hi] as orange (lo) through white (middle) to blue (hi), clipped. */
export function diverging(v: number, lo: number, hi: number): RGB {
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  return t < 0.5 ? mix(CLASS_COLORS[0], WHITE, t * 2) : mix(WHITE, CLASS_COLORS[1], (t - 0.5) * 2);
}

/**
 * The colour of an output row: for one output, its value on [0, 1]; for several, the classes'
 * colours weighted by the outputs, paler the less one class stands out.
 */
export function outputColor(out: ArrayLike<number>, offset: number, k: number): RGB {
  if (k === 1) return diverging(out[offset], 0, 1);
  let sum = 0;
  let max = 0;
  for (let j = 0; j < k; j++) {
    const v = Math.max(0, out[offset + j]);
    sum += v;
    if (v > max) max = v;
  }
  if (sum <= 0) return WHITE;
  const c: RGB = [0, 0, 0];
  for (let j = 0; j < k; j++) {
    const w = Math.max(0, out[offset + j]) / sum;
    const col = CLASS_COLORS[j % CLASS_COLORS.length];
    c[0] += w * col[0];
    c[1] += w * col[1];
    c[2] += w * col[2];
  }
  const confidence = Math.max(0, Math.min(1, (max / sum - 1 / k) / (1 - 1 / k)));
  return mix(WHITE, c, confidence);
}

/** diverging() sampled at 256 steps, as r, g, b bytes: painting a grid looks colours up here. */
export const DIVERGING_LUT: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(diverging(i / 255, 0, 1), i * 3);
  return lut;
})();

/** The range a node's output is drawn over, by activation. */
export function activationRange(name: string): [number, number] {
  return name === 'sigmoid' || name === 'softmax' || name === 'step' ? [0, 1] : [-1, 1];
}

export function css(c: RGB): string {
  return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;
}
