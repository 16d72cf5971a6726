/** What the worker sends with the matrices of a pass: the units' health, a classifier's confusion matrix, a regression's curve. */
import { confusionMatrix, Matrix } from '../../src/index.js';
import { HEALTH_ROWS, layerHealth } from './hints.js';
import type { Extras } from './protocol.js';
import type { Session } from './session.js';

/** Points along the fitted curve. */
const CURVE_POINTS = 80;

export function extrasOf(s: Session): Extras {
  const d = s.data;
  const extras: Extras = { health: layerHealth(s.net, d.trainX) };
  const [x, y] = d.testX.length > 0 ? [d.testX, d.testY] : [d.trainX, d.trainY];
  if (d.kind === 'classification') {
    const rows = x.slice(0, HEALTH_ROWS * 10);
    extras.confusion = confusionMatrix(s.net.forward(Matrix.from(rows, 'rows')), Matrix.from(y.slice(0, rows.length), 'targets'));
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of d.trainX) {
      lo = Math.min(lo, r[0]);
      hi = Math.max(hi, r[0]);
    }
    const xs = Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
    // the other inputs at their mean: 0, as they are standardised
    const plane = xs.map((v) => [v, ...new Array<number>(d.trainX[0].length - 1).fill(0)]);
    extras.curve = { x: xs, y: s.net.predict(plane).map((r) => r[0]) };
  }
  return extras;
}
