/**
 * Hints that teach: a hidden layer whose units are mostly saturated (sigmoid or tanh with
 * |z| > 5) or dead (relu with output 0 for every row) learns slowly or not at all; say so, and why.
 */
import { Matrix, type Network, type Recorder } from '../../src/index.js';

/** |z| beyond which sigmoid and tanh are flat: σ′(5) ≈ 0.0066, tanh′(5) ≈ 0.00018. */
export const SATURATION = 5;
/** Rows the health is measured on (the first ones of the training data). */
export const HEALTH_ROWS = 1000;

/** One hidden layer's units: how many are saturated or dead over the rows measured. */
export interface LayerHealth {
  layer: number;
  activation: string;
  units: number;
  /** Units with |z| > SATURATION on more than half of the rows (sigmoid, tanh). */
  saturated: number;
  /** Units whose z ≤ 0 on every row, so their relu output is 0 (relu). */
  dead: number;
}

/** The health of each hidden layer of `net` on the rows of `x` (at most HEALTH_ROWS of them). */
export function layerHealth(net: Network, x: number[][]): LayerHealth[] {
  const zs: Matrix[] = [];
  const rec: Recorder = {
    record(name, value) {
      if (name.endsWith('_in')) zs.push(Matrix.from(value.toArray()));
    },
  };
  net.forward(Matrix.from(x.slice(0, HEALTH_ROWS), 'rows'), rec);
  return zs.slice(0, -1).map((z, i) => {
    const activation = net.layers[i].activation.name;
    let saturated = 0;
    let dead = 0;
    for (let j = 0; j < z.cols; j++) {
      let far = 0;
      let alive = false;
      for (let r = 0; r < z.rows; r++) {
        const v = z.get(r, j);
        if (Math.abs(v) > SATURATION) far++;
        if (v > 0) alive = true;
      }
      if ((activation === 'sigmoid' || activation === 'tanh') && far > z.rows / 2) saturated++;
      if (activation === 'relu' && !alive) dead++;
    }
    return { layer: i + 1, activation, units: z.cols, saturated, dead };
  });
}

/** One line per hidden layer where most units are saturated or dead, with why it stalls learning. */
export function hintsFor(health: LayerHealth[]): string[] {
  const out: string[] = [];
  for (const h of health) {
    if (h.saturated > h.units / 2) {
      out.push(
        `Hidden layer ${h.layer}: ${h.saturated} of ${h.units} ${h.activation} units are saturated (|z| > ${SATURATION} for most rows): ` +
          `their slope ${h.activation}′(z) is almost 0 there, so their deltas and weight updates are almost 0 and learning stalls. ` +
          'A smaller learning rate helps.',
      );
    }
    if (h.dead > h.units / 2) {
      out.push(
        `Hidden layer ${h.layer}: ${h.dead} of ${h.units} relu units are dead (output 0 for every row): ` +
          'relu′ is 0 for them, so no gradient reaches their weights and they never come back. Try leaky relu or a smaller learning rate.',
      );
    }
  }
  return out;
}
