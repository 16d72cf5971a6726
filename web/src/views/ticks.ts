/**
 * Axis ticks of the decision-boundary plot, as text beside the canvas, in the data's own units
 * (the plane is drawn in scaled units: a tick at value v sits at (v − shift) / scale).
 */
import type { Scaler } from '../../../src/index.js';

/** Round values 1, 2, 2.5 or 5 × 10^k apart covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / Math.max(1, count - 1);
  if (!(raw > 0) || !Number.isFinite(raw)) return [];
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Places the ticks of column `j` along `axis` ('x': left to right, 'y': bottom to top). */
export function drawTicks(el: HTMLElement, axis: 'x' | 'y', lo: number, hi: number, scaling: Scaler | undefined, j: number): void {
  const shift = scaling?.shift[j] ?? 0;
  const scale = scaling?.scale[j] ?? 1;
  const values = niceTicks(lo * scale + shift, hi * scale + shift);
  el.replaceChildren(
    ...values.map((v) => {
      const span = document.createElement('span');
      const at = (((v - shift) / scale - lo) / (hi - lo)) * 100;
      if (axis === 'x') span.style.left = `${at}%`;
      else span.style.top = `${100 - at}%`;
      span.textContent = String(v).replace('-', '−');
      span.dataset.value = String(v);
      return span;
    }),
  );
}
