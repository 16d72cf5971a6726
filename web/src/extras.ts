/** What the worker sends with the matrices of a pass: the units' health, a classifier's confusion matrix, a regression's curve. */
import { layerHealth } from './hints.js';
import type { Extras } from './protocol.js';
import type { Session } from './session.js';

/** Points along a fitted curve. */
const CURVE_POINTS = 80;
/** Inputs a regression's curve can be drawn along. */
export const MAX_CURVES = 12;

/** The network's output along input j over its training range, the other inputs at their mean (0: they are standardised). */
function curveAlong(s: Session, j: number): { x: number[]; y: number[] } {
  const rows = s.data.trainX;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r[j]);
    hi = Math.max(hi, r[j]);
  }
  const x = Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
  const plane = x.map((v) => rows[0].map((_, k) => (k === j ? v : 0)));
  return { x, y: s.net.predict(plane).map((r) => r[0]) };
}

export function extrasOf(s: Session): Extras {
  const d = s.data;
  const extras: Extras = { health: layerHealth(s.net, d.trainX) };
  if (d.kind === 'classification') {
    // of every test row (or training row without any), from the pass of progress() that measured
    // the accuracy shown with it (the worker measures before it sends a frame)
    if (!s.confusion) s.progress();
    extras.confusion = s.confusion;
  } else {
    extras.curves = d.inputs.slice(0, MAX_CURVES).map((_, j) => curveAlong(s, j));
  }
  return extras;
}
